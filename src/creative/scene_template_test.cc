#include "creative/scene_template.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "creative/creative_data.h"

namespace cf {
namespace {

nlohmann::json Camping() {
  return nlohmann::json::parse(std::ifstream(CreativeDataDir() / "templates/outdoor_camping.json"));
}

std::string ErrorOf(const nlohmann::json& j) {
  try {
    ParseSceneTemplate(j, "t.json", "outdoor_camping");
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

TEST(SceneTemplate, ShippedTemplatesCoverTheRequiredScenes) {
  const auto lib = TemplateLibrary::LoadDefault();
  for (Scene s :
       {Scene::kOfficeCommute, Scene::kOutdoorCamping, Scene::kBeachHoliday, Scene::kHomeCooking,
        Scene::kGym, Scene::kSkincareRoutine, Scene::kParty, Scene::kNewBaby}) {
    EXPECT_NE(lib.ForScene(s), nullptr) << SceneName(s);
  }
  const SceneTemplate& t = lib.Find("camping");
  EXPECT_EQ(t.name, "outdoor_camping");
  EXPECT_EQ(t.music.style, "acoustic");
  EXPECT_EQ(t.music.tempo_bpm, 96);
  EXPECT_EQ(t.music.key, 7);  // G
  EXPECT_LE(t.pacing.hook_s, 3.0);
  EXPECT_FALSE(t.transitions.empty());
  EXPECT_NEAR(t.colors.accent.r, 0xe4 / 255.0, 1e-9);
  std::set<std::string> styles;
  for (const auto& x : lib.all()) styles.insert(x.music.style);
  EXPECT_GE(styles.size(), 6u) << "templates should sound different";
}

TEST(SceneTemplate, UnknownNameListsTheAvailableOnes) {
  const auto lib = TemplateLibrary::LoadDefault();
  try {
    lib.Find("moon_landing");
    FAIL();
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("outdoor_camping"), std::string::npos) << e.what();
  }
}

TEST(SceneTemplate, StrictLoadingNamesTheKey) {
  EXPECT_EQ(ErrorOf(Camping()), "");
  auto j = Camping();
  j["colors"].erase("accent");
  EXPECT_NE(ErrorOf(j).find("colors.accent is missing"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["colors"]["text"] = "white";
  EXPECT_NE(ErrorOf(j).find("colors.text must be a colour"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["motion"]["zoom"] = 2;
  EXPECT_NE(ErrorOf(j).find("motion.zoom is not a known key"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["transitions"] = {"fade", "spin"};
  EXPECT_NE(ErrorOf(j).find("unknown value \"spin\""), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["music"]["tempo_bpm"] = 500;
  EXPECT_NE(ErrorOf(j).find("music.tempo_bpm must be in [40, 200]"), std::string::npos)
      << ErrorOf(j);
  j = Camping();
  j["music"]["style"] = "polka";
  EXPECT_NE(ErrorOf(j).find("polka"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["pacing"]["hook_s"] = 5;
  EXPECT_NE(ErrorOf(j).find("pacing.hook_s"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["pacing"]["proof"] = 0.5;
  EXPECT_NE(ErrorOf(j).find("must sum to 1"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["name"] = "other";
  EXPECT_NE(ErrorOf(j).find("must equal the file name"), std::string::npos) << ErrorOf(j);
  j = Camping();
  j["scene"] = "moon";
  EXPECT_NE(ErrorOf(j).find("scene has unknown value"), std::string::npos) << ErrorOf(j);
  EXPECT_NE(ErrorOf(nlohmann::json::array()).find("must be a JSON object"), std::string::npos);
}

TEST(SceneTemplate, FolderErrors) {
  const auto dir = std::filesystem::temp_directory_path() / "cf_template_test";
  std::filesystem::remove_all(dir);
  EXPECT_THROW(TemplateLibrary::LoadDir(dir), TemplateError);
  std::filesystem::create_directories(dir);
  EXPECT_THROW(TemplateLibrary::LoadDir(dir), TemplateError);  // no *.json
  std::ofstream(dir / "broken.json") << "{ not json";
  try {
    TemplateLibrary::LoadDir(dir);
    FAIL();
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.json is not valid JSON"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(dir / "broken.json");
  auto a = Camping();
  std::ofstream(dir / "outdoor_camping.json") << a.dump();
  a["name"] = "camping2";
  std::ofstream(dir / "camping2.json") << a.dump();  // same aliases
  try {
    TemplateLibrary::LoadDir(dir);
    FAIL();
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("already used"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cf
