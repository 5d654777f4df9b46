#include "common/atomic_file.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>

namespace cf {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("cf_atomic_file_test_{}_{}", ::getpid(), std::random_device{}());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Files in dir_ other than `keep`.
  int Others(const fs::path& keep) const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) n += e.path() != keep;
    return n;
  }
  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplacesWholeFiles) {
  const fs::path p = dir_ / "a.json";
  WriteFileAtomic(p, "first\n");
  EXPECT_EQ(Read(p), "first\n");
  const std::string big(3 << 20, 'x');
  WriteFileAtomic(p, big);
  EXPECT_EQ(Read(p), big);
  WriteFileAtomic(p, "");
  EXPECT_EQ(Read(p), "");
  EXPECT_EQ(Others(p), 0);  // no temporary left behind
}

TEST_F(AtomicFileTest, AFailedWriteNamesThePathAndLeavesTheOldFile) {
  // The target is a non-empty directory: the temporary is written, the rename fails.
  const fs::path target = dir_ / "report.html";
  fs::create_directories(target / "inside");
  try {
    WriteFileAtomic(target, "new");
    FAIL() << "writing over a directory succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_directory(target / "inside"));
  EXPECT_EQ(Others(target), 0);  // the temporary was removed

  // A folder that does not exist: nothing is created.
  const fs::path missing = dir_ / "no-such-folder" / "summary.json";
  try {
    WriteFileAtomic(missing, "x");
    FAIL() << "writing into a missing folder succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(missing.parent_path()));

  EXPECT_THROW(WriteFileAtomic(dir_ / "", "x"), std::runtime_error);  // not a file path
}

}  // namespace
}  // namespace cf
