#include "common/creative.h"

namespace cf {

std::string_view SceneName(Scene s) {
  switch (s) {
    case Scene::kNone:
      return "none";
    case Scene::kOfficeCommute:
      return "office_commute";
    case Scene::kOutdoorCamping:
      return "outdoor_camping";
    case Scene::kBeachHoliday:
      return "beach_holiday";
    case Scene::kHomeCooking:
      return "home_cooking";
    case Scene::kGym:
      return "gym";
    case Scene::kSkincareRoutine:
      return "skincare_routine";
    case Scene::kParty:
      return "party";
    case Scene::kNewBaby:
      return "new_baby";
    case Scene::kPetCare:
      return "pet_care";
    case Scene::kColdAndFlu:
      return "cold_and_flu";
    case Scene::kBackToSchool:
      return "back_to_school";
    case Scene::kHolidayFeast:
      return "holiday_feast";
  }
  return "?";
}

std::optional<Scene> FindScene(std::string_view name) {
  for (int s = 0; s < kNumScenes; ++s) {
    if (SceneName(static_cast<Scene>(s)) == name) return static_cast<Scene>(s);
  }
  return std::nullopt;
}

std::string_view SceneNameZh(Scene s) {
  switch (s) {
    case Scene::kNone:
      return "无";
    case Scene::kOfficeCommute:
      return "通勤";
    case Scene::kOutdoorCamping:
      return "露营";
    case Scene::kBeachHoliday:
      return "海边度假";
    case Scene::kHomeCooking:
      return "居家做饭";
    case Scene::kGym:
      return "健身";
    case Scene::kSkincareRoutine:
      return "护肤";
    case Scene::kParty:
      return "派对";
    case Scene::kNewBaby:
      return "新生宝宝";
    case Scene::kPetCare:
      return "养宠";
    case Scene::kColdAndFlu:
      return "感冒季";
    case Scene::kBackToSchool:
      return "开学季";
    case Scene::kHolidayFeast:
      return "节日大餐";
  }
  return "?";
}

std::string_view HookStyleName(HookStyle h) {
  switch (h) {
    case HookStyle::kQuestion:
      return "question";
    case HookStyle::kPainPoint:
      return "pain_point";
    case HookStyle::kPriceShock:
      return "price_shock";
    case HookStyle::kScene:
      return "scene";
    case HookStyle::kSocialProof:
      return "social_proof";
  }
  return "?";
}

}  // namespace cf
