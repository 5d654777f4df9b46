#include "diagnosis/case_loaders.h"

#include <gtest/gtest.h>

#include "diagnosis/test_util.h"

namespace cf::diagnosis {
namespace {

using testing::ScratchDir;

std::string ErrorOf(const std::filesystem::path& dir, const std::string& format) {
  try {
    LoadCases(dir, format);
  } catch (const CaseLoadError& e) {
    return e.what();
  }
  return "no error";
}

TEST(RobustSpotLoader, ForecastIsTheMeanOfTheFourPreviousMinutes) {
  ScratchDir dir;
  dir.Write("anomaly.yaml", "- data: c1\n  timestamp: 600\n  cause: {'bitrate':2000, 'p2p':1}\n");
  // Leaf (2000,1): five earlier minutes (the oldest must be ignored), anomaly at 600.
  // Leaf (500,0): absent at minute 300 (counts as 0) and present at 600.
  // Leaf (500,1): absent at the anomalous minute: dropped.
  dir.Write("c1.csv",
            "min,value,cnt,bitrate,p2p\n"
            "60,0,1000,2000,1\n"
            "120,90,100,2000,1\n180,80,100,2000,1\n240,95,100,2000,1\n300,95,100,2000,1\n"
            "120,10,20,500,0\n180,10,20,500,0\n240,10,20,500,0\n"
            "300,5,5,500,1\n"
            "600,40,100,2000,1\n600,9,10,500,0\n");
  const auto cases = LoadCases(dir.path(), "robustspot");
  ASSERT_EQ(cases.size(), 1u);
  const RcaCase& c = cases[0];
  EXPECT_TRUE(c.ratio);
  EXPECT_EQ(c.dims, (std::vector<std::string>{"bitrate", "p2p"}));
  ASSERT_EQ(c.leaves.size(), 2u);
  const Leaf& a = c.leaves[0];
  EXPECT_EQ(c.values[0][a.attrs[0]], "2000");
  EXPECT_DOUBLE_EQ(a.real, 60);  // failures = cnt - value
  EXPECT_DOUBLE_EQ(a.real_den, 100);
  EXPECT_DOUBLE_EQ(a.predict, (10 + 20 + 5 + 5) / 4.0);  // minutes 120..300
  EXPECT_DOUBLE_EQ(a.predict_den, 100);
  const Leaf& b = c.leaves[1];
  EXPECT_DOUBLE_EQ(b.predict, 30 / 4.0);
  EXPECT_DOUBLE_EQ(b.predict_den, 60 / 4.0);
  ASSERT_EQ(c.truth.size(), 1u);
  EXPECT_EQ(c.truth[0].Canonical(), "bitrate=2000&p2p=1");
}

TEST(RobustSpotLoader, ClearErrors) {
  ScratchDir dir;
  EXPECT_NE(ErrorOf(dir.path(), "robustspot").find("anomaly.yaml: missing"), std::string::npos);
  dir.Write("anomaly.yaml", "- data: nofile\n  timestamp: 60\n  cause: {'a':1}\n");
  const std::string missing = ErrorOf(dir.path(), "robustspot");
  EXPECT_NE(missing.find("nofile.csv"), std::string::npos) << missing;
  EXPECT_NE(missing.find("anomaly.yaml:1"), std::string::npos) << missing;
  dir.Write("nofile.csv", "min,value,cnt,b\n0,1,2,x\n60,1,2,x\n");
  const std::string dim = ErrorOf(dir.path(), "robustspot");
  EXPECT_NE(dim.find("dimension 'a'"), std::string::npos) << dim;
  dir.Write("nofile.csv", "min,value,cnt,a\n0,1,2,x\n60,oops,2,x\n");
  const std::string bad = ErrorOf(dir.path(), "robustspot");
  EXPECT_NE(bad.find("nofile.csv:3:"), std::string::npos) << bad;
  EXPECT_NE(bad.find("value"), std::string::npos) << bad;
  dir.Write("anomaly.yaml", "- data: nofile\n  timestamp: 60\n  cause: {'a':1\n");
  EXPECT_NE(ErrorOf(dir.path(), "robustspot").find("anomaly.yaml:3:"), std::string::npos);
  dir.Write("anomaly.yaml", "- data: nofile\n  timestamp: 6x\n  cause: {'a':1}\n");
  EXPECT_NE(ErrorOf(dir.path(), "robustspot").find("not an integer"), std::string::npos);
}

TEST(SqueezeLoader, ReadsByHeaderNameAndOnlyLabelledRows) {
  ScratchDir dir;
  dir.Write("injection_info.csv", "kind,set,timestamp\nx,\"a=a1&b=b2;a=a3\",100\ny,b=b1,200\n");
  dir.Write("100.csv", "a,b,real,predict\na1,b2,5,10\na3,b1,1,1\na1,b2,1,1\n");
  dir.Write("200.csv", "predict,b,real\n4,b1,2\n");
  dir.Write("300.csv", "not,a,case\n1,2,3\n");  // unlabelled: ignored
  const auto cases = LoadCases(dir.path(), "auto");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_FALSE(cases[0].ratio);
  EXPECT_EQ(cases[0].name, "100");
  ASSERT_EQ(cases[0].leaves.size(), 2u);  // duplicate rows of a leaf are summed
  EXPECT_DOUBLE_EQ(cases[0].leaves[0].real, 6);
  EXPECT_DOUBLE_EQ(cases[0].leaves[0].predict, 11);
  EXPECT_EQ(FormatElementSet(cases[0].truth), "a=a1&b=b2;a=a3");
  EXPECT_EQ(cases[1].dims, std::vector<std::string>{"b"});
}

TEST(SqueezeLoader, ClearErrors) {
  ScratchDir dir;
  EXPECT_NE(ErrorOf(dir.path(), "squeeze").find("injection_info.csv"), std::string::npos);
  dir.Write("injection_info.csv", "timestamp,set\n100,a=a1\n");
  EXPECT_NE(ErrorOf(dir.path(), "squeeze").find("100.csv"), std::string::npos);
  dir.Write("100.csv", "a,real\na1,3\n");
  EXPECT_NE(ErrorOf(dir.path(), "squeeze").find("predict"), std::string::npos);
  dir.Write("100.csv", "a,real,predict\na1,3,4\n");
  dir.Write("injection_info.csv", "timestamp,set\n100,a\n");
  const std::string set = ErrorOf(dir.path(), "squeeze");
  EXPECT_NE(set.find("injection_info.csv:2: column 'set'"), std::string::npos) << set;
  dir.Write("injection_info.csv", "timestamp,set\n100,z=1\n");
  EXPECT_NE(ErrorOf(dir.path(), "squeeze").find("dimension 'z'"), std::string::npos);
  dir.Write("injection_info.csv", "time,set\n100,a=a1\n");
  EXPECT_NE(ErrorOf(dir.path(), "squeeze").find("timestamp"), std::string::npos);
}

TEST(CaseLoaders, UnknownFormatAndEmptyFolder) {
  ScratchDir dir;
  EXPECT_NE(ErrorOf(dir.path(), "csv").find("unknown case format 'csv'"), std::string::npos);
  EXPECT_NE(ErrorOf(dir.path(), "auto").find("neither anomaly.yaml"), std::string::npos);
  EXPECT_NE(ErrorOf(dir.path() / "nope", "auto").find("not a folder"), std::string::npos);
}

}  // namespace
}  // namespace cf::diagnosis
