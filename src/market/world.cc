#include "market/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "common/random.h"

namespace cf {
namespace {

constexpr size_t kMaxExposures = 24;
constexpr size_t kMaxPurchases = 16;
constexpr size_t kMaxCoupons = 4;

// Salts that separate the different draws keyed by the same (session, slot).
enum Salt : uint64_t {
  kSaltAdSlot = 1,
  kSaltClick,
  kSaltPurchase,
  kSaltQuantity,
  kSaltLike,
  kSaltComment,
  kSaltShare,
  kSaltFollow,
  kSaltCart,
  kSaltTopic,
  kSaltPick1,
  kSaltPick2,
  kSaltOrganicClick,
  kSaltScene,
  kSaltDrift,
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

std::unique_ptr<WorldSpec> WorldSpec::Build(RealData data, const MarketConfig& config,
                                            uint32_t users, uint32_t days, uint64_t seed,
                                            const ProgressFn& progress) {
  if (users == 0) throw std::invalid_argument("the world needs at least one user");
  if (days == 0) throw std::invalid_argument("the flight needs at least one day");
  if (data.households.empty()) throw std::invalid_argument("no household profiles were loaded");
  if (data.catalogue.products.empty()) throw std::invalid_argument("the catalogue is empty");
  auto spec = std::unique_ptr<WorldSpec>(new WorldSpec());
  WorldSpec& w = *spec;
  w.config_ = config;
  w.data_ = std::move(data);
  w.seed_ = seed;
  w.days_ = days;
  w.flight_start_ = static_cast<SimMinute>(config.population.history_days) * kMinutesPerDay;
  const Catalogue& cat = w.data_.catalogue;
  const size_t num_categories = cat.categories.size();
  w.scenes_ = SceneIndex::Build(cat);
  if (progress) progress("world: products", 0.0);

  // Products: hidden quality and a long-tailed popularity; reference price = median of its type.
  RandomStream prng(seed, "market.products");
  std::vector<std::vector<double>> type_prices(cat.types.size());
  for (const Product& p : cat.products) type_prices[p.type].push_back(p.shelf_price.units());
  std::vector<double> type_ref(cat.types.size());
  for (size_t t = 0; t < cat.types.size(); ++t) type_ref[t] = Median(type_prices[t]);
  w.products_.resize(cat.products.size());
  for (const Product& p : cat.products) {
    ProductTraits& t = w.products_[p.id];
    t.quality = static_cast<float>(prng.LogNormal(0.0, 0.25));
    t.popularity = static_cast<float>(prng.LogNormal(0.0, 1.2) * (p.price_observed ? 2.0 : 0.5));
    t.reference_price = static_cast<float>(std::max(0.01, type_ref[p.type]));
  }
  w.product_sampler_.resize(num_categories);
  std::vector<double> category_weight(num_categories, 0.0);
  for (CategoryId c = 0; c < num_categories; ++c) {
    const auto& ps = cat.products_by_category[c];
    if (ps.empty()) continue;
    std::vector<double> weights;
    weights.reserve(ps.size());
    for (ProductId p : ps) weights.push_back(w.products_[p].popularity);
    w.product_sampler_[c] = AliasTable(weights);
    category_weight[c] = std::accumulate(weights.begin(), weights.end(), 0.0);
  }
  w.category_sampler_ = AliasTable(category_weight);

  // Users, sampled from households with noise.
  if (progress) progress("world: users", 0.1);
  const PopulationConfig& pc = config.population;
  RandomStream urng(seed, "market.users");
  w.users_.resize(users);
  std::vector<std::vector<UserId>> users_by_category(num_categories);
  double mean_baskets = 0;
  for (const auto& h : w.data_.households) mean_baskets += h.baskets_per_week;
  mean_baskets = std::max(1e-6, mean_baskets / w.data_.households.size());
  const int k = pc.interests_per_user;
  for (UserId u = 0; u < users; ++u) {
    UserTraits& t = w.users_[u];
    t.household = static_cast<uint32_t>(urng.Below(w.data_.households.size()));
    const HouseholdProfile& h = w.data_.households[t.household];
    std::vector<std::pair<double, CategoryId>> cand;
    for (const auto& [c, share] : h.category_shares) {
      if (c < num_categories && category_weight[c] > 0) {
        cand.emplace_back(share * urng.LogNormal(0.0, pc.interest_noise), c);
      }
    }
    const uint32_t extra = urng.Poisson(pc.exploration_interests) + (cand.empty() ? 3 : 0);
    for (uint32_t i = 0; i < extra; ++i) {
      cand.emplace_back(urng.Uniform(0.02, 0.15),
                        w.category_sampler_.Sample(urng.Uniform(), urng.Uniform()));
    }
    std::sort(cand.begin(), cand.end(), std::greater<>());
    double total = 0;
    for (const auto& [share, c] : cand) {
      bool dup = false;
      for (int i = 0; i < t.num_interests; ++i) dup |= t.interest[i] == c;
      if (dup || t.num_interests >= k) continue;
      t.interest[t.num_interests] = c;
      t.weight[t.num_interests] = static_cast<float>(share);
      total += share;
      ++t.num_interests;
    }
    for (int i = 0; i < t.num_interests; ++i) {
      t.weight[i] = static_cast<float>(t.weight[i] / total);
      users_by_category[t.interest[i]].push_back(u);
      // A strong interest in a category that serves a scene makes it a life scene sometimes.
      const uint16_t sc = w.scenes_.category_scenes[t.interest[i]];
      if (sc && t.weight[i] > 0.12 && urng.Bernoulli(0.5)) {
        for (int s = 1; s < kNumScenes; ++s) {
          if ((sc >> s) & 1) {
            t.life_scenes |= static_cast<uint16_t>(1u << s);
            break;
          }
        }
      }
    }
    if (h.kids_count > 0 && urng.Bernoulli(0.3))
      t.life_scenes |= 1u << static_cast<int>(Scene::kNewBaby);
    t.price_sensitivity = static_cast<float>(
        std::clamp(0.5 * h.discount_sensitivity + 0.5 * urng.Beta(2, 2), 0.0, 1.0));
    t.coupon_sensitivity = static_cast<float>(
        std::clamp(0.6 * h.coupon_sensitivity + 0.4 * urng.Beta(1.2, 4), 0.0, 1.0));
    if (urng.Bernoulli(pc.heavy_user_share)) {
      t.history_events = static_cast<uint32_t>(
          std::exp(urng.Uniform(std::log(pc.heavy_min_events), std::log(pc.heavy_max_events))));
    } else {
      t.history_events = static_cast<uint32_t>(
          std::clamp(urng.LogNormal(std::log(pc.body_median_events), pc.body_sigma), 5.0,
                     0.9 * pc.heavy_min_events));
    }
    t.activity = static_cast<float>(
        std::clamp(std::pow(t.history_events / pc.body_median_events, 0.4), 0.2, 8.0));
    t.buy_propensity = static_cast<float>(std::clamp(
        urng.LogNormal(0, 0.6) * std::sqrt(h.baskets_per_week / mean_baskets), 0.1, 6.0));
    for (int c = 0; c < kNumChannels; ++c) {
      t.channel_pref[c] =
          static_cast<float>(config.traffic.channel_share[c] * urng.LogNormal(0, 0.5));
    }
    t.zh = urng.Bernoulli(pc.zh_share);
  }
  std::vector<double> activity(users);
  for (UserId u = 0; u < users; ++u) activity[u] = w.users_[u].activity;
  w.user_sampler_ = AliasTable(activity);

  // Influencers and their followers.
  if (progress) progress("world: influencers and content", 0.6);
  RandomStream irng(seed, "market.influencers");
  const InfluencerConfig& ic = config.influencers;
  w.influencers_.resize(std::max(0, ic.count));
  w.follows_.assign(users, {});
  for (InfluencerId i = 0; i < w.influencers_.size(); ++i) {
    Influencer& inf = w.influencers_[i];
    inf.id = i;
    inf.topic = w.category_sampler_.Sample(irng.Uniform(), irng.Uniform());
    inf.fee_per_post = Money::FromUnits(irng.Uniform(ic.fee_per_post_low, ic.fee_per_post_high));
    const auto n = static_cast<size_t>(irng.LogNormal(std::log(ic.followers_mean) - 0.5, 1.0));
    const auto& pool = users_by_category[inf.topic];
    for (size_t f = 0; f < n; ++f) {
      const UserId u = (!pool.empty() && irng.Bernoulli(0.8))
                           ? pool[irng.Below(pool.size())]
                           : static_cast<UserId>(irng.Below(users));
      auto& fl = w.follows_[u];
      if (std::find(fl.begin(), fl.end(), i) == fl.end() && fl.size() < 16) {
        fl.push_back(i);
        inf.followers.push_back(u);
      }
    }
  }

  // Organic content.
  RandomStream crng(seed, "market.content");
  w.contents_.resize(std::max(0, config.content.organic_items));
  w.contents_by_category_.assign(num_categories, {});
  std::vector<std::vector<InfluencerId>> influencers_by_topic(num_categories);
  for (const Influencer& inf : w.influencers_) influencers_by_topic[inf.topic].push_back(inf.id);
  for (ContentId i = 0; i < w.contents_.size(); ++i) {
    ContentItem& item = w.contents_[i];
    item.id = i;
    item.category = w.category_sampler_.Sample(crng.Uniform(), crng.Uniform());
    item.product = cat.products_by_category[item.category][w.product_sampler_[item.category].Sample(
        crng.Uniform(), crng.Uniform())];
    const auto& infl = influencers_by_topic[item.category];
    if (!infl.empty() && crng.Bernoulli(0.3)) item.creator = infl[crng.Below(infl.size())];
    item.quality = static_cast<float>(crng.LogNormal(0, 0.4));
    const int need = w.scenes_.category_need[item.category];
    item.title = need >= 0
                     ? fmt::format("{} | {}", SceneNeeds()[need].zh, cat.ProductName(item.product))
                     : cat.ProductName(item.product);
    w.contents_by_category_[item.category].push_back(i);
  }

  // Query texts: every need in both languages, three phrasings each.
  const auto& needs = SceneNeeds();
  for (size_t n = 0; n < needs.size(); ++n) {
    for (bool zh : {true, false}) {
      for (uint32_t v = 0; v < 3; ++v) w.query_texts_.push_back(QueryText(needs[n], zh, v));
    }
  }

  double curve_sum = 0;
  for (double c : config.traffic.hourly_curve) curve_sum += c;
  if (curve_sum <= 0)
    throw std::invalid_argument("traffic.hourly_curve must have a positive entry");
  w.curve_norm_ = 24.0 / curve_sum;
  w.sessions_per_day_ = users * config.traffic.sessions_per_user_per_day;
  if (progress) progress("world: ready", 1.0);
  return spec;
}

CategoryId WorldSpec::DriftTopic(UserId u, SimMinute m) const {
  const uint64_t epoch =
      static_cast<uint64_t>((m + u * 7919ULL) / (config_.population.drift_days * kMinutesPerDay));
  return category_sampler_.Sample(CounterUniform(seed_, u, epoch, kSaltDrift),
                                  CounterUniform(seed_, u, epoch, kSaltDrift + 1));
}

int WorldSpec::DayOfYear(SimMinute m) const {
  const int flight_day = static_cast<int>(m / kMinutesPerDay) - config_.population.history_days;
  return ((config_.traffic.start_day_of_year - 1 + flight_day) % 365 + 365) % 365 + 1;
}

double WorldSpec::SessionRate(SimMinute m) const {
  const SimTime t{m};
  double rate = sessions_per_day_ / kMinutesPerDay * config_.traffic.hourly_curve[t.hour_of_day()] *
                curve_norm_;
  if (t.weekend()) rate *= config_.traffic.weekend_factor;
  return rate;
}

// ---------------------------------------------------------------------------------------------
// World

World::World(const WorldSpec& spec, const std::vector<FaultLabel>& faults, uint64_t run_seed)
    : spec_(spec),
      seed_(run_seed == 0 ? spec.seed() : Mix64(spec.seed() ^ Mix64(run_seed ^ 0x72756e73ULL))),
      faults_(faults) {
  const Catalogue& cat = spec.catalogue();
  prices_.reserve(cat.products.size());
  for (const Product& p : cat.products) prices_.push_back(p.shelf_price);
  state_.resize(spec.users().size());
  ours_.assign(cat.products.size(), 0);
  active_post_.assign(spec.influencers().size(), -1);
}

std::vector<CouponGrant> World::StartDay(uint32_t day) {
  const Catalogue& cat = spec_.catalogue();
  const CompetitorConfig& cc = spec_.config().competitors;
  const InfluencerConfig& ic = spec_.config().influencers;
  RandomStream rng(Mix64(seed_ ^ Mix64(0x636f75706f6e0000ULL + day)));
  const SimMinute day_start = day * kMinutesPerDay;
  // Coupon campaigns: a coupon for a product in one of the user's interest categories.
  std::vector<CouponGrant> grants;
  const uint32_t n = rng.Poisson(cc.coupons_per_user_per_day * spec_.users().size());
  for (uint32_t i = 0; i < n; ++i) {
    const UserId u = static_cast<UserId>(rng.Below(spec_.users().size()));
    const UserTraits& t = spec_.users()[u];
    if (t.num_interests == 0) continue;
    const CategoryId c = t.interest[rng.Below(t.num_interests)];
    if (cat.products_by_category[c].empty()) continue;
    const ProductId p = cat.products_by_category[c][spec_.product_sampler_by_category()[c].Sample(
        rng.Uniform(), rng.Uniform())];
    if (ours_[p]) continue;  // our merchant's coupons are the engine's decision, not the world's
    CouponGrant g{u, p, prices_[p].Scale(rng.Uniform(cc.coupon_value_low, cc.coupon_value_high)),
                  day_start + static_cast<SimMinute>(cc.coupon_days * kMinutesPerDay)};
    GiveCoupon(g.user, g.product, g.value, g.expires);
    grants.push_back(g);
  }
  truth_.coupons_issued += grants.size();
  // Sponsored posts: competitors pay an influencer to promote a product of the influencer's topic.
  for (int32_t& a : active_post_) {
    if (a >= 0 && posts_[a].end <= day_start) a = -1;
  }
  if (!spec_.influencers().empty()) {
    const uint32_t posts = rng.Poisson(ic.posts_per_day);
    for (uint32_t i = 0; i < posts; ++i) {
      const Influencer& inf = spec_.influencers()[rng.Below(spec_.influencers().size())];
      const auto& ps = cat.products_by_category[inf.topic];
      if (ps.empty() || active_post_[inf.id] >= 0) continue;
      const ProductId p =
          ps[spec_.product_sampler_by_category()[inf.topic].Sample(rng.Uniform(), rng.Uniform())];
      if (ours_[p]) continue;
      SponsoredPost post{inf.id,
                         p,
                         cat.product(p).merchant,
                         inf.fee_per_post,
                         day_start + static_cast<SimMinute>(rng.Below(kMinutesPerDay)),
                         0};
      post.end = post.start + kMinutesPerDay;
      truth_.influencer_fees += post.fee;
      active_post_[inf.id] = static_cast<int32_t>(posts_.size());
      posts_.push_back(post);
    }
  }
  return grants;
}

void World::SetOurProducts(const std::vector<ProductId>& products) {
  for (ProductId p : products) ours_.at(p) = 1;
}

bool World::FaultActive(std::string_view type, SimMinute m, std::string_view target) const {
  return FaultMagnitude(type, m, target) != 0.0;
}

double World::FaultMagnitude(std::string_view type, SimMinute m, std::string_view target) const {
  for (const FaultLabel& f : faults_) {
    if (m >= f.start && m < f.end && f.type == type && (f.target == target || f.target == "all")) {
      return f.magnitude;
    }
  }
  return 0.0;
}

void World::SessionsAt(SimMinute m, std::vector<Session>& out) const {
  out.clear();
  const TrafficConfig& tc = spec_.config().traffic;
  RandomStream rng(Mix64(seed_ ^ Mix64(0x7472616666696331ULL + m)));
  const uint32_t n = rng.Poisson(spec_.SessionRate(m));
  // A channel-shift fault moves a share of feed sessions to the target channel.
  double shift = 0;
  Channel shift_to = Channel::kLive;
  for (const FaultLabel& f : faults_) {
    if (f.type == "channel_shift" && m >= f.start && m < f.end) {
      shift = f.magnitude;
      if (auto c = ParseChannel(f.target.substr(f.target.find(':') + 1))) shift_to = *c;
    }
  }
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Session s;
    s.id = (static_cast<uint64_t>(m) << 20) | i;
    s.minute = m;
    s.user = spec_.user_sampler().Sample(rng.Uniform(), rng.Uniform());
    const UserTraits& t = spec_.users()[s.user];
    double total = 0;
    for (float p : t.channel_pref) total += p;
    double x = rng.Uniform() * total;
    int c = 0;
    while (c < kNumChannels - 1 && x >= t.channel_pref[c]) x -= t.channel_pref[c++];
    s.channel = static_cast<Channel>(c);
    if (shift > 0 && s.channel == Channel::kFeed && rng.Uniform() < shift) s.channel = shift_to;
    const double mean = tc.slots_per_session[static_cast<int>(s.channel)];
    s.slots = static_cast<uint16_t>(
        std::min(200.0, 1.0 + std::floor(rng.Exponential(std::max(0.0, mean - 0.5)))));
    if (s.channel == Channel::kSearch) {
      // The query expresses a need of one of the user's active scenes or strongest interests.
      const uint16_t scenes = ActiveScenes(s.user, m);
      const auto& needs = SceneNeeds();
      int need = -1;
      if (scenes && rng.Bernoulli(0.6)) {
        const uint32_t start = static_cast<uint32_t>(rng.Below(needs.size()));
        for (size_t j = 0; j < needs.size() && need < 0; ++j) {
          const size_t idx = (start + j) % needs.size();
          if ((scenes >> static_cast<int>(needs[idx].scene)) & 1) need = static_cast<int>(idx);
        }
      }
      if (need < 0) {
        for (int j = 0; j < t.num_interests && need < 0; ++j) {
          need = spec_.scenes().category_need[t.interest[j]];
        }
      }
      if (need < 0) need = static_cast<int>(rng.Below(needs.size()));
      s.need = static_cast<int16_t>(need);
      s.query = spec_.QueryIndex(need, t.zh, static_cast<uint32_t>(rng.Below(3)));
    }
    out.push_back(s);
  }
}

bool World::IsAdSlot(const Session& s, uint32_t slot) const {
  if (slot == 0 && s.channel == Channel::kFeed) return false;  // the first feed video is organic
  return CounterUniform(seed_, s.id, slot, kSaltAdSlot) <
         spec_.config().traffic.ad_load[static_cast<int>(s.channel)];
}

uint16_t World::ActiveScenes(UserId u, SimMinute m) const {
  const UserTraits& t = spec_.users()[u];
  uint16_t scenes = t.life_scenes;
  // Transient scenes: on a given day a user may be in one more scene (seasonal ones likelier),
  // lasting that day.
  const uint32_t day = m / kMinutesPerDay;
  const double x = CounterUniform(seed_, u, day, kSaltScene);
  if (x < 0.35) {
    if (scene_day_ != day) {
      const int doy = spec_.DayOfYear(m);
      double total = 0;
      for (int s = 0; s < kNumScenes; ++s) {
        total += s == 0 ? 0.0 : SeasonalFactor(static_cast<Scene>(s), doy);
        scene_cum_[s] = total;
      }
      scene_day_ = day;
    }
    const double y = CounterUniform(seed_, u, day, kSaltScene + 100) * scene_cum_[kNumScenes - 1];
    int s = 1;
    while (s < kNumScenes - 1 && y >= scene_cum_[s]) ++s;
    scenes |= static_cast<uint16_t>(1u << s);
  }
  return scenes;
}

double World::Fatigue(UserId u, CreativeId c, SimMinute m) const {
  if (c == kNoId) return 1.0;
  for (const Exposure& e : state_[u].exposures) {
    if (e.creative == c) {
      const double days = (m - e.last) / static_cast<double>(kMinutesPerDay);
      const double count =
          e.count * std::exp2(-days / spec_.config().response.fatigue_half_life_days);
      double a = spec_.config().response.fatigue_per_exposure;
      if (c < creatives_.size() && ours_[creatives_[c].product]) {
        const double f = FaultMagnitude("creative_wearout", m, "ours");
        if (f > 0) a *= f;
      }
      return 1.0 / (1.0 + a * count);
    }
  }
  return 1.0;
}

double World::ClickProbability(const AdExposure& e, double fatigue) const {
  const ResponseConfig& rc = spec_.config().response;
  const UserTraits& t = spec_.users()[e.user];
  const Product& p = spec_.catalogue().products[e.product];
  double prob = rc.base_ctr[static_cast<int>(e.channel)];
  prob *= 0.25 + rc.interest_weight * t.Interest(p.category);
  const uint16_t scenes = ActiveScenes(e.user, e.minute);
  const uint16_t serves = spec_.scenes().category_scenes[p.category];
  if (scenes & serves) prob *= rc.need_match_boost;
  if (e.need >= 0) {
    // Search: relevance of the product to the searched need dominates.
    const auto& cats = spec_.scenes().need_categories[e.need];
    prob *= std::find(cats.begin(), cats.end(), p.category) != cats.end() ? 2.0 : 0.25;
  }
  prob *= std::pow(rc.position_decay, e.position);
  if (e.creative != kNoId && e.creative < creatives_.size()) {
    const CreativeTraits& c = creatives_[e.creative];
    double q = c.quality;
    if (c.scene != Scene::kNone && ((scenes >> static_cast<int>(c.scene)) & 1)) q *= 1.3;
    if (c.hook == HookStyle::kPriceShock) q *= 0.7 + 0.6 * t.price_sensitivity;
    if (c.hook == HookStyle::kPainPoint && (scenes & serves)) q *= 1.15;
    const double age = e.minute / static_cast<double>(kMinutesPerDay) - c.created_day;
    double decay = rc.creative_age_decay;
    if (ours_[c.product]) {
      const double f = FaultMagnitude("creative_wearout", e.minute, "ours");
      if (f > 0) decay *= f;
    }
    prob *= q * std::exp(-decay * std::max(0.0, age));
  }
  return std::min(0.5, prob * fatigue);
}

double World::RepurchaseFactor(UserId u, ProductId p, SimMinute m) const {
  const Product& prod = spec_.catalogue().products[p];
  if (!prod.consumable || prod.repurchase_days <= 0) return 1.0;
  for (const Purchase& pu : state_[u].purchases) {
    if (pu.type == prod.type) {
      const double days = (m - pu.minute) / static_cast<double>(kMinutesPerDay);
      const double r = days / prod.repurchase_days;
      return r >= 0.8 ? spec_.config().response.repurchase_boost : 0.6;
    }
  }
  return 1.0;
}

const World::Coupon* World::FindCoupon(UserId u, ProductId p, SimMinute m) const {
  for (const Coupon& c : state_[u].coupons) {
    if (c.product == p && c.expires > m) return &c;
  }
  return nullptr;
}

double World::PurchaseProbability(UserId u, ProductId p, Channel ch, SimMinute m, bool coupon,
                                  double repurchase) const {
  const ResponseConfig& rc = spec_.config().response;
  const UserTraits& t = spec_.users()[u];
  const Product& prod = spec_.catalogue().products[p];
  const ProductTraits& pt = spec_.products()[p];
  const double price = std::max(0.01, prices_[p].units());
  // Log-linear base conversion between the 2.00 and 50.00 anchors.
  double prob = BaseConversion(rc, price);
  prob *= rc.cvr_channel[static_cast<int>(ch)];
  prob *= 0.4 + 2.5 * t.Interest(prod.category);
  if (ActiveScenes(u, m) & spec_.scenes().category_scenes[prod.category])
    prob *= std::sqrt(rc.need_match_boost);
  double reference = pt.reference_price;
  const std::string cut_target = "category:" + spec_.catalogue().categories[prod.category];
  const double cut = FaultMagnitude("competitor_price_cut", m, cut_target);
  if (cut > 0 && ours_[p]) reference *= 1.0 - cut;
  prob *= std::exp(-rc.price_elasticity * t.price_sensitivity * (price / reference - 1.0));
  if (coupon) prob *= 1.0 + rc.coupon_boost * (0.3 + t.coupon_sensitivity);
  prob *= repurchase * pt.quality * std::sqrt(t.buy_propensity);
  return std::clamp(prob, 0.0, 0.9);
}

uint8_t World::DrawQuantity(double u) const {
  // Inverse CDF of 1 + Poisson(mean), capped at 6.
  const double mean = spec_.config().response.quantity_extra_mean;
  double p = std::exp(-mean), cdf = p;
  uint8_t k = 0;
  while (u > cdf && k < 5) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return static_cast<uint8_t>(1 + k);
}

void World::RecordPurchase(UserId u, ProductId p, SimMinute m) {
  auto& ps = state_[u].purchases;
  const uint32_t type = spec_.catalogue().products[p].type;
  for (Purchase& pu : ps) {
    if (pu.type == type) {
      pu.minute = m;
      return;
    }
  }
  if (ps.size() >= kMaxPurchases) ps.erase(ps.begin());
  ps.push_back({type, m});
}

AdOutcome World::RespondToAd(const AdExposure& e) {
  AdOutcome out;
  const uint64_t seed = seed_;
  const double fatigue = Fatigue(e.user, e.creative, e.minute);
  const double p_click = ClickProbability(e, fatigue);
  // Update the user's exposure count for this creative.
  if (e.creative != kNoId) {
    auto& ex = state_[e.user].exposures;
    bool found = false;
    for (Exposure& x : ex) {
      if (x.creative == e.creative) {
        const double days = (e.minute - x.last) / static_cast<double>(kMinutesPerDay);
        x.count = static_cast<float>(
            x.count * std::exp2(-days / spec_.config().response.fatigue_half_life_days) + 1.0);
        x.last = e.minute;
        found = true;
        break;
      }
    }
    if (!found) {
      if (ex.size() >= kMaxExposures) ex.erase(ex.begin());
      ex.push_back({e.creative, 1.0f, e.minute});
    }
  }
  if (CounterUniform(seed, e.key, kSaltClick) >= p_click) return out;
  out.clicked = true;
  const ResponseConfig& rc = spec_.config().response;
  out.liked = CounterUniform(seed, e.key, kSaltLike) < rc.like_rate * 3;
  out.commented = CounterUniform(seed, e.key, kSaltComment) < rc.comment_rate * 3;
  out.shared = CounterUniform(seed, e.key, kSaltShare) < rc.share_rate * 3;
  out.followed = CounterUniform(seed, e.key, kSaltFollow) < rc.follow_rate * 3;
  const Coupon* coupon = FindCoupon(e.user, e.product, e.minute);
  const double p_buy =
      PurchaseProbability(e.user, e.product, e.channel, e.minute, coupon != nullptr,
                          RepurchaseFactor(e.user, e.product, e.minute));
  if (CounterUniform(seed, e.key, kSaltPurchase) < p_buy) {
    out.quantity = DrawQuantity(CounterUniform(seed, e.key, kSaltQuantity));
    Money paid = prices_[e.product].CheckedMul(out.quantity);
    if (coupon) {
      paid = std::max(Money::Zero(), paid - coupon->value);
      out.coupon_used = true;
      ++truth_.coupons_redeemed;
      auto& cs = state_[e.user].coupons;
      cs.erase(cs.begin() + (coupon - cs.data()));
    }
    out.paid = paid;
    out.tracked = !(FaultActive("tracking_outage", e.minute, ours_[e.product] ? "ours" : "") ||
                    FaultActive("tracking_outage", e.minute, "all"));
    RecordPurchase(e.user, e.product, e.minute);
    ++truth_.purchases;
    truth_.gmv += paid;
    if (!out.tracked) {
      ++truth_.untracked_purchases;
      truth_.untracked_gmv += paid;
    }
  } else {
    out.added_to_cart = CounterUniform(seed, e.key, kSaltCart) < rc.cart_rate;
  }
  return out;
}

ExpectedResponse World::Expect(const AdExposure& e) const {
  ExpectedResponse r;
  r.p_click = ClickProbability(e, Fatigue(e.user, e.creative, e.minute));
  r.p_purchase_given_click = PurchaseProbability(e.user, e.product, e.channel, e.minute,
                                                 FindCoupon(e.user, e.product, e.minute) != nullptr,
                                                 RepurchaseFactor(e.user, e.product, e.minute));
  r.expected_value = r.p_click * r.p_purchase_given_click * prices_[e.product].units() *
                     (1.0 + spec_.config().response.quantity_extra_mean);
  return r;
}

OrganicOutcome World::ServeOrganic(const Session& s, uint32_t slot) {
  OrganicOutcome out;
  const uint64_t seed = seed_;
  const uint64_t key = s.id * 64 + slot;
  const UserTraits& t = spec_.users()[s.user];
  const Catalogue& cat = spec_.catalogue();
  const PopulationConfig& pc = spec_.config().population;
  const ResponseConfig& rc = spec_.config().response;
  // Topic: a long-term interest, the searched need, or the user's current drift topic.
  CategoryId topic;
  const double x = CounterUniform(seed, key, kSaltTopic);
  if (s.need >= 0 && !spec_.scenes().need_categories[s.need].empty()) {
    const auto& cats = spec_.scenes().need_categories[s.need];
    topic = cats[static_cast<size_t>(CounterUniform(seed, key, kSaltPick1 + 10) * cats.size())];
  } else if (x < pc.long_term_share && t.num_interests > 0) {
    double y = x / pc.long_term_share;
    int i = 0;
    while (i < t.num_interests - 1 && y >= t.weight[i]) y -= t.weight[i++];
    topic = t.interest[i];
  } else {
    topic = spec_.DriftTopic(s.user, s.minute);
  }
  const double u1 = CounterUniform(seed, key, kSaltPick1),
               u2 = CounterUniform(seed, key, kSaltPick2);
  double quality = 1.0;
  bool wallet = false;
  if (s.channel == Channel::kMall && !state_[s.user].coupons.empty() &&
      CounterUniform(seed, key, kSaltPick1 + 20) < spec_.config().competitors.wallet_browse) {
    // Users look up the products they hold coupons for.
    const auto& cs = state_[s.user].coupons;
    const Coupon& c = cs[static_cast<size_t>(u2 * cs.size())];
    if (c.expires > s.minute) {
      out.product = c.product;
      wallet = true;
    }
  }
  if ((s.channel == Channel::kFeed || s.channel == Channel::kLive)) {
    const auto& follows = spec_.follows()[s.user];
    const auto& items = spec_.contents_by_category()[topic];
    if (!follows.empty() &&
        CounterUniform(seed, key, kSaltPick1 + 30) < spec_.config().influencers.post_reach) {
      // A sponsored post of an influencer the user follows, if one is running.
      for (InfluencerId i : follows) {
        const int32_t a = active_post_[i];
        if (a >= 0 && posts_[a].start <= s.minute && s.minute < posts_[a].end) {
          out.content = PostContentId(static_cast<size_t>(a));
          out.product = posts_[a].product;
          quality = 1.3;
          break;
        }
      }
    }
    if (out.content == kNoId && !follows.empty() && u1 < 0.1) {
      // Content from an influencer the user follows.
      const Influencer& inf =
          spec_.influencers()[follows[static_cast<size_t>(u2 * follows.size())]];
      const auto& own = spec_.contents_by_category()[inf.topic];
      if (!own.empty()) out.content = own[static_cast<size_t>(u2 * 7919) % own.size()];
    }
    if (out.content == kNoId && !items.empty())
      out.content = items[static_cast<size_t>(u2 * items.size())];
    if (out.content != kNoId && out.content < spec_.contents().size()) {
      const ContentItem& item = spec_.contents()[out.content];
      out.product = item.product;
      quality = item.quality;
    }
  }
  if (out.product == kNoId) {
    const auto& ps = cat.products_by_category[topic];
    if (ps.empty()) return out;
    out.product = ps[spec_.product_sampler_by_category()[topic].Sample(u1, u2)];
  }
  const Product& p = cat.products[out.product];
  const double interest = 0.3 + 3.0 * t.Interest(p.category);
  out.liked = CounterUniform(seed, key, kSaltLike) < rc.like_rate * quality * interest;
  out.commented = CounterUniform(seed, key, kSaltComment) < rc.comment_rate * quality * interest;
  out.shared = CounterUniform(seed, key, kSaltShare) < rc.share_rate * quality * interest;
  out.followed =
      out.content != kNoId && CounterUniform(seed, key, kSaltFollow) < rc.follow_rate * quality;
  double click = rc.organic_click_rate * interest * quality;
  if (s.need >= 0) click *= 4.0;  // a search result is looked at with intent
  if (s.channel == Channel::kMall) click *= 2.0;
  if (wallet) click *= 5.0;  // looked up on purpose
  if (CounterUniform(seed, key, kSaltOrganicClick) >= click) return out;
  out.clicked = true;
  const Coupon* coupon = FindCoupon(s.user, out.product, s.minute);
  const double p_buy =
      PurchaseProbability(s.user, out.product, s.channel, s.minute, coupon != nullptr,
                          RepurchaseFactor(s.user, out.product, s.minute));
  if (CounterUniform(seed, key, kSaltPurchase) < p_buy) {
    out.quantity = DrawQuantity(CounterUniform(seed, key, kSaltQuantity));
    out.paid = prices_[out.product].CheckedMul(out.quantity);
    if (coupon) {
      out.paid = std::max(Money::Zero(), out.paid - coupon->value);
      out.coupon_used = true;
      ++truth_.coupons_redeemed;
      auto& cs = state_[s.user].coupons;
      cs.erase(cs.begin() + (coupon - cs.data()));
    }
    RecordPurchase(s.user, out.product, s.minute);
    out.tracked = !FaultActive("tracking_outage", s.minute, "all");
    ++truth_.purchases;
    truth_.gmv += out.paid;
  } else {
    out.added_to_cart = CounterUniform(seed, key, kSaltCart) < rc.cart_rate;
  }
  return out;
}

void World::RegisterCreative(const Creative& c) {
  if (c.id == kNoId) throw std::invalid_argument("creative without an id");
  if (c.product >= prices_.size()) {
    throw std::invalid_argument(
        fmt::format("creative {} names unknown product {}", c.id, c.product));
  }
  if (creatives_.size() <= c.id) creatives_.resize(c.id + 1);
  CreativeTraits& t = creatives_[c.id];
  t.product = c.product;
  t.scene = c.scene;
  t.hook = c.hook;
  t.created_day = c.created_day;
  // Hidden quality: a creative-specific draw (keyed by id) shaped by observable attributes.
  double q = std::exp(0.3 * (CounterUniform(spec_.seed(), c.id, 0xC4EA) - 0.5) * 3.46);
  if (c.duration_s > 30) q *= 0.85;
  if (c.hook == HookStyle::kSocialProof) q *= 1.05;
  if (!c.voice.empty()) q *= 1.05;
  t.quality = static_cast<float>(q);
}

size_t World::OrderPost(InfluencerId i, ProductId p, MerchantId m, Money fee, SimMinute start) {
  if (i >= spec_.influencers().size()) {
    throw std::invalid_argument(
        fmt::format("no creator {} (there are {})", i, spec_.influencers().size()));
  }
  if (p >= prices_.size()) throw std::invalid_argument(fmt::format("no product {}", p));
  if (PostRunning(i, start)) {
    const SponsoredPost& run = posts_[active_post_[i]];
    throw std::invalid_argument(fmt::format(
        "creator {} has a sponsored post running until simulated minute {}; order after it ends", i,
        run.end));
  }
  SponsoredPost post{i, p, m, fee, start, start + kMinutesPerDay};
  truth_.influencer_fees += fee;
  active_post_[i] = static_cast<int32_t>(posts_.size());
  posts_.push_back(post);
  return posts_.size() - 1;
}

bool World::PostRunning(InfluencerId i, SimMinute m) const {
  if (i >= active_post_.size()) return false;
  const int32_t a = active_post_[i];
  return a >= 0 && m < posts_[a].end;
}

size_t World::EndFault(std::string_view type, SimMinute m) {
  size_t ended = 0;
  for (FaultLabel& f : faults_) {
    if (f.type == type && m >= f.start && m < f.end) {
      f.end = m;
      ++ended;
    }
  }
  return ended;
}

void World::GiveCoupon(UserId u, ProductId p, Money value, SimMinute expires) {
  auto& cs = state_.at(u).coupons;
  if (cs.size() >= kMaxCoupons) cs.erase(cs.begin());
  cs.push_back({p, value, expires});
}

}  // namespace cf
