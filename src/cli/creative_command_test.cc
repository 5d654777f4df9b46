// End to end: `chengfang creative make` parsed by CLI11 exactly as main.cc does, rendering tiny
// videos and reading them back.
#include "cli/creative_command.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "render/media_probe.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

struct Result {
  int rc = -1;
  std::string out, err;
};

Result RunCli(std::vector<std::string> args) {
  CLI::App app{"test"};
  std::ostringstream out, err;
  AddCreativeCommand(app, out, err);
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
  Result r;
  try {
    app.parse(args);
    r.rc = 0;
  } catch (const CLI::ParseError& e) {
    r.rc = e.get_exit_code();
    if (r.rc != 0 && e.get_name() != "RuntimeError") err << e.what();
  }
  r.out = out.str();
  r.err = err.str();
  return r;
}

class CreativeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf_creative_cli_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Png(const std::string& name) {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, 260);
    cairo_t* cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.2, 0.6, 0.3);
    cairo_paint(cr);
    cairo_destroy(cr);
    const fs::path p = dir_ / name;
    cairo_surface_write_to_png(s, p.c_str());
    cairo_surface_destroy(s);
    return p;
  }
  fs::path dir_;
};

TEST_F(CreativeCli, MakesVariantsWithAManifest) {
  const std::string imgs = Png("a.png").string() + "," + Png("b.png").string();
  const fs::path out = dir_ / "out";
  const Result r = RunCli({"creative",   "make",       "--images", imgs, "--title",    "Camp chair",
                           "--price",    "59",         "--coupon", "10", "--template", "camping",
                           "--lang",     "en",         "-n",       "3",  "--size",     "96x160",
                           "--duration", "1",          "--fps",    "5",  "--voice",    "en-female",
                           "--out",      out.string(), "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto manifest = nlohmann::json::parse(r.out);
  ASSERT_EQ(manifest.size(), 3u);
  std::set<std::string> hooks;
  for (const auto& e : manifest) {
    for (const char* key : {"file", "duration_s", "width", "height", "template", "hook", "lang"}) {
      EXPECT_TRUE(e.contains(key)) << key;
    }
    EXPECT_EQ(e["template"], "outdoor_camping");
    EXPECT_EQ(e["lang"], "en");
    EXPECT_EQ(e["width"], 96);
    EXPECT_EQ(e["height"], 160);
    hooks.insert(e["hook"].get<std::string>());
    const fs::path video = out / e["file"].get<std::string>();
    const MediaInfo m = ProbeMedia(video);
    EXPECT_EQ(m.width, 96);
    EXPECT_EQ(m.height, 160);
    EXPECT_EQ(m.video_codec, "h264");
    EXPECT_EQ(m.audio_codec, "aac");
    EXPECT_NEAR(m.duration_s, 1.0, 0.15);
    EXPECT_TRUE(fs::exists(out / e["thumbnail"].get<std::string>()));
    const auto script = nlohmann::json::parse(std::ifstream(out / e["script"].get<std::string>()));
    EXPECT_EQ(script["lines"][0]["part"], "hook");
  }
  EXPECT_EQ(hooks.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(out / "manifest.json")), manifest);
  for (const auto& f : fs::directory_iterator(out)) {
    EXPECT_NE(f.path().extension(), ".part") << f.path();
  }
}

TEST_F(CreativeCli, NoImagesHorizontalChineseAndScriptsOnly) {
  const fs::path out = dir_ / "out";
  Result r =
      RunCli({"creative", "make",     "--title", "保温杯", "--price", "39.9",       "-n",
              "2",        "--aspect", "16:9",    "--size", "128x72",  "--duration", "1",
              "--fps",    "4",        "--voice", "none",   "--out",   out.string(), "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto manifest = nlohmann::json::parse(r.out);
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_NE(manifest[0]["template"], manifest[1]["template"]) << "default: vary templates";
  EXPECT_EQ(ProbeMedia(out / manifest[0]["file"].get<std::string>()).width, 128);
  r = RunCli({"creative", "make", "--title", "保温杯", "--price", "39.9", "-n", "20", "--no-render",
              "--out", (dir_ / "scripts").string(), "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  manifest = nlohmann::json::parse(r.out);
  ASSERT_EQ(manifest.size(), 20u);
  std::set<std::string> texts;
  for (const auto& e : manifest) texts.insert(e["hook_text"].get<std::string>());
  EXPECT_EQ(texts.size(), 20u);
}

TEST_F(CreativeCli, CatalogueProductScriptsOnly) {
  const Result r = RunCli({"creative", "make", "--product", "0", "-n", "2", "--lang", "en",
                           "--no-render", "--out", (dir_ / "p").string(), "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto manifest = nlohmann::json::parse(r.out);
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(manifest[0]["product"], 0);
  EXPECT_GE(manifest[0]["selling_points"].size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "p" / manifest[1]["script"].get<std::string>()));
  const Result bad = RunCli({"creative", "make", "--product", "999999999", "--no-render", "--out",
                             (dir_ / "p").string()});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find("no product 999999999"), std::string::npos) << bad.err;
}

TEST_F(CreativeCli, ClearErrors) {
  const fs::path out = dir_ / "out";
  const fs::path bad = dir_ / "bad.png";
  std::ofstream(bad) << "garbage";
  Result r = RunCli({"creative", "make", "--images", bad.string(), "--title", "X", "--price", "5",
                     "-n", "1", "--size", "64x64", "--duration", "1", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("bad.png"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(out)) << "a failed render must leave no file";
  r = RunCli({"creative", "make", "--price", "5", "--out", out.string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("--title"), std::string::npos) << r.err;
  r = RunCli({"creative", "make", "--title", "X", "--price", "5", "--template", "moon", "--out",
              out.string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("available: "), std::string::npos) << r.err;
  r = RunCli({"creative", "make", "--title", "X", "--price", "5", "--aspect", "4:3", "--out",
              out.string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("--aspect"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cf
