// The simulated marketplace ("the world"): hidden user state, organic content, influencers,
// traffic, and how users respond to what the platform shows them. Ground truth lives only here;
// the engine sees the world through events, the catalogue and prices.
//
// WorldSpec is built once (from the real data and the config) and is immutable afterwards: share
// it read-only between threads. World is one run's mutable state over a WorldSpec; it is not
// thread-safe (one World per thread). Two Worlds over the same spec and seed face identical
// traffic and identical luck for identical decisions (common random numbers): every draw is keyed
// by (session, slot) rather than taken from a shared sequence.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/alias_table.h"
#include "common/catalogue.h"
#include "common/channel.h"
#include "common/creative.h"
#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"
#include "common/user_response.h"
#include "market/completejourney.h"
#include "market/market_config.h"
#include "market/scenes.h"

namespace cf {

inline constexpr int kMaxInterests = 8;

// Hidden, static traits of one simulated user.
struct UserTraits {
  uint32_t household = 0;  // index into RealData::households it was sampled from
  std::array<CategoryId, kMaxInterests> interest{};  // long-term category interests
  std::array<float, kMaxInterests> weight{};         // their shares (sum 1), descending
  uint8_t num_interests = 0;
  uint16_t life_scenes = 0;        // bitmask of long-running scenes (new baby, pets, ...)
  float price_sensitivity = 0.5f;  // 0 = indifferent, 1 = very price sensitive
  float coupon_sensitivity = 0.2f;
  float activity = 1.0f;                           // relative sessions per day
  float buy_propensity = 1.0f;                     // heavy buyers buy more often
  std::array<float, kNumChannels> channel_pref{};  // relative preference per channel
  bool zh = true;                                  // searches in Chinese
  uint32_t history_events = 0;                     // target length of the pre-campaign history

  float Interest(CategoryId c) const {
    for (int i = 0; i < num_interests; ++i) {
      if (interest[i] == c) return weight[i];
    }
    return 0.0f;
  }
};

struct ProductTraits {
  float quality = 1.0f;          // conversion multiplier (hidden)
  float popularity = 1.0f;       // organic exposure weight (long-tailed)
  float reference_price = 1.0f;  // what users consider a normal price for this type (units)
};

// An organic short video with a linked product.
struct ContentItem {
  ContentId id = kNoId;
  ProductId product = kNoId;
  CategoryId category = 0;
  InfluencerId creator = kNoId;  // kNoId: an ordinary user's video
  float quality = 1.0f;
  std::string title;
};

struct Influencer {
  InfluencerId id = kNoId;
  CategoryId topic = 0;
  Money fee_per_post;
  std::vector<UserId> followers;
};

// A visit to the platform: one user, one channel, some slots (organic or ad).
struct Session {
  uint64_t id = 0;  // unique within a run, identical across runs of the same world
  SimMinute minute = 0;
  UserId user = kNoId;
  Channel channel = Channel::kFeed;
  uint16_t slots = 0;
  int16_t need = -1;   // search sessions: the need searched for (index into SceneNeeds())
  uint16_t query = 0;  // index into WorldSpec::query_texts() (search sessions only)
};

// What the platform showed in one ad slot.
struct AdExposure {
  uint64_t key = 0;  // session id * 64 + slot: the key of this slot's random draws
  SimMinute minute = 0;
  UserId user = kNoId;
  Channel channel = Channel::kFeed;
  uint8_t position = 0;
  ProductId product = kNoId;
  CreativeId creative = kNoId;
  int16_t need = -1;  // the session's searched need, if any
};

using AdOutcome = UserResponse;

struct ExpectedResponse {
  double p_click = 0;
  double p_purchase_given_click = 0;
  double expected_value = 0;  // p_click * p_purchase * price * E[quantity], currency units
};

// An organic slot's result: what was viewed and what the user did.
struct OrganicOutcome {
  ContentId content = kNoId;  // kNoId for a product listing (search / mall)
  ProductId product = kNoId;
  bool liked = false, commented = false, shared = false, followed = false;
  bool clicked = false, added_to_cart = false;
  uint8_t quantity = 0;
  Money paid;
  bool coupon_used = false;
  bool tracked = true;
};

// A coupon a merchant sent to a user (the platform delivers it: an observable event).
struct CouponGrant {
  UserId user = kNoId;
  ProductId product = kNoId;
  Money value;
  SimMinute expires = 0;
};

// An influencer's sponsored post promoting a product; followers see it in feed and live.
struct SponsoredPost {
  InfluencerId influencer = kNoId;
  ProductId product = kNoId;
  MerchantId merchant = kNoId;  // who paid the fee
  Money fee;
  SimMinute start = 0, end = 0;
};

// A fault or scripted move with its ground-truth label.
struct FaultLabel {
  std::string type;
  SimMinute start = 0, end = 0;
  std::string target;  // what it hit, e.g. "category:SOFT DRINKS", "channel:live", "ours"
  double magnitude = 0;
  std::string description;  // plain words
};

using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

class WorldSpec {
 public:
  // Builds users (sampled from households with noise), product traits, content, influencers.
  // `data` is moved in. Throws std::invalid_argument on impossible parameters.
  static std::unique_ptr<WorldSpec> Build(RealData data, const MarketConfig& config, uint32_t users,
                                          uint32_t days, uint64_t seed,
                                          const ProgressFn& progress = {});

  const MarketConfig& config() const { return config_; }
  const Catalogue& catalogue() const { return data_.catalogue; }
  const RealData& data() const { return data_; }
  const SceneIndex& scenes() const { return scenes_; }
  const std::vector<UserTraits>& users() const { return users_; }
  const std::vector<ProductTraits>& products() const { return products_; }
  const std::vector<ContentItem>& contents() const { return contents_; }
  const std::vector<Influencer>& influencers() const { return influencers_; }
  const std::vector<std::string>& query_texts() const { return query_texts_; }
  uint64_t seed() const { return seed_; }
  uint32_t days() const { return days_; }
  // Absolute minute at which the campaign flight starts (the history lies before it).
  SimMinute flight_start() const { return flight_start_; }
  int DayOfYear(SimMinute m) const;
  // The user's short-term browsing topic at minute m (changes every ~drift_days, per user).
  CategoryId DriftTopic(UserId u, SimMinute m) const;
  // Sessions per minute at minute m before faults (expected value).
  double SessionRate(SimMinute m) const;
  // Index of the query text for (need, language, variant).
  uint16_t QueryIndex(int need, bool zh, uint32_t variant) const {
    return static_cast<uint16_t>((need * 2 + (zh ? 0 : 1)) * 3 + variant % 3);
  }

  // Internal tables used by World and the history generator.
  const AliasTable& user_sampler() const { return user_sampler_; }
  const std::vector<std::vector<ContentId>>& contents_by_category() const {
    return contents_by_category_;
  }
  const std::vector<std::vector<InfluencerId>>& follows() const { return follows_; }
  const AliasTable& category_sampler() const { return category_sampler_; }
  const std::vector<AliasTable>& product_sampler_by_category() const { return product_sampler_; }

 private:
  WorldSpec() = default;
  MarketConfig config_;
  RealData data_;
  SceneIndex scenes_;
  std::vector<UserTraits> users_;
  std::vector<ProductTraits> products_;
  std::vector<ContentItem> contents_;
  std::vector<std::vector<ContentId>> contents_by_category_;
  std::vector<Influencer> influencers_;
  std::vector<std::vector<InfluencerId>> follows_;  // per user
  std::vector<std::string> query_texts_;
  AliasTable user_sampler_;
  AliasTable category_sampler_;              // categories by catalogue size (browsing drift topics)
  std::vector<AliasTable> product_sampler_;  // per category, by popularity
  uint64_t seed_ = 0;
  uint32_t days_ = 0;
  SimMinute flight_start_ = 0;
  double sessions_per_day_ = 0;
  double curve_norm_ = 1;
};

// One run's mutable world.
class World {
 public:
  // `run_seed` 0: the run's draws follow the spec's seed alone (two Worlds over one spec face
  // identical traffic: common random numbers); another value gives the same population, catalogue
  // and history a different stream of sessions and responses (replications of one scenario).
  World(const WorldSpec& spec, const std::vector<FaultLabel>& faults, uint64_t run_seed = 0);

  const WorldSpec& spec() const { return spec_; }

  // The sessions that start in minute m (deterministic given the seeds and m).
  void SessionsAt(SimMinute m, std::vector<Session>& out) const;
  // Whether slot `slot` of a session is an ad slot (deterministic).
  bool IsAdSlot(const Session& s, uint32_t slot) const;

  OrganicOutcome ServeOrganic(const Session& s, uint32_t slot);
  // Draws the user's response to an ad and updates hidden state (fatigue, purchases, coupons).
  AdOutcome RespondToAd(const AdExposure& e);
  // The same model in expectation, without side effects (for hindsight evaluation).
  ExpectedResponse Expect(const AdExposure& e) const;

  // Registers a creative made by the engine; the world gives it a hidden quality.
  void RegisterCreative(const Creative& c);
  // Current selling price (competitor price cuts change it); observable by the platform.
  Money Price(ProductId p) const { return prices_[p]; }
  void SetPrice(ProductId p, Money price) { prices_[p] = price; }
  // Starts simulated day `day` (absolute): merchants' coupon campaigns send coupons (returned, for
  // the platform to log) and influencers' sponsored posts for the day are scheduled.
  std::vector<CouponGrant> StartDay(uint32_t day);
  const std::vector<SponsoredPost>& posts() const { return posts_; }
  // Content id of sponsored post i in organic outcomes (after the spec's organic items).
  ContentId PostContentId(size_t i) const {
    return static_cast<ContentId>(spec_.contents().size() + i);
  }
  // Ends the active faults of `type` at minute m (a merchant fixed what broke, e.g. the conversion
  // tracking); faults not active at m are left as they are. Returns how many were ended.
  size_t EndFault(std::string_view type, SimMinute m);
  // Gives a user a coupon for a product (the engine issues coupons through actions).
  void GiveCoupon(UserId u, ProductId p, Money value, SimMinute expires);
  // A merchant's order: creator i posts about product p from `start` for a day, paid `fee` (the
  // post reaches the creator's followers like any sponsored post). Returns the post's index in
  // posts(). Throws std::invalid_argument (changing nothing) for an unknown creator or product,
  // or a creator with a post running or booked at `start`.
  size_t OrderPost(InfluencerId i, ProductId p, MerchantId m, Money fee, SimMinute start);
  // Whether creator i has a sponsored post running, or booked for later, at minute m.
  bool PostRunning(InfluencerId i, SimMinute m) const;
  // Marks products as "ours" (fault targets "ours" apply to them).
  void SetOurProducts(const std::vector<ProductId>& products);

  // Ground truth counters for evaluation.
  struct Truth {
    uint64_t purchases = 0, untracked_purchases = 0;
    Money gmv, untracked_gmv;
    uint64_t coupons_issued = 0, coupons_redeemed = 0;
    Money influencer_fees;
  };
  const Truth& truth() const { return truth_; }

 private:
  struct Exposure {
    CreativeId creative;
    float count;
    SimMinute last;
  };
  struct Purchase {
    uint32_t type;
    SimMinute minute;
  };
  struct Coupon {
    ProductId product;
    Money value;
    SimMinute expires;
  };
  struct UserState {
    std::vector<Exposure> exposures;  // at most kMaxExposures, oldest evicted
    std::vector<Purchase> purchases;  // at most kMaxPurchases
    std::vector<Coupon> coupons;
  };
  struct CreativeTraits {
    ProductId product = kNoId;
    Scene scene = Scene::kNone;
    HookStyle hook = HookStyle::kQuestion;
    float quality = 1.0f;
    uint32_t created_day = 0;
  };

  uint16_t ActiveScenes(UserId u, SimMinute m) const;
  double ClickProbability(const AdExposure& e, double fatigue) const;
  double PurchaseProbability(UserId u, ProductId p, Channel ch, SimMinute m, bool coupon,
                             double repurchase) const;
  double Fatigue(UserId u, CreativeId c, SimMinute m) const;
  double RepurchaseFactor(UserId u, ProductId p, SimMinute m) const;
  const Coupon* FindCoupon(UserId u, ProductId p, SimMinute m) const;
  void RecordPurchase(UserId u, ProductId p, SimMinute m);
  bool FaultActive(std::string_view type, SimMinute m, std::string_view target) const;
  double FaultMagnitude(std::string_view type, SimMinute m, std::string_view target) const;
  uint8_t DrawQuantity(double u) const;

  const WorldSpec& spec_;
  uint64_t seed_;  // the spec's seed, mixed with the run seed
  std::vector<FaultLabel> faults_;
  std::vector<SponsoredPost> posts_;
  std::vector<int32_t> active_post_;  // per influencer: index into posts_ or -1
  std::vector<Money> prices_;
  std::vector<UserState> state_;
  std::vector<CreativeTraits> creatives_;
  std::vector<uint8_t> ours_;
  Truth truth_;
  // Cumulative seasonal scene weights of the day in scene_day_ (a cache: ActiveScenes is hot).
  mutable uint32_t scene_day_ = UINT32_MAX;
  mutable std::array<double, kNumScenes> scene_cum_{};
};

}  // namespace cf
