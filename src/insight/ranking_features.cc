#include "insight/ranking_features.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/random.h"

namespace cf {
namespace {

// Feature namespaces (part of the hash: changing one changes every learned weight).
enum Ns : uint32_t {
  kChannel = 1,
  kProduct,
  kProductChannel,
  kCategoryChannel,
  kDepartmentChannel,
  kPositionChannel,
  kHourChannel,
  kPriceChannel,
  kPriceCategory,
  kShareChannel,
  kRankChannel,
  kShareCategory,
  kCategoryRecencyChannel,
  kCategoryRecencyShare,
  kProductRecencyKind,
  kProductKindChannel,
  kUserAds,
  kUserAdsChannel,
  kUserCategory,
  kUser,
  kUserChannel,
  kAdFrequencyRecency,
  kAdFrequencyChannel,
  kExposureChannel,
};

uint8_t Kind(EventType t) {
  switch (t) {
    case EventType::kOrganicView:
    case EventType::kSearch:
      return 1;
    case EventType::kLike:
    case EventType::kComment:
    case EventType::kShare:
    case EventType::kFollow:
      return 2;
    case EventType::kClick:
      return 3;
    case EventType::kAddToCart:
      return 4;
    case EventType::kPurchase:
      return 5;
    default:
      return 0;
  }
}

int CountBucket(int n, std::initializer_list<int> edges) {
  int b = 0;
  for (int e : edges) {
    if (n >= e) ++b;
  }
  return b;
}

// An empty slot if there is one, else the least recently touched.
template <class Slots, class IsFree>
auto FreeOrOldest(Slots& slots, IsFree is_free) {
  auto it = std::find_if(slots.begin(), slots.end(), is_free);
  if (it != slots.end()) return it;
  return std::min_element(slots.begin(), slots.end(),
                          [](const auto& a, const auto& b) { return a.minute < b.minute; });
}

}  // namespace

uint32_t HashFeature(uint32_t ns, uint64_t a, uint64_t b) {
  const uint64_t h = Mix64(Mix64((uint64_t{ns} << 40) ^ a) ^ (b * 0x9e3779b97f4a7c15ULL));
  const uint32_t f = static_cast<uint32_t>(h >> 32);
  return f == 0 ? 1 : f;
}

int RankingFeatures::RecencyBucket(int64_t minutes_ago) {
  if (minutes_ago < 0) return 0;
  static constexpr int64_t kEdges[] = {10, 60, 360, 1440, 3 * 1440, 7 * 1440, 30 * 1440};
  int b = 1;
  for (int64_t e : kEdges) {
    if (minutes_ago >= e) ++b;
  }
  return b;
}

int RankingFeatures::ShareBucket(double share) {
  if (!(share > 0)) return 0;
  return 1 + std::min(8, static_cast<int>(std::floor(-std::log2(std::min(1.0, share)))));
}

int RankingFeatures::PriceBand(double price_units) {
  if (!(price_units > 0)) return 0;
  return std::clamp(static_cast<int>(std::floor(2 * std::log2(price_units + 1))), 0, 24);
}

RankingFeatures::RankingFeatures(const Catalogue& catalogue, const UserAffinity& affinity)
    : catalogue_(catalogue), affinity_(affinity), product_shown_(catalogue.products.size(), 0) {}

RankingFeatures::UserMemory& RankingFeatures::Row(UserId u) {
  if (u >= users_.size()) users_.resize(std::max<size_t>(u + 1, users_.size() * 3 / 2));
  return users_[u];
}

void RankingFeatures::Observe(const Event& e) {
  if (e.user == kNoId) return;
  if (e.type == EventType::kImpression) {
    if (e.plan == kNoId) return;
    UserMemory& m = Row(e.user);
    if (m.ad_impressions < UINT16_MAX) ++m.ad_impressions;
    if (e.product >= product_shown_.size()) return;
    ++product_shown_[e.product];
    auto ad = std::find_if(m.ads.begin(), m.ads.end(),
                           [&](const RecentAd& r) { return r.product == e.product; });
    if (ad == m.ads.end()) {
      ad = FreeOrOldest(m.ads, [](const RecentAd& r) { return r.product == kNoId; });
      *ad = RecentAd{e.product, e.minute, 0};
    }
    ad->minute = std::max(ad->minute, e.minute);
    if (ad->shown < UINT16_MAX) ++ad->shown;
    return;
  }
  const uint8_t kind = Kind(e.type);
  if (kind == 0 || e.product == kNoId || e.product >= catalogue_.products.size()) return;
  UserMemory& m = Row(e.user);
  if (e.type == EventType::kClick && e.plan != kNoId && m.ad_clicks < UINT16_MAX) ++m.ad_clicks;
  const CategoryId c = catalogue_.products[e.product].category;
  // Update in place, else replace the least recent slot.
  auto cat = std::find_if(m.categories.begin(), m.categories.end(),
                          [c](const RecentCategory& r) { return r.category == c; });
  if (cat == m.categories.end()) {
    cat = FreeOrOldest(m.categories, [](const RecentCategory& r) { return r.category == kNoId; });
    *cat = RecentCategory{c, e.minute};
  } else {
    cat->minute = std::max(cat->minute, e.minute);
  }
  auto prod = std::find_if(m.products.begin(), m.products.end(),
                           [&](const RecentProduct& r) { return r.product == e.product; });
  if (prod == m.products.end()) {
    prod = FreeOrOldest(m.products, [](const RecentProduct& r) { return r.product == kNoId; });
    *prod = RecentProduct{e.product, e.minute, kind};
  } else {
    prod->minute = std::max(prod->minute, e.minute);
    prod->kind = std::max(prod->kind, kind);
  }
}

RankingFeatures::Context RankingFeatures::ContextOf(const Opportunity& opp) const {
  Context c;
  const uint64_t ch = static_cast<uint64_t>(opp.channel);
  const uint64_t hour = (opp.minute % kMinutesPerDay) / 60;
  const uint64_t pos = std::min<uint64_t>(opp.position, 15);
  uint64_t user_ads = 0;
  if (opp.user < users_.size()) {
    const UserMemory& m = users_[opp.user];
    user_ads = static_cast<uint64_t>(CountBucket(m.ad_impressions, {1, 3, 10, 30, 100}) * 8 +
                                     CountBucket(m.ad_clicks, {1, 2, 4, 10}));
  }
  const uint64_t user = opp.user;
  c.features = {0,
                HashFeature(kChannel, ch),
                HashFeature(kPositionChannel, pos, ch),
                HashFeature(kHourChannel, hour, ch),
                HashFeature(kUserAds, user_ads),
                HashFeature(kUserAdsChannel, user_ads, ch),
                HashFeature(kUser, user),
                HashFeature(kUserChannel, user, ch)};
  c.top_count = affinity_.Top(opp.user, UserAffinity::kSlots, c.top);
  return c;
}

RankingFeatures::Vector RankingFeatures::Extract(const Context& context, const Opportunity& opp,
                                                 ProductId product) const {
  const Product& p = catalogue_.products.at(product);
  const uint64_t ch = static_cast<uint64_t>(opp.channel);
  const uint64_t price = static_cast<uint64_t>(PriceBand(p.shelf_price.units()));
  const double share = affinity_.Share(opp.user, p.category);
  const uint64_t sb = static_cast<uint64_t>(ShareBucket(share));
  uint64_t rank = UserAffinity::kSlots;
  if (share > 0) {
    for (int i = 0; i < context.top_count; ++i) {
      if (context.top[i] == p.category) rank = static_cast<uint64_t>(i);
    }
  }
  uint64_t cat_recency = 0, prod_recency = 0, prod_kind = 0;
  uint64_t ad_shown = 0, ad_recency = 0;
  if (opp.user < users_.size()) {
    const UserMemory& m = users_[opp.user];
    for (const RecentCategory& r : m.categories) {
      if (r.category == p.category) {
        cat_recency = static_cast<uint64_t>(RecencyBucket(int64_t{opp.minute} - r.minute));
      }
    }
    for (const RecentProduct& r : m.products) {
      if (r.product == product) {
        prod_recency = static_cast<uint64_t>(RecencyBucket(int64_t{opp.minute} - r.minute));
        prod_kind = r.kind;
      }
    }
    for (const RecentAd& r : m.ads) {
      if (r.product == product) {
        ad_shown = static_cast<uint64_t>(CountBucket(r.shown, {1, 2, 3, 5, 10}));
        ad_recency = static_cast<uint64_t>(RecencyBucket(int64_t{opp.minute} - r.minute));
      }
    }
  }
  const uint64_t user = opp.user;
  const uint64_t exposure =
      product < product_shown_.size() ? std::bit_width(product_shown_[product] >> 4) : 0;
  const auto& u = context.features;
  return Vector{u[0],
                u[1],
                u[2],
                u[3],
                u[4],
                u[5],
                u[6],
                u[7],
                HashFeature(kProduct, product),
                HashFeature(kProductChannel, product, ch),
                HashFeature(kCategoryChannel, p.category, ch),
                HashFeature(kDepartmentChannel, p.department, ch),
                HashFeature(kPriceChannel, price, ch),
                HashFeature(kPriceCategory, price, p.category),
                HashFeature(kShareChannel, sb, ch),
                HashFeature(kRankChannel, rank, ch),
                HashFeature(kShareCategory, sb, p.category),
                HashFeature(kCategoryRecencyChannel, cat_recency, ch),
                HashFeature(kCategoryRecencyShare, cat_recency, sb),
                HashFeature(kProductRecencyKind, prod_recency, prod_kind),
                HashFeature(kProductKindChannel, prod_kind, ch),
                HashFeature(kUserCategory, user, p.category),
                HashFeature(kAdFrequencyRecency, ad_shown, ad_recency),
                HashFeature(kAdFrequencyChannel, ad_shown, ch),
                HashFeature(kExposureChannel, exposure, ch)};
}

}  // namespace cf
