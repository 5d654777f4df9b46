// Creatives (素材): one short video or image ad for one product, described by the attributes a
// platform can observe. Hidden quality lives only in the market. Plain data.
#pragma once

#include <cstdint>
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
};

}  // namespace cf
