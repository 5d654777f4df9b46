// The creative bandit and its wear-out test against a small simulated audience whose hidden
// click-through rates (per creative, decaying with exposures for some) only this test knows.
#include "creative/bandit_creative_selector.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "common/random.h"
#include "creative/test_catalogue.h"
#include "creative/wearout_detector.h"

namespace cf {
namespace {

Event AdEvent(EventType type, ProductId p, CreativeId c) {
  Event e;
  e.type = type;
  e.product = p;
  e.plan = 0;
  e.ref = c;
  return e;
}

// Serves `impressions` impressions of product 0; `ctr(creative, its exposures so far)` is the
// hidden truth. Refresh runs every `per_day` impressions. Returns clicks over the last `tail`
// impressions and fills `shown` with impressions per creative over that tail.
struct RunResult {
  double tail_ctr = 0, total_ctr = 0;
  std::map<CreativeId, int> tail_shown;
  int Shown(CreativeId c) const {
    auto it = tail_shown.find(c);
    return it == tail_shown.end() ? 0 : it->second;
  }
};
RunResult Serve(BanditCreativeSelector& sel, int impressions, int per_day, int tail,
                const std::function<double(CreativeId, uint64_t)>& ctr) {
  sel.EnsureCreatives({0}, 0);
  std::map<CreativeId, uint64_t> exposures;
  RunResult r;
  int tail_clicks = 0, clicks = 0;
  uint32_t day = 0;
  for (int t = 0; t < impressions; ++t) {
    if (t > 0 && t % per_day == 0) sel.Refresh(++day);
    Opportunity opp;
    opp.key = static_cast<uint64_t>(t);
    const CreativeId c = sel.Select(opp, {0, 0});
    EXPECT_NE(c, kNoId);
    const double p = ctr(c, exposures[c]++);
    const bool click = CounterUniform(7, static_cast<uint64_t>(t)) < p;
    sel.Observe(AdEvent(EventType::kImpression, 0, c));
    if (click) sel.Observe(AdEvent(EventType::kClick, 0, c));
    clicks += click;
    if (t >= impressions - tail) {
      tail_clicks += click;
      ++r.tail_shown[c];
    }
  }
  r.tail_ctr = double(tail_clicks) / tail;
  r.total_ctr = double(clicks) / impressions;
  return r;
}

BanditOptions Options(BanditOptions::Mode mode) {
  BanditOptions o;
  o.mode = mode;
  o.pool_size = 4;
  o.seed = 11;
  return o;
}

TEST(WearoutDetector, SteadyCreativeIsNeverCalledWornOut) {
  WearoutDetector d;
  RandomStream rng(3);
  int worn = 0;
  for (int t = 0; t < 60000; ++t) {
    d.OnImpression();
    if (rng.Bernoulli(0.03)) d.OnClick();
    if (t % 500 == 0) worn += d.Verdict().worn_out;  // as often as a busy creative is checked
  }
  EXPECT_EQ(worn, 0);
  EXPECT_NEAR(d.Verdict().recent_ctr, 0.03, 0.012);
}

TEST(WearoutDetector, DecayAgainstExposuresIsDetectedOnlyOnceBothWindowsAreFull) {
  WearoutOptions o;
  WearoutDetector d(o);
  RandomStream rng(5);
  bool early_verdict = false;
  int detected_at = -1;
  for (int t = 0; t < 20000 && detected_at < 0; ++t) {
    d.OnImpression();
    // 4% for the first 3,000 exposures, then 1.5%.
    if (rng.Bernoulli(t < 3000 ? 0.04 : 0.015)) d.OnClick();
    const WearoutVerdict v = d.Verdict();
    const int full = int(o.reference_impressions + o.recent_impressions - o.bucket_impressions);
    if (t + 1 <= full) early_verdict |= v.ready;
    if (v.worn_out) detected_at = t;
  }
  EXPECT_FALSE(early_verdict);
  ASSERT_GT(detected_at, 3000);
  EXPECT_LT(detected_at, 3000 + int(o.recent_impressions) + 500);
  const WearoutVerdict v = d.Verdict();
  EXPECT_LT(v.z, -o.z_critical);
  EXPECT_LT(v.recent_ctr, 0.75 * v.early_ctr);
}

// The daily refresh asks at arbitrary moments: once both windows have filled, the verdict is
// ready whatever the position within the newest bucket (it once was only at bucket boundaries,
// so a creative checked once a day was almost never tested).
TEST(WearoutDetector, IsReadyAtAnyMomentOnceBothWindowsHaveFilled) {
  WearoutOptions o;
  WearoutDetector d(o);
  const uint32_t full = o.reference_impressions + o.recent_impressions - o.bucket_impressions + 1;
  for (uint32_t t = 1; t < full; ++t) {
    d.OnImpression();
    if (t % 50 == 0) d.OnClick();
    ASSERT_FALSE(d.Verdict().ready) << t;
  }
  for (uint32_t t = full; t < full + 3 * o.bucket_impressions; ++t) {
    d.OnImpression();
    if (t % 50 == 0) d.OnClick();
    const WearoutVerdict v = d.Verdict();
    ASSERT_TRUE(v.ready) << t;
    EXPECT_NEAR(v.recent_ctr, 0.02, 0.002) << t;
    EXPECT_FALSE(v.worn_out) << t;
  }
}

TEST(WearoutDetector, RejectsWindowsItCannotKeep) {
  WearoutOptions o;
  o.bucket_impressions = 0;
  EXPECT_THROW(WearoutDetector{o}, std::invalid_argument);
  o.bucket_impressions = 300;
  o.recent_impressions = 1000;
  EXPECT_THROW(WearoutDetector{o}, std::invalid_argument);
}

// Hidden rates of the first four variants: one clearly better.
double StaticCtr(CreativeId c, uint64_t) {
  static const double kRates[] = {0.02, 0.02, 0.045, 0.02};
  return c < 4 ? kRates[c] : 0.02;
}

TEST(BanditCreativeSelector, ThompsonShiftsTrafficToTheBestCreativeUniformDoesNot) {
  const Catalogue cat = OneCategoryCatalogue(1);
  BanditCreativeSelector uniform(cat, Options(BanditOptions::Mode::kUniform));
  BanditCreativeSelector thompson(cat, Options(BanditOptions::Mode::kThompson));
  const RunResult u = Serve(uniform, 40000, 5000, 10000, StaticCtr);
  const RunResult t = Serve(thompson, 40000, 5000, 10000, StaticCtr);
  EXPECT_NEAR(u.Shown(2), 2500, 300);
  EXPECT_GT(t.Shown(2), 7000);
  EXPECT_GT(t.total_ctr, 1.25 * u.total_ctr);
}

TEST(BanditCreativeSelector, WearOutHandlingPausesTheDecayedWinnerAndRefillsThePool) {
  // Creative 2 is the best until 6,000 exposures, then wears out to a fraction of the others.
  auto ctr = [](CreativeId c, uint64_t n) {
    if (c == 2) return n < 6000 ? 0.05 : 0.008;
    return c < 4 ? 0.02 : 0.03;  // fresh variants made later are a little better
  };
  const Catalogue cat = OneCategoryCatalogue(1);
  BanditCreativeSelector plain(cat, Options(BanditOptions::Mode::kThompson));
  BanditCreativeSelector bandit(cat, Options(BanditOptions::Mode::kBandit));
  const RunResult p = Serve(plain, 60000, 3000, 20000, ctr);
  const RunResult b = Serve(bandit, 60000, 3000, 20000, ctr);
  EXPECT_GT(b.tail_ctr, 1.15 * p.tail_ctr);
  EXPECT_LT(b.Shown(2), 200);
  bool paused = false;
  int added_later = 0;
  for (const PoolEvent& e : bandit.pool_events()) {
    if (e.what == "paused" && e.creative == 2) {
      paused = true;
      EXPECT_TRUE(e.verdict.worn_out);
      EXPECT_GT(e.verdict.exposures, 6000u);
      EXPECT_LT(e.verdict.recent_ctr, e.verdict.early_ctr);
    }
    if (e.what == "added" && e.day > 0) ++added_later;
  }
  EXPECT_TRUE(paused);
  EXPECT_GE(added_later, 1);
  EXPECT_FALSE(bandit.Stats().at(2).live);
}

TEST(BanditCreativeSelector, SelectIsPureForTheSameOpportunity) {
  const Catalogue cat = OneCategoryCatalogue(2);
  BanditCreativeSelector sel(cat, Options(BanditOptions::Mode::kBandit));
  sel.EnsureCreatives({0, 1}, 0);
  for (int i = 0; i < 500; ++i) sel.Observe(AdEvent(EventType::kImpression, 1, 5));
  Opportunity opp;
  for (uint64_t k = 0; k < 200; ++k) {
    opp.key = k;
    const CreativeId a = sel.Select(opp, {0, 1});
    EXPECT_EQ(sel.Select(opp, {0, 1}), a);
    EXPECT_EQ(sel.creatives().at(a).product, 1u);
  }
  // Events of creatives that are not this product's are ignored.
  const auto before = sel.Stats();
  sel.Observe(AdEvent(EventType::kImpression, 0, 5));
  EXPECT_EQ(sel.Stats()[5].impressions, before[5].impressions);
}

// Plans that do not use pools (the market's other merchants) get one plain creative per product,
// which is never paused; a pooled plan naming the product later gives it its pool.
TEST(BanditCreativeSelector, UnpooledProductsKeepOnePlainCreativeUntilAPooledPlanNamesThem) {
  const Catalogue cat = OneCategoryCatalogue(2);
  BanditCreativeSelector sel(cat, Options(BanditOptions::Mode::kBandit));
  const auto plain = sel.EnsureCreatives({0, 1}, 0, /*pooled=*/false);
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0].scene, Scene::kNone) << "variant 0: the plain product video";
  EXPECT_TRUE(plain[0].voice.empty());
  // A steep decay that would pause a pooled creative: nothing is paused or made.
  for (int i = 0; i < 6000; ++i) {
    sel.Observe(AdEvent(EventType::kImpression, 0, 0));
    if (i < 3000 ? i % 20 == 0 : i % 500 == 0) sel.Observe(AdEvent(EventType::kClick, 0, 0));
  }
  EXPECT_TRUE(sel.Refresh(1).empty());
  EXPECT_EQ(sel.Live(0), std::vector<CreativeId>{0});
  for (const PoolEvent& e : sel.pool_events()) EXPECT_EQ(e.what, "added");
  // A pooled plan for product 1: its plain creative stays and variants fill the pool.
  const auto more = sel.EnsureCreatives({1}, 2, /*pooled=*/true);
  EXPECT_EQ(more.size(), 3u);
  EXPECT_EQ(sel.Live(1).size(), 4u);
  EXPECT_EQ(sel.Live(1).front(), 1u);
  EXPECT_TRUE(sel.EnsureCreatives({1}, 3, true).empty());
  EXPECT_TRUE(sel.EnsureCreatives({1}, 3, false).empty()) << "a pool is never taken back";
  EXPECT_EQ(sel.Live(1).size(), 4u);
}

TEST(BanditCreativeSelector, PoolsHaveDistinctVariantsAndBadOptionsAreRejected) {
  const Catalogue cat = OneCategoryCatalogue(3);
  BanditCreativeSelector sel(cat, Options(BanditOptions::Mode::kBandit));
  const auto made = sel.EnsureCreatives({0, 2}, 4);
  ASSERT_EQ(made.size(), 8u);
  EXPECT_TRUE(sel.EnsureCreatives({0}, 5).empty());
  for (size_t i = 0; i < made.size(); ++i) {
    EXPECT_EQ(made[i].id, static_cast<CreativeId>(i));
    EXPECT_EQ(made[i].created_day, 4u);
    for (size_t j = 0; j < i; ++j) {
      if (made[i].product != made[j].product) continue;
      EXPECT_FALSE(made[i].hook == made[j].hook && made[i].scene == made[j].scene &&
                   made[i].voice == made[j].voice)
          << i << " repeats " << j;
    }
  }
  EXPECT_THROW(sel.EnsureCreatives({7}, 0), std::invalid_argument);
  BanditOptions bad = Options(BanditOptions::Mode::kBandit);
  bad.max_variants = 2;
  EXPECT_THROW(BanditCreativeSelector(cat, bad), std::invalid_argument);
  try {
    ParseBanditMode("epsilon");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("uniform, thompson or bandit"), std::string::npos);
  }
}

}  // namespace
}  // namespace cf
