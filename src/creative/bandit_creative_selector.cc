#include "creative/bandit_creative_selector.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/random.h"

namespace cf {

BanditOptions::Mode ParseBanditMode(const std::string& name) {
  if (name == "uniform") return BanditOptions::Mode::kUniform;
  if (name == "thompson") return BanditOptions::Mode::kThompson;
  if (name == "bandit") return BanditOptions::Mode::kBandit;
  throw std::invalid_argument("unknown creative rotation '" + name +
                              "'; use uniform, thompson or bandit");
}

BanditCreativeSelector::BanditCreativeSelector(const Catalogue& catalogue, BanditOptions options)
    : catalogue_(catalogue),
      options_(options),
      discount_(std::exp2(-1.0 / std::max(1.0, options.half_life_impressions))),
      pools_(catalogue.products.size()) {
  if (options_.pool_size < 1) throw std::invalid_argument("creative pool_size must be >= 1");
  if (options_.max_variants < options_.pool_size) {
    throw std::invalid_argument("creative max_variants must be >= pool_size");
  }
  if (!(options_.prior_impressions > 0)) {
    throw std::invalid_argument("creative prior_impressions must be positive");
  }
  WearoutDetector check(options_.wearout);  // validates the wear-out windows
  (void)check;
}

Creative BanditCreativeSelector::MakeVariant(ProductId p, uint32_t index, uint32_t day) const {
  Creative c;
  c.product = p;
  c.created_day = day;
  c.duration_s = 15;
  c.music = "default";
  c.lang = "zh";
  const Product& prod = catalogue_.product(p);
  c.selling_points = {catalogue_.types.empty() ? "" : catalogue_.types[prod.type]};
  if (index == 0) {  // the plain product video the default selector makes
    c.scene = Scene::kNone;
    c.hook = HookStyle::kQuestion;
    return c;
  }
  // Spread the variants over hooks, scene templates and voice-over; the first kNumHookStyles
  // variants of a product all differ in hook.
  c.hook = static_cast<HookStyle>((index + p) % kNumHookStyles);
  c.scene = static_cast<Scene>(1 + Mix64(uint64_t{p} * 1315423911u + index) % (kNumScenes - 1));
  c.voice = index % 2 == 1 ? "zh-female" : "";
  c.selling_point_order = static_cast<uint8_t>(index % 3);
  return c;
}

void BanditCreativeSelector::AddVariant(ProductId p, uint32_t day, std::vector<Creative>& made) {
  Pool& pool = pools_.at(p);
  AddCreative(MakeVariant(p, pool.made++, day), day, made);
}

void BanditCreativeSelector::AddCreative(Creative c, uint32_t day, std::vector<Creative>& made) {
  const ProductId p = c.product;
  c.id = static_cast<CreativeId>(creatives_.size());
  pools_.at(p).live.push_back(c.id);
  State s{.product = p, .wearout = WearoutDetector(options_.wearout)};
  state_.push_back(std::move(s));
  creatives_.push_back(c);
  made.push_back(c);
  events_.push_back({day, c.id, p, "added", {}});
}

std::vector<Creative> BanditCreativeSelector::EnsureCreatives(
    const std::vector<ProductId>& products, uint32_t day, bool pooled) {
  std::vector<Creative> made;
  for (ProductId p : products) {
    if (p >= pools_.size()) {
      throw std::invalid_argument("creative pool for unknown product " + std::to_string(p));
    }
    Pool& pool = pools_[p];
    if (pool.made == 0) AddVariant(p, day, made);  // variant 0: the plain product video
    if (!pooled || pool.pooled) continue;
    pool.pooled = true;
    while (static_cast<int>(pool.live.size()) < options_.pool_size &&
           static_cast<int>(pool.made) < options_.max_variants) {
      AddVariant(p, day, made);
    }
  }
  return made;
}

CreativeId BanditCreativeSelector::Select(const Opportunity& opp, const AdCandidate& ad) const {
  if (ad.product >= pools_.size()) return kNoId;
  const Pool& pool = pools_[ad.product];
  if (pool.live.empty()) return kNoId;
  if (pool.live.size() == 1) return pool.live[0];
  if (options_.mode == BanditOptions::Mode::kUniform) {
    const double u = CounterUniform(options_.seed, opp.key, ad.product, 0xC0DE);
    return pool.live[std::min(pool.live.size() - 1, size_t(u * pool.live.size()))];
  }
  // Thompson sampling: Beta posterior per creative around the product's pooled click rate.
  const double prior_ctr = (pool.clicks + 1.0) / (pool.impressions + 100.0);
  const double a0 = prior_ctr * options_.prior_impressions;
  const double b0 = (1 - prior_ctr) * options_.prior_impressions;
  const bool discounted = options_.mode == BanditOptions::Mode::kBandit;
  CreativeId best = pool.live[0];
  double best_draw = -1;
  for (CreativeId c : pool.live) {
    const State& s = state_[c];
    const double n = discounted ? s.d_impressions : double(s.impressions);
    const double k = discounted ? s.d_clicks : double(s.clicks);
    RandomStream rng(Mix64(options_.seed ^ Mix64(opp.key) ^ Mix64(uint64_t{c} + 0x5EED)));
    const double draw = rng.Beta(a0 + k, b0 + std::max(0.0, n - k));
    if (draw > best_draw) {
      best_draw = draw;
      best = c;
    }
  }
  return best;
}

void BanditCreativeSelector::Observe(const Event& e) {
  if (e.plan == kNoId || e.ref >= state_.size()) return;
  State& s = state_[e.ref];
  if (s.product != e.product) return;  // not one of ours (another selector's id space)
  Pool& pool = pools_[s.product];
  if (e.type == EventType::kImpression) {
    ++s.impressions;
    ++pool.impressions;
    s.d_impressions = s.d_impressions * discount_ + 1;
    s.d_clicks *= discount_;
    s.wearout.OnImpression();
  } else if (e.type == EventType::kClick) {
    ++s.clicks;
    ++pool.clicks;
    s.d_clicks += 1;
    s.wearout.OnClick();
  }
}

std::vector<Creative> BanditCreativeSelector::Refresh(uint32_t day) {
  std::vector<Creative> made;
  if (options_.mode != BanditOptions::Mode::kBandit) return made;
  for (ProductId p = 0; p < pools_.size(); ++p) {
    Pool& pool = pools_[p];
    if (!pool.pooled) continue;
    // Pause worn-out creatives (evidence kept in the pool events).
    for (size_t i = 0; i < pool.live.size();) {
      const CreativeId c = pool.live[i];
      const WearoutVerdict v = state_[c].wearout.Verdict();
      if (!v.worn_out) {
        ++i;
        continue;
      }
      state_[c].live = false;
      pool.live.erase(pool.live.begin() + static_cast<std::ptrdiff_t>(i));
      events_.push_back({day, c, p, "paused", v});
    }
    // Refill a weakened pool with fresh variants.
    while (static_cast<int>(pool.live.size()) < options_.pool_size &&
           static_cast<int>(pool.made) < options_.max_variants) {
      AddVariant(p, day, made);
    }
    // Never leave a product without a creative: bring back the least worn one.
    if (pool.live.empty()) {
      CreativeId back = kNoId;
      double best = -1;
      for (CreativeId c = 0; c < state_.size(); ++c) {
        if (state_[c].product != p) continue;
        const double r = state_[c].wearout.Verdict().recent_ctr;
        if (r > best) best = r, back = c;
      }
      if (back != kNoId) {
        state_[back].live = true;
        pool.live.push_back(back);
        events_.push_back({day, back, p, "resumed", {}});
      }
    }
  }
  return made;
}

std::vector<CreativeId> BanditCreativeSelector::Live(ProductId p) const {
  return p < pools_.size() ? pools_[p].live : std::vector<CreativeId>{};
}

std::vector<Creative> BanditCreativeSelector::Rotate(ProductId p,
                                                     const std::vector<CreativeId>& pause,
                                                     const std::vector<Creative>& replacements,
                                                     uint32_t day) {
  CheckRotation(p, Live(p), pause, replacements);
  Pool& pool = pools_[p];
  std::vector<Creative> made;
  for (size_t i = 0; i < pause.size(); ++i) {
    const CreativeId c = pause[i];
    state_[c].live = false;
    pool.live.erase(std::find(pool.live.begin(), pool.live.end(), c));
    events_.push_back({day, c, p, "rotated", state_[c].wearout.Verdict()});
    if (replacements.empty()) {
      AddVariant(p, day, made);
    } else {
      Creative r = replacements[i];
      r.product = p;
      r.created_day = day;
      AddCreative(std::move(r), day, made);
    }
  }
  return made;
}

std::vector<CreativeStats> BanditCreativeSelector::Stats() const {
  std::vector<CreativeStats> out;
  out.reserve(state_.size());
  for (CreativeId c = 0; c < state_.size(); ++c) {
    const State& s = state_[c];
    out.push_back({c, s.product, s.live, s.impressions, s.clicks});
  }
  return out;
}

}  // namespace cf
