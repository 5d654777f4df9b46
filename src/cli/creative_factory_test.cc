// The creative factory run directly: parallel renders, hooks, cancellation and failure.
#include "cli/creative_factory.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "render/render_error.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

class CreativeFactory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf_factory_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    run_.product.title = "Camp chair";
    run_.product.price = 59;
    run_.product.facts = {"weighs 900 g"};
    run_.lang = "en";
    run_.axes.templates = {"outdoor_camping", "gym", "beach_holiday"};
    run_.axes.durations = {1};
    run_.axes.voices = {""};
    run_.render.width = 96;
    run_.render.height = 160;
    run_.render.fps = 5;
    run_.out_dir = (dir_ / "out").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<fs::path> PartFiles() const {
    std::vector<fs::path> out;
    if (!fs::exists(run_.out_dir)) return out;
    for (const auto& f : fs::directory_iterator(run_.out_dir)) {
      if (f.path().extension() == ".part") out.push_back(f.path());
    }
    return out;
  }

  fs::path dir_;
  FactoryRun run_;
};

TEST_F(CreativeFactory, ParallelRendersKeepPlanOrderAndCallHooksOneAtATime) {
  run_.n = 5;
  run_.jobs = 3;
  std::atomic<int> inside{0};
  bool overlapped = false;
  std::vector<double> fractions;
  std::vector<size_t> finished;
  int lines = 0;
  FactoryHooks hooks;
  hooks.progress = [&](double f, size_t done, size_t n) {
    overlapped |= inside.fetch_add(1) != 0;
    EXPECT_EQ(n, 5u);
    fractions.push_back(f);
    finished.push_back(done);
    inside.fetch_sub(1);
  };
  hooks.done = [&](const std::string& line) {
    overlapped |= inside.fetch_add(1) != 0;
    EXPECT_EQ(line.rfind("made variant-0", 0), 0u) << line;
    ++lines;
    inside.fetch_sub(1);
  };
  const auto manifest = RunFactory(run_, hooks);
  ASSERT_EQ(manifest.size(), 5u);
  for (size_t i = 0; i < manifest.size(); ++i) {
    EXPECT_EQ(manifest[i]["file"], fmt::format("variant-{:02d}.mp4", i + 1));
    EXPECT_GT(fs::file_size(fs::path(run_.out_dir) / manifest[i]["file"].get<std::string>()),
              1000u);
  }
  EXPECT_EQ(lines, 5);
  EXPECT_FALSE(overlapped) << "hooks were called concurrently";
  ASSERT_FALSE(fractions.empty());
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_TRUE(std::is_sorted(finished.begin(), finished.end()));
  for (size_t i = 1; i < fractions.size(); ++i) {
    EXPECT_TRUE(fractions[i] > fractions[i - 1] || finished[i] > finished[i - 1])
        << "a progress call with no news at " << i;
  }
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  EXPECT_EQ(finished.back(), 5u);
  EXPECT_TRUE(PartFiles().empty());
  // The same plan rendered one at a time names the same variants in the same order.
  run_.jobs = 1;
  run_.out_dir = (dir_ / "serial").string();
  const auto serial = RunFactory(run_);
  ASSERT_EQ(serial.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(serial[i]["hook_text"], manifest[i]["hook_text"]);
    EXPECT_EQ(serial[i]["template"], manifest[i]["template"]);
  }
  EXPECT_EQ(FactoryJobs(run_), 1u);
  run_.jobs = 0;
  EXPECT_GE(FactoryJobs(run_), 1u);
  run_.jobs = -1;
  EXPECT_THROW(RunFactory(run_), std::invalid_argument);
}

TEST_F(CreativeFactory, CancelledRunFinishesTheVariantsUnderWayAndListsThem) {
  run_.n = 6;
  run_.jobs = 2;
  size_t done = 0;
  FactoryHooks hooks;
  hooks.done = [&](const std::string&) { ++done; };
  hooks.cancelled = [&] { return done >= 1; };
  const auto manifest = RunFactory(run_, hooks);
  EXPECT_GE(manifest.size(), 1u);
  EXPECT_LE(manifest.size(), 3u);  // the first, and at most the two started beside it
  EXPECT_EQ(manifest.size(), done);
  const auto on_disk =
      nlohmann::json::parse(std::ifstream(fs::path(run_.out_dir) / "manifest.json"));
  EXPECT_EQ(on_disk, manifest);
  size_t videos = 0;
  for (const auto& f : fs::directory_iterator(run_.out_dir))
    videos += f.path().extension() == ".mp4";
  EXPECT_EQ(videos, manifest.size());
  EXPECT_TRUE(PartFiles().empty());
}

TEST_F(CreativeFactory, AFailingRenderStopsTheRunWithItsError) {
  run_.n = 4;
  run_.jobs = 2;
  const fs::path bad = dir_ / "music.mp3";
  std::ofstream(bad) << "not audio";
  run_.render.music_file = bad.string();
  try {
    RunFactory(run_);
    FAIL() << "rendered with a corrupt music file";
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("music.mp3"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(PartFiles().empty());
  EXPECT_FALSE(fs::exists(fs::path(run_.out_dir) / "manifest.json"));
}

}  // namespace
}  // namespace cf
