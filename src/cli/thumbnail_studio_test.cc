// The background studio of `chengfang run`: scripts and thumbnails for the loop's creatives, made
// once per set of attributes, with errors reported per creative.
#include "cli/thumbnail_studio.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "creative/test_catalogue.h"
#include "render/media_probe.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

Creative Variant(ProductId p, HookStyle hook, Scene scene, CreativeId id) {
  Creative c;
  c.id = id;
  c.product = p;
  c.hook = hook;
  c.scene = scene;
  c.lang = "zh";
  c.duration_s = 15;
  return c;
}

TEST(ThumbnailStudio, MakesEachCreativesScriptAndThumbnailOnceAndReportsFailures) {
  const fs::path dir = fs::temp_directory_path() / "cf_thumbnail_studio_test";
  fs::remove_all(dir);
  const Catalogue cat = OneCategoryCatalogue(2);
  ThumbnailStudio studio(cat, {.out_dir = dir, .thumb_width = 72, .thumb_height = 128});
  const Creative a = Variant(0, HookStyle::kPriceShock, Scene::kOutdoorCamping, 1);
  Creative same = a;  // the same variant in the other run: another id, the same media
  same.id = 9;
  same.created_day = 3;
  const Creative plain = Variant(1, HookStyle::kQuestion, Scene::kNone, 2);
  const Creative unknown = Variant(7, HookStyle::kQuestion, Scene::kNone, 3);
  for (const Creative& c : {a, same, plain, unknown}) studio.Submit(c);
  studio.Finish();
  EXPECT_EQ(studio.Progress(), (std::pair<size_t, size_t>{3, 3}));
  EXPECT_THROW(studio.Submit(a), std::logic_error);

  const CreativeMedia ma = studio.Media(a);
  EXPECT_TRUE(ma.error.empty()) << ma.error;
  EXPECT_EQ(ma.template_name, "outdoor_camping");
  EXPECT_FALSE(ma.hook_text.empty());
  EXPECT_TRUE(ma.video.empty());
  ASSERT_TRUE(fs::exists(dir / ma.thumbnail)) << ma.thumbnail;
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / ma.thumbnail).c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(cairo_image_surface_get_width(png), 72);
  EXPECT_EQ(cairo_image_surface_get_height(png), 128);
  cairo_surface_destroy(png);
  std::ifstream script(dir / ma.script);
  const nlohmann::json sj = nlohmann::json::parse(script);
  EXPECT_EQ(sj["template"], "outdoor_camping");
  EXPECT_EQ(sj["lang"], "zh");

  const CreativeMedia msame = studio.Media(same);
  EXPECT_EQ(msame.thumbnail, ma.thumbnail) << "same attributes, same files";
  const CreativeMedia mp = studio.Media(plain);
  EXPECT_EQ(mp.template_name, "studio") << "the plain product video's template";
  EXPECT_NE(mp.thumbnail, ma.thumbnail);
  EXPECT_TRUE(fs::exists(dir / mp.thumbnail));

  const CreativeMedia mu = studio.Media(unknown);
  EXPECT_TRUE(mu.thumbnail.empty());
  EXPECT_NE(mu.error.find("product 7"), std::string::npos) << mu.error;
  EXPECT_TRUE(studio.Media(Variant(1, HookStyle::kScene, Scene::kGym, 4)).thumbnail.empty())
      << "never submitted";
  // Only whole files: two creatives' PNG and script each, no temporaries.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "creatives")) {
    EXPECT_EQ(e.path().string().find(".part"), std::string::npos) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 4u);
  fs::remove_all(dir);
}

// --creative-videos: each creative's video too, beside its (small) thumbnail.
TEST(ThumbnailStudio, RendersTheVideoWhenAsked) {
  const fs::path dir = fs::temp_directory_path() / "cf_thumbnail_studio_video_test";
  fs::remove_all(dir);
  const Catalogue cat = OneCategoryCatalogue(2);
  ThumbnailStudio studio(cat, {.out_dir = dir,
                               .thumb_width = 72,
                               .thumb_height = 128,
                               .videos = true,
                               .video_width = 64,
                               .video_height = 112});
  Creative c = Variant(0, HookStyle::kScene, Scene::kGym, 1);
  c.duration_s = 2;
  studio.Submit(c);
  studio.Finish();
  const CreativeMedia m = studio.Media(c);
  ASSERT_TRUE(m.error.empty()) << m.error;
  ASSERT_FALSE(m.video.empty());
  const MediaInfo info = ProbeMedia(dir / m.video);
  EXPECT_EQ(info.video_codec, "h264");
  EXPECT_EQ(info.width, 64);
  EXPECT_EQ(info.height, 112);
  EXPECT_NEAR(info.duration_s, 2.0, 0.2);
  EXPECT_TRUE(fs::exists(dir / m.thumbnail));
  fs::remove_all(dir);
}

TEST(ThumbnailStudio, AnUnwritableFolderIsRefusedWithItsName) {
  const Catalogue cat = OneCategoryCatalogue(2);
  const fs::path file = fs::temp_directory_path() / "cf_thumbnail_studio_file";
  std::ofstream(file) << "a file, not a folder";
  try {
    ThumbnailStudio studio(cat, {.out_dir = file});
    FAIL() << "made a studio under a file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cf_thumbnail_studio_file"), std::string::npos)
        << e.what();
  }
  fs::remove(file);
}

}  // namespace
}  // namespace cf
