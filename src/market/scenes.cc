#include "market/scenes.h"

#include <fmt/format.h>

#include <cmath>

namespace cf {

const std::vector<SceneNeed>& SceneNeeds() {
  using S = Scene;
  static const std::vector<SceneNeed> kNeeds = {
      {S::kOfficeCommute, "提神咖啡", "coffee", {"COFFEE"}},
      {S::kOfficeCommute, "便携早餐", "breakfast on the go", {"CONVENIENT BRKFST", "BAKED SWEET"}},
      {S::kOfficeCommute,
       "办公室零食",
       "desk snacks",
       {"BAG SNACKS", "CRACKERS", "CANDY - CHECKLANE"}},
      {S::kOutdoorCamping,
       "露营零食",
       "trail snacks",
       {"BAG SNACKS", "MEAT - SHELF STABLE", "NUTS"}},
      {S::kOutdoorCamping, "户外饮用水", "bottled water", {"WATER"}},
      {S::kOutdoorCamping, "急救用品", "first aid kit", {"FIRST AID"}},
      {S::kOutdoorCamping, "烧烤炭火", "charcoal and grilling", {"CHARCOAL", "SPRING/SUMMER"}},
      {S::kBeachHoliday, "防晒霜", "sunscreen", {"SUNTAN"}},
      {S::kBeachHoliday, "冰镇饮料", "cold drinks", {"SOFT DRINKS", "WATER - CARBONATED"}},
      {S::kBeachHoliday, "冰啤酒", "cold beer", {"BEERS"}},
      {S::kBeachHoliday, "夏日装备", "summer gear", {"SPRING/SUMMER SEASONAL"}},
      {S::kHomeCooking, "家常肉类", "meat for dinner", {"BEEF", "PORK", "CHICKEN"}},
      {S::kHomeCooking, "调味料", "spices and sauces", {"SPICES", "CONDIMENTS", "OIL/SHORTENING"}},
      {S::kHomeCooking,
       "主食",
       "rice, pasta and potatoes",
       {"DRY BN/VEG/POTATO/RICE", "PASTA", "VEGETABLES"}},
      {S::kHomeCooking, "厨房小工具", "kitchen gadgets", {"KITCHEN GADGETS"}},
      {S::kGym, "运动补剂", "vitamins and supplements", {"VITAMINS", "NUTRITION"}},
      {S::kGym, "健康饮品", "healthy drinks", {"REFRGRATD JUICES", "WATER"}},
      {S::kGym, "高蛋白零食", "protein snacks", {"YOGURT", "CHEESE"}},
      {S::kGym, "止汗露", "deodorant", {"DEODORANTS"}},
      {S::kSkincareRoutine,
       "控油洁面",
       "face cleanser for oily skin",
       {"HAND/BODY/FACIAL", "SOAP"}},
      {S::kSkincareRoutine, "彩妆护肤", "makeup and treatment", {"MAKEUP AND TREATMENT"}},
      {S::kSkincareRoutine, "护发", "hair care", {"HAIR CARE"}},
      {S::kSkincareRoutine, "沐浴用品", "bath products", {"BATH"}},
      {S::kParty, "派对零食", "party snacks", {"BAG SNACKS", "CANDY - PACKAGED", "COOKIES"}},
      {S::kParty, "酒水", "wine and beer", {"WINE", "LIQUOR", "BEERS"}},
      {S::kParty, "派对用品", "party supplies", {"GREETING CARDS/WRAP/PARTY", "CANDLES"}},
      {S::kParty, "蛋糕甜点", "cakes", {"CAKES", "ICE CREAM"}},
      {S::kNewBaby, "婴儿辅食", "baby food", {"BABY FOODS", "INFANT FORMULA"}},
      {S::kNewBaby, "纸尿裤", "diapers", {"DIAPERS", "BABY"}},
      {S::kPetCare, "狗粮", "dog food", {"DOG FOODS"}},
      {S::kPetCare, "猫粮", "cat food", {"CAT FOOD", "CAT LITTER"}},
      {S::kPetCare, "宠物用品", "pet supplies", {"PET CARE"}},
      {S::kColdAndFlu, "感冒药", "cold medicine", {"COLD AND FLU", "ANALGESICS"}},
      {S::kColdAndFlu, "热汤", "warm soup", {"SOUP"}},
      {S::kColdAndFlu, "纸巾", "tissues", {"FACIAL TISS"}},
      {S::kBackToSchool, "文具", "school supplies", {"STATIONERY"}},
      {S::kBackToSchool, "午餐便当", "school lunch", {"LUNCHMEAT", "BAKED BREAD", "PNT BTR"}},
      {S::kBackToSchool, "早餐麦片", "breakfast cereal", {"COLD CEREAL"}},
      {S::kHolidayFeast, "节日装饰", "holiday decorations", {"CHRISTMAS", "HALLOWEEN"}},
      {S::kHolidayFeast, "烘焙原料", "baking supplies", {"BAKING"}},
      {S::kHolidayFeast, "节日美酒", "holiday wine", {"DOMESTIC WINE", "IMPORTED WINE"}},
  };
  return kNeeds;
}

double SeasonalFactor(Scene s, int day_of_year) {
  // Peaks: beach/camping mid-summer, cold & flu mid-winter, back-to-school late August,
  // holiday feast late December. A cosine bump of width ~60 days around the peak.
  auto bump = [day_of_year](int peak, double height) {
    int d = std::abs(day_of_year - peak);
    d = std::min(d, 365 - d);
    return d > 60 ? 1.0 : 1.0 + height * 0.5 * (1 + std::cos(3.14159265 * d / 60.0));
  };
  switch (s) {
    case Scene::kBeachHoliday:
      return bump(200, 2.0);
    case Scene::kOutdoorCamping:
      return bump(190, 1.0);
    case Scene::kColdAndFlu:
      return bump(15, 2.0);
    case Scene::kBackToSchool:
      return bump(235, 2.5);
    case Scene::kHolidayFeast:
      return bump(355, 3.0);
    default:
      return 1.0;
  }
}

SceneIndex SceneIndex::Build(const Catalogue& catalogue) {
  SceneIndex idx;
  const auto& needs = SceneNeeds();
  idx.category_scenes.assign(catalogue.categories.size(), 0);
  idx.category_need.assign(catalogue.categories.size(), -1);
  idx.need_categories.assign(needs.size(), {});
  for (CategoryId c = 0; c < catalogue.categories.size(); ++c) {
    const std::string& name = catalogue.categories[c];
    for (size_t n = 0; n < needs.size(); ++n) {
      for (std::string_view kw : needs[n].category_keywords) {
        if (name.find(kw) != std::string::npos) {
          idx.category_scenes[c] |= static_cast<uint16_t>(1u << static_cast<int>(needs[n].scene));
          if (idx.category_need[c] < 0) idx.category_need[c] = static_cast<int16_t>(n);
          idx.need_categories[n].push_back(c);
          break;
        }
      }
    }
  }
  return idx;
}

std::string QueryText(const SceneNeed& need, bool zh, uint32_t variant) {
  if (zh) {
    switch (variant % 3) {
      case 0:
        return fmt::format("适合{}的{}", SceneNameZh(need.scene), need.zh);
      case 1:
        return fmt::format("{}推荐", need.zh);
      default:
        return fmt::format("{} {} 性价比", SceneNameZh(need.scene), need.zh);
    }
  }
  std::string scene(SceneName(need.scene));
  for (char& ch : scene) ch = ch == '_' ? ' ' : ch;
  switch (variant % 3) {
    case 0:
      return fmt::format("{} for {}", need.en, scene);
    case 1:
      return fmt::format("best {}", need.en);
    default:
      return fmt::format("cheap {} {}", need.en, scene);
  }
}

}  // namespace cf
