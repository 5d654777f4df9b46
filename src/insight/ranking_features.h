// The ranking models' features: for one (user, ad slot, product) at decision time, a fixed number
// of hashed binary feature indices (product, category, department, channel, slot position, hour
// of day, price band, the user's observed category affinity and its rank, recency of the user's
// last interaction with the category and with the product, how often and how recently the user
// was shown this product's ads, the product's total ad exposure, the user's ad click history,
// user x category, ...). Built only from the catalogue, the observed affinity table and the
// per-user memory kept here, which Observe updates from events (O(1) per event). Index 0 is the
// bias. Hashing is deterministic (no seeds, no pointers). Not thread-safe: Observe and Extract must
// not run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/catalogue.h"
#include "common/event.h"
#include "common/opportunity.h"
#include "insight/user_affinity.h"

namespace cf {

// Hashes (namespace, a, b) to a 32-bit feature index; never 0 (reserved for the bias).
uint32_t HashFeature(uint32_t ns, uint64_t a, uint64_t b = 0);

class RankingFeatures {
 public:
  static constexpr int kCount = 25;
  // The first kContextCount features depend only on the opportunity (user, channel, slot, hour),
  // not on the product: a scorer may sum their weights once per opportunity.
  static constexpr int kContextCount = 8;
  using Vector = std::array<uint32_t, kCount>;
  // What Extract needs of the opportunity alone, computed once for all of its candidates. Valid
  // until the next Observe.
  struct Context {
    std::array<uint32_t, kContextCount> features{};
    CategoryId top[UserAffinity::kSlots]{};  // the user's top categories, strongest first
    int top_count = 0;
  };

  RankingFeatures(const Catalogue& catalogue, const UserAffinity& affinity);

  // Records the user's interaction (views, engagement, clicks, carts, purchases; ad impressions
  // count towards the user's ad history only). Call before the affinity table sees the event.
  void Observe(const Event& e);
  Context ContextOf(const Opportunity& opp) const;
  // Features of showing `product` in `opp`; the first kContextCount are `context.features`.
  Vector Extract(const Context& context, const Opportunity& opp, ProductId product) const;
  Vector Extract(const Opportunity& opp, ProductId product) const {
    return Extract(ContextOf(opp), opp, product);
  }

  // Buckets, exposed for tests and docs.
  static int RecencyBucket(int64_t minutes_ago);  // 0 = never
  static int ShareBucket(double share);           // 0 = none
  static int PriceBand(double price_units);

 private:
  static constexpr int kRecent = 6;
  struct RecentCategory {
    CategoryId category = kNoId;
    SimMinute minute = 0;
  };
  struct RecentProduct {
    ProductId product = kNoId;
    SimMinute minute = 0;
    uint8_t kind = 0;  // strongest interaction: 1 view, 2 engage, 3 click, 4 cart, 5 purchase
  };
  struct RecentAd {
    ProductId product = kNoId;
    SimMinute minute = 0;
    uint16_t shown = 0;  // ad impressions of this product to this user
  };
  struct UserMemory {
    std::array<RecentCategory, kRecent> categories{};
    std::array<RecentProduct, kRecent> products{};
    std::array<RecentAd, kRecent> ads{};
    uint16_t ad_impressions = 0, ad_clicks = 0;
  };
  UserMemory& Row(UserId u);

  const Catalogue& catalogue_;
  const UserAffinity& affinity_;
  std::vector<UserMemory> users_;        // grown on demand
  std::vector<uint32_t> product_shown_;  // ad impressions per product (creative wear-out)
};

}  // namespace cf
