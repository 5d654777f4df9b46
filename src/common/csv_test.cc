#include "common/csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace cf {
namespace {

namespace fs = std::filesystem;

class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("cf_csv_test_") + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path Write(const std::string& name, const std::string& content) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  // The message of the CsvError thrown by `f`, or "" when nothing is thrown.
  template <typename F>
  static std::string ErrorOf(F&& f) {
    try {
      f();
    } catch (const CsvError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(CsvTest, ReadsQuotedAndUnquotedFields) {
  const auto p = Write("a.csv",
                       "\"id\",\"name\",value\n"
                       "\"1\",\"a \"\"b\"\"\",2.5\n"
                       "2,\"x,y\",-3\n"
                       "3,\"two\nlines\",4\n"
                       "4,plain,5");  // no final newline
  CsvReader r(p);
  ASSERT_EQ(r.header().size(), 3u);
  const int id = r.Column("id"), name = r.Column("name"), value = r.Column("value");
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line(), 2u);
  EXPECT_EQ(r.GetInt(id), 1);
  EXPECT_EQ(r.Field(name), "a \"b\"");
  EXPECT_DOUBLE_EQ(r.GetDouble(value), 2.5);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Field(name), "x,y");
  EXPECT_EQ(r.GetInt(value), -3);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line(), 4u);
  EXPECT_EQ(r.Field(name), "two\nlines");
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line(), 6u);  // the quoted line break counts
  EXPECT_EQ(r.GetString(name), "plain");
  EXPECT_EQ(r.GetUInt(value), 5u);
  EXPECT_FALSE(r.Next());
  EXPECT_EQ(r.records(), 4u);
}

TEST_F(CsvTest, CrLfBlankLinesAndEmptyTrailingField) {
  const auto p = Write("b.csv", "a,b\r\n1,\r\n\r\n\n2,x\r\n");
  CsvReader r(p);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.GetInt(0), 1);
  EXPECT_TRUE(r.IsMissing(1));
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line(), 5u);
  EXPECT_EQ(r.Field(1), "x");
  EXPECT_FALSE(r.Next());
}

TEST_F(CsvTest, NaAndEmptyAreMissing) {
  const auto p = Write("c.csv", "a,b,c\nNA,\"NA\",\"\"\n1,2,3\n");
  CsvReader r(p);
  ASSERT_TRUE(r.Next());
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(r.IsMissing(c)) << c;
  EXPECT_FALSE(r.GetOptInt(0).has_value());
  EXPECT_FALSE(r.GetOptDouble(1).has_value());
  EXPECT_FALSE(r.GetOptString(2).has_value());
  const std::string msg = ErrorOf([&] { r.GetDouble(0); });
  EXPECT_NE(msg.find("c.csv:2: column 'a': missing value"), std::string::npos) << msg;
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.GetOptInt(0), 1);
  EXPECT_EQ(r.GetOptString(2), "3");
}

TEST_F(CsvTest, MissingColumnNamesFileAndColumnsFound) {
  const auto p = Write("d.csv", "household_id,quantity\n1,2\n");
  CsvReader r(p);
  EXPECT_EQ(r.FindColumn("price"), -1);
  const std::string msg = ErrorOf([&] { r.Column("price"); });
  EXPECT_NE(msg.find("d.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'price'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("household_id, quantity"), std::string::npos) << msg;
}

TEST_F(CsvTest, BadNumberNamesFileLineColumnAndText) {
  const auto p = Write("e.csv", "id,quantity\n1,2\n2,3\n3,abc\n");
  CsvReader r(p);
  const int q = r.Column("quantity");
  ASSERT_TRUE(r.Next());
  ASSERT_TRUE(r.Next());
  ASSERT_TRUE(r.Next());
  std::string msg = ErrorOf([&] { r.GetDouble(q); });
  EXPECT_NE(msg.find("e.csv:4: column 'quantity': cannot parse 'abc' as a number"),
            std::string::npos)
      << msg;
  msg = ErrorOf([&] { r.GetInt(q); });
  EXPECT_NE(msg.find("e.csv:4:"), std::string::npos) << msg;
  // Partial numbers are rejected too.
  const auto p2 = Write("f.csv", "x\n12abc\n1.5\n-1\n");
  CsvReader r2(p2);
  ASSERT_TRUE(r2.Next());
  EXPECT_FALSE(ErrorOf([&] { r2.GetInt(0); }).empty());
  ASSERT_TRUE(r2.Next());
  EXPECT_FALSE(ErrorOf([&] { r2.GetInt(0); }).empty());
  ASSERT_TRUE(r2.Next());
  EXPECT_EQ(r2.GetInt(0), -1);
  EXPECT_FALSE(ErrorOf([&] { r2.GetUInt(0); }).empty());
}

TEST_F(CsvTest, IntegersInRScientificNotation) {
  const auto p = Write("sci.csv", "x\n9e+05\n\"4.0128e+10\"\n1.5e+00\n1e-3\n-2e+01\n");
  CsvReader r(p);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.GetUInt(0), 900000u);
  EXPECT_EQ(r.GetInt(0), 900000);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.GetUInt(0), 40128000000u);
  ASSERT_TRUE(r.Next());
  EXPECT_NE(ErrorOf([&] { r.GetInt(0); }).find("cannot parse '1.5e+00' as an integer"),
            std::string::npos);
  ASSERT_TRUE(r.Next());
  EXPECT_FALSE(ErrorOf([&] { r.GetUInt(0); }).empty());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.GetInt(0), -20);
  EXPECT_FALSE(ErrorOf([&] { r.GetUInt(0); }).empty());
}

TEST_F(CsvTest, WrongFieldCountAndUnterminatedQuote) {
  const auto p = Write("g.csv", "a,b\n1,2\n1,2,3\n");
  CsvReader r(p);
  ASSERT_TRUE(r.Next());
  std::string msg = ErrorOf([&] { r.Next(); });
  EXPECT_NE(msg.find("g.csv:3: expected 2 fields"), std::string::npos) << msg;

  const auto p2 = Write("h.csv", "a,b\n1,2\n3,\"open\n4,5\n");
  CsvReader r2(p2);
  ASSERT_TRUE(r2.Next());
  msg = ErrorOf([&] { r2.Next(); });
  EXPECT_NE(msg.find("h.csv:3: unterminated quoted field"), std::string::npos) << msg;

  const auto p3 = Write("i.csv", "a,b\n\"x\"y,2\n");
  CsvReader r3(p3);
  msg = ErrorOf([&] { r3.Next(); });
  EXPECT_NE(msg.find("i.csv:2:"), std::string::npos) << msg;
}

TEST_F(CsvTest, MissingFileNamesPathReasonAndHint) {
  const fs::path p = dir_ / "nope.csv";
  const std::string msg = ErrorOf([&] { CsvReader r(p, "put the data in X"); });
  EXPECT_NE(msg.find("cannot open " + p.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  EXPECT_NE(msg.find("; put the data in X"), std::string::npos) << msg;
  const std::string empty = ErrorOf([&] { CsvReader r(Write("empty.csv", "")); });
  EXPECT_NE(empty.find("empty.csv:1: empty file"), std::string::npos) << empty;
}

TEST_F(CsvTest, RecordsLongerThanTheBuffer) {
  // Fields that straddle the 1 MiB read buffer boundary, quoted and unquoted.
  std::string content = "a,b\n";
  const std::string big(700000, 'x');
  for (int i = 0; i < 4; ++i) content += big + ",\"" + big + "\"\"q\"\n";
  CsvReader r(Write("big.csv", content));
  int n = 0;
  while (r.Next()) {
    ++n;
    EXPECT_EQ(r.Field(0).size(), big.size());
    EXPECT_EQ(r.Field(1), big + "\"q");
  }
  EXPECT_EQ(n, 4);
}

TEST(CsvRealData, ReadsPromotionsSampleQuickly) {
  const fs::path p = fs::path(CF_TEST_DATA_DIR) / "completejourney" / "promotions_sample.csv";
  if (!fs::exists(p)) {
    GTEST_SKIP() << "Complete Journey data not found at " << p.string()
                 << "; put the shared data in ../shared/data to run this test";
  }
  const auto t0 = std::chrono::steady_clock::now();
  CsvReader r(p);
  const int prod = r.Column("product_id"), week = r.Column("week");
  uint64_t sum = 0;
  while (r.Next()) sum += r.GetUInt(prod) + r.GetUInt(week);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.records(), 360535u);
  EXPECT_GT(sum, 0u);
  RecordProperty("seconds", std::to_string(secs));
  std::printf("[ info ] read %llu promotion lines in %.3f s\n",
              static_cast<unsigned long long>(r.records()), secs);
  EXPECT_LT(secs, 10.0);  // loose: sanitizer builds are several times slower
}

}  // namespace
}  // namespace cf
