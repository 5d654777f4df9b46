// Creatives (素材): one short video or image ad for one product, described by the attributes a
// platform can observe. Hidden quality lives only in the market. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"

namespace cf {

enum class Scene : uint8_t {
  kNone = 0,
  kOfficeCommute,
  kOutdoorCamping,
  kBeachHoliday,
  kHomeCooking,
  kGym,
  kSkincareRoutine,
  kParty,
  kNewBaby,
  kPetCare,
  kColdAndFlu,
  kBackToSchool,
  kHolidayFeast,
};
inline constexpr int kNumScenes = 13;
std::string_view SceneName(Scene s);
// The scene named `name` (as SceneName writes it), or nullopt.
std::optional<Scene> FindScene(std::string_view name);
std::string_view SceneNameZh(Scene s);

enum class HookStyle : uint8_t { kQuestion = 0, kPainPoint, kPriceShock, kScene, kSocialProof };
inline constexpr int kNumHookStyles = 5;
std::string_view HookStyleName(HookStyle h);

struct Creative {
  CreativeId id = kNoId;
  ProductId product = kNoId;
  Scene scene = Scene::kNone;  // the template's scene
  HookStyle hook = HookStyle::kQuestion;
  std::vector<std::string> selling_points;
  uint16_t duration_s = 15;
  std::string music;  // style name, e.g. "upbeat"
  std::string voice;  // "", "zh-female", "en-male", ...
  std::string lang = "zh";
  std::string media_path;  // rendered file, empty until rendered
  uint32_t created_day = 0;
  // Observable attributes set by the creative factory (src/creative, src/render); defaults mean
  // "not made by the factory".
  std::string template_name;        // scene template, e.g. "outdoor_camping"
  uint8_t selling_point_order = 0;  // rotation of the product's selling points (0 = as listed)
  uint16_t width = 0, height = 0;   // rendered frame size; 0 until rendered
  uint16_t music_bpm = 0;           // background music tempo
  std::string hook_text;            // the hook line shown and spoken in the first seconds
  std::string thumbnail_path;       // PNG of the hook frame, empty until rendered
  std::string script_path;          // the script as JSON, empty until written
};

}  // namespace cf
