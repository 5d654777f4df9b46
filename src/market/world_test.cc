#include "market/world.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/event_log.h"
#include "common/json_config.h"
#include "market/completejourney.h"
#include "market/faults.h"
#include "market/history.h"

namespace cf {

[[maybe_unused]] static void PrintTo(const Money& m, std::ostream* os) { *os << m.ToString(); }

namespace {

namespace fs = std::filesystem;

constexpr uint32_t kUsers = 3000;
constexpr uint32_t kDays = 2;
constexpr uint64_t kSeed = 20240601;

fs::path DataDir() { return DefaultDataDir() / "completejourney"; }
bool HaveData() { return fs::exists(DataDir() / "products.csv"); }

MarketConfig SmallConfig() {
  MarketConfig mc;
  mc.population.heavy_user_share = 0.01;  // about 30 users with 10,000+ events
  mc.population.heavy_min_events = 10000;
  mc.population.heavy_max_events = 12000;
  mc.content.organic_items = 4000;
  mc.influencers.count = 40;
  return mc;
}

// One small world (and its history) per test process, built on first use.
class WorldTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveData() || spec_) return;
    LoadOptions lo;
    lo.max_products = 2000;
    lo.merchants = 40;
    lo.seed = kSeed;
    spec_ =
        WorldSpec::Build(LoadCompleteJourney(DataDir(), lo), SmallConfig(), kUsers, kDays, kSeed)
            .release();
  }

  void SetUp() override {
    if (!HaveData()) {
      GTEST_SKIP() << "Complete Journey data not found at " << DataDir().string()
                   << " (set CHENGFANG_DATA to the folder holding completejourney/)";
    }
    ASSERT_NE(spec_, nullptr);
  }

  static const WorldSpec& spec() { return *spec_; }

  // The pre-campaign history, generated on first use.
  static const EventLog& history() {
    if (!history_) {
      history_ = EventLog::InMemory().release();
      stats_ = GenerateHistory(*spec_, *history_, &query_ids_);
    }
    return *history_;
  }
  static const HistoryStats& history_stats() {
    history();
    return stats_;
  }

  // An exposure of `product` to `user` in slot `slot` of a feed session at `minute`.
  static AdExposure Exposure(UserId user, ProductId product, SimMinute minute, uint64_t key,
                             CreativeId creative = kNoId, Channel ch = Channel::kFeed) {
    AdExposure e;
    e.key = key;
    e.minute = minute;
    e.user = user;
    e.channel = ch;
    e.position = 0;
    e.product = product;
    e.creative = creative;
    return e;
  }

  // A product in the user's strongest interest category (so clicks and purchases are likely).
  static ProductId FavouriteProduct(UserId u, int rank = 0) {
    const UserTraits& t = spec().users()[u];
    const auto& ps = spec().catalogue().products_by_category[t.interest[rank % t.num_interests]];
    return ps.empty() ? 0 : ps[u % ps.size()];
  }

  static inline WorldSpec* spec_ = nullptr;  // leaked on purpose: shared by the process's tests
  static inline EventLog* history_ = nullptr;
  static inline HistoryStats stats_;
  static inline std::vector<QueryId> query_ids_;
};

bool SameOutcome(const AdOutcome& a, const AdOutcome& b) {
  return a.clicked == b.clicked && a.liked == b.liked && a.commented == b.commented &&
         a.shared == b.shared && a.followed == b.followed && a.added_to_cart == b.added_to_cart &&
         a.quantity == b.quantity && a.paid == b.paid && a.coupon_used == b.coupon_used &&
         a.tracked == b.tracked;
}

bool SameSession(const Session& a, const Session& b) {
  return a.id == b.id && a.minute == b.minute && a.user == b.user && a.channel == b.channel &&
         a.slots == b.slots && a.need == b.need && a.query == b.query;
}

TEST_F(WorldTest, SessionsAreDeterministicPerMinute) {
  const World w1(spec(), {});
  const World w2(spec(), {});
  const SimMinute start = spec().flight_start();
  std::vector<Session> a, b, later;
  size_t total = 0;
  // The sessions of a minute do not depend on which minutes were asked for before.
  w2.SessionsAt(start + 700, later);
  for (SimMinute m = start + 600; m < start + 720; ++m) {
    w1.SessionsAt(m, a);
    w2.SessionsAt(m, b);
    ASSERT_EQ(a.size(), b.size()) << "minute " << m;
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(SameSession(a[i], b[i])) << "minute " << m << " session " << i;
      EXPECT_EQ(a[i].minute, m);
      EXPECT_LT(a[i].user, kUsers);
      EXPECT_GE(a[i].slots, 1);
      EXPECT_EQ(a[i].channel == Channel::kSearch, a[i].need >= 0);
      for (uint32_t s = 0; s < a[i].slots; ++s) {
        EXPECT_EQ(w1.IsAdSlot(a[i], s), w2.IsAdSlot(b[i], s));
      }
    }
    if (m == start + 700) {
      ASSERT_EQ(a.size(), later.size());
      for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(SameSession(a[i], later[i]));
    }
    total += a.size();
  }
  // 3,000 users x 3 sessions a day: several a minute in the evening, so this compared something.
  EXPECT_GT(total, 200u);
  // Different minutes give different traffic.
  w1.SessionsAt(start + 600, a);
  w1.SessionsAt(start + 601, b);
  bool differ = a.size() != b.size();
  for (size_t i = 0; !differ && i < a.size(); ++i) differ = a[i].user != b[i].user;
  EXPECT_TRUE(differ);
}

TEST_F(WorldTest, RunSeedsReplicateTheScenarioWithOtherTraffic) {
  const World base(spec(), {});
  const World same(spec(), {}, 0);
  const World r7(spec(), {}, 7), r7b(spec(), {}, 7), r8(spec(), {}, 8);
  const SimMinute start = spec().flight_start();
  auto sessions = [&](const World& w) {
    std::vector<Session> all, one;
    for (SimMinute m = start + 600; m < start + 660; ++m) {
      w.SessionsAt(m, one);
      all.insert(all.end(), one.begin(), one.end());
    }
    return all;
  };
  auto same_traffic = [](const std::vector<Session>& a, const std::vector<Session>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!SameSession(a[i], b[i])) return false;
    return true;
  };
  const auto s_base = sessions(base), s7 = sessions(r7);
  EXPECT_TRUE(same_traffic(s_base, sessions(same)));  // 0 is the spec's own stream
  EXPECT_TRUE(same_traffic(s7, sessions(r7b)));       // a run seed is deterministic
  EXPECT_FALSE(same_traffic(s_base, s7));
  EXPECT_FALSE(same_traffic(s7, sessions(r8)));
  EXPECT_GT(s7.size(), 50u);
}

// Common random numbers: two worlds over one spec answer identical exposures identically, even
// when one of them also serves other users in between.
TEST_F(WorldTest, TwoWorldsRespondIdenticallyToIdenticalExposures) {
  World w1(spec(), {});
  World w2(spec(), {});
  const SimMinute start = spec().flight_start();
  int clicks = 0, purchases = 0;
  uint64_t key = 1;
  for (int i = 0; i < 20000; ++i) {
    const UserId u = static_cast<UserId>((i * 7) % 1000);  // users 0..999 only
    const AdExposure e = Exposure(u, FavouriteProduct(u, i % 3), start + i / 20, key++ * 64, kNoId,
                                  i % 2 ? Channel::kFeed : Channel::kLive);
    // World 2 also serves users 1000.. (never used by world 1) in between.
    const UserId other = 1000 + static_cast<UserId>(i % 2000);
    w2.RespondToAd(Exposure(other, FavouriteProduct(other), e.minute, key++ * 64));
    const AdOutcome a = w1.RespondToAd(e);
    const AdOutcome b = w2.RespondToAd(e);
    ASSERT_TRUE(SameOutcome(a, b)) << "exposure " << i;
    clicks += a.clicked;
    purchases += a.quantity > 0;
  }
  EXPECT_GT(clicks, 100);
  EXPECT_GT(purchases, 5);
  EXPECT_EQ(w1.truth().purchases, static_cast<uint64_t>(purchases));
}

TEST_F(WorldTest, ExpectHasNoSideEffects) {
  World probed(spec(), {});
  World plain(spec(), {});
  Creative c;
  c.id = 0;
  c.product = FavouriteProduct(5);
  probed.RegisterCreative(c);
  plain.RegisterCreative(c);
  const SimMinute start = spec().flight_start();
  for (int i = 0; i < 3000; ++i) {
    const UserId u = static_cast<UserId>(i % 50);
    const AdExposure e = Exposure(u, i % 4 == 0 ? c.product : FavouriteProduct(u), start + i / 10,
                                  (i + 1) * 64ULL, i % 4 == 0 ? 0 : kNoId);
    const ExpectedResponse x1 = probed.Expect(e);
    const ExpectedResponse x2 = probed.Expect(e);
    ASSERT_EQ(x1.p_click, x2.p_click);
    ASSERT_EQ(x1.p_purchase_given_click, x2.p_purchase_given_click);
    ASSERT_EQ(x1.expected_value, x2.expected_value);
    EXPECT_GT(x1.p_click, 0);
    EXPECT_LE(x1.p_click, 0.5);
    ASSERT_TRUE(SameOutcome(probed.RespondToAd(e), plain.RespondToAd(e))) << "exposure " << i;
  }
  EXPECT_EQ(probed.truth().purchases, plain.truth().purchases);
  EXPECT_EQ(probed.truth().gmv, plain.truth().gmv);
}

// Ad fatigue: showing one creative to one user again and again lowers the click probability,
// by about 30% after five exposures (CTR / (1 + 0.086 * exposures)).
TEST_F(WorldTest, RepeatedExposuresFatigueTheUser) {
  World w(spec(), {});
  const SimMinute m = spec().flight_start() + 600;
  int checked = 0;
  for (UserId u = 0; u < 40; ++u) {
    Creative c;
    c.id = u;
    c.product = FavouriteProduct(u);
    c.created_day = m / kMinutesPerDay;
    w.RegisterCreative(c);
    // Another creative of the same product, never shown: not fatigued by the first one's exposures.
    Creative other = c;
    other.id = 1000 + u;
    w.RegisterCreative(other);
    const AdExposure e = Exposure(u, c.product, m, (u + 1) * 64ULL, c.id);
    AdExposure e_other = e;
    e_other.creative = other.id;
    const double other_before = w.Expect(e_other).p_click;
    const double fresh = w.Expect(e).p_click;
    if (fresh >= 0.5) continue;  // capped probabilities cannot show the ratio
    ASSERT_GT(fresh, 0);
    double prev = fresh;
    for (int k = 1; k <= 5; ++k) {
      AdExposure again = e;
      again.key = (1000 + u * 10 + k) * 64ULL;
      w.RespondToAd(again);
      const double now = w.Expect(e).p_click;
      EXPECT_LT(now, prev) << "user " << u << " exposure " << k;
      prev = now;
    }
    const double ratio = prev / fresh;
    EXPECT_GT(ratio, 0.6) << "user " << u;
    EXPECT_LT(ratio, 0.8) << "user " << u;
    EXPECT_EQ(w.Expect(e_other).p_click, other_before) << "user " << u;
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

TEST_F(WorldTest, HistoryIsTimeOrderedAndBeforeTheFlight) {
  const EventLog& log = history();
  const HistoryStats& hs = history_stats();
  EXPECT_EQ(hs.events, log.size());
  EXPECT_EQ(query_ids_.size(), spec().query_texts().size());
  uint64_t heavy = 0, events = 0;
  for (UserId u = 0; u < kUsers; ++u) {
    const HistoryView h = log.History(u);
    events += h.size();
    EXPECT_FALSE(h.empty()) << "user " << u;
    SimMinute last = 0;
    bool ordered = true, before = true, own = true;
    h.ForEach([&](const Event& e) {
      ordered &= e.minute >= last;
      before &= e.minute < spec().flight_start();
      own &= e.user == u;
      last = e.minute;
    });
    ASSERT_TRUE(ordered) << "user " << u;
    ASSERT_TRUE(before) << "user " << u;
    ASSERT_TRUE(own) << "user " << u;
    const UserTraits& t = spec().users()[u];
    EXPECT_LE(h.size(), t.history_events) << "user " << u;
    if (t.history_events >= 10000) {
      ++heavy;
      EXPECT_GE(h.size(), 10000u) << "heavy user " << u << " wanted " << t.history_events;
    }
  }
  EXPECT_EQ(events, hs.events);
  EXPECT_GE(heavy, 15u);  // about 1% of 3,000
  EXPECT_EQ(hs.users_with_10k, heavy);
}

// Long-term interests are visible across a long history but not in its tail: for users with
// 10,000+ events, few of their last 50 organic views are in their (hidden) top-3 interest
// categories, while most of their purchases over the whole history are.
TEST_F(WorldTest, LongTermInterestsAreNotVisibleInTheLast50Events) {
  const EventLog& log = history();
  uint64_t tail_views = 0, tail_hits = 0, purchases = 0, purchase_hits = 0, users = 0;
  int users_tail_below = 0;
  const Catalogue& cat = spec().catalogue();
  for (UserId u = 0; u < kUsers; ++u) {
    const UserTraits& t = spec().users()[u];
    const HistoryView h = log.History(u);
    if (h.size() < 10000) continue;
    ++users;
    auto top3 = [&](ProductId p) {
      const CategoryId c = cat.product(p).category;
      for (int i = 0; i < std::min(3, static_cast<int>(t.num_interests)); ++i) {
        if (t.interest[i] == c) return true;
      }
      return false;
    };
    uint64_t uv = 0, uh = 0, up = 0, uph = 0;
    for (size_t i = h.size(); i-- > 0 && uv < 50;) {
      if (h[i].type != EventType::kOrganicView) continue;
      ++uv;
      uh += top3(h[i].product);
    }
    h.ForEach([&](const Event& e) {
      if (e.type != EventType::kPurchase) return;
      ++up;
      uph += top3(e.product);
    });
    tail_views += uv;
    tail_hits += uh;
    purchases += up;
    purchase_hits += uph;
    if (up > 0 && static_cast<double>(uh) / uv < static_cast<double>(uph) / up) ++users_tail_below;
  }
  ASSERT_GE(users, 15u);
  ASSERT_GT(purchases, 200u);
  const double tail_share = static_cast<double>(tail_hits) / tail_views;
  const double purchase_share = static_cast<double>(purchase_hits) / purchases;
  SCOPED_TRACE(fmt::format(
      "{} heavy users: share of the last 50 organic views in the top-3 interest categories {:.3f}, "
      "share of whole-history purchases in them {:.3f}; users whose tail share is below their "
      "purchase share: {}",
      users, tail_share, purchase_share, users_tail_below));
  EXPECT_LT(tail_share, 0.6 * purchase_share);
  EXPECT_GT(purchase_share, 0.4);
  EXPECT_GE(3 * users_tail_below, static_cast<int>(2 * users));
}

TEST_F(WorldTest, ResolveFaultsRejectsUnknownTargets) {
  const std::vector<ProductId> ours = {FavouriteProduct(0)};
  try {
    ResolveFaults(spec(), {{"competitor_price_cut", 0.5, 24, 0.2, "category:NO SUCH CATEGORY"}},
                  ours);
    ADD_FAILURE() << "an unknown category was accepted";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown category"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NO SUCH CATEGORY"), std::string::npos) << msg;
    EXPECT_NE(msg.find("competitor_price_cut"), std::string::npos) << msg;
  }
  EXPECT_THROW(ResolveFaults(spec(), {{"channel_shift", 0, 24, 0.3, "channel:radio"}}, ours),
               ConfigError);
  EXPECT_THROW(ResolveFaults(spec(), {{"tracking_outage", 0, 24, 0, "mars"}}, ours), ConfigError);

  // Known targets resolve, with automatic targets and absolute minutes filled in.
  const std::string cat_name =
      spec().catalogue().categories[spec().catalogue().product(ours[0]).category];
  const auto labels = ResolveFaults(
      spec(), {{"tracking_outage", 1.5, 6, 0, ""}, {"competitor_price_cut", 0, 24, 0, ""}}, ours);
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].target, "ours");
  EXPECT_EQ(labels[0].start, spec().flight_start() + 36 * 60);
  EXPECT_EQ(labels[0].end, labels[0].start + 6 * 60);
  EXPECT_GT(labels[0].magnitude, 0);
  EXPECT_FALSE(labels[0].description.empty());
  EXPECT_EQ(labels[1].target, "category:" + cat_name);
}

// A tracking outage on our products: purchases still happen but come back untracked while it
// lasts; other merchants' purchases and ours outside the window stay tracked.
TEST_F(WorldTest, TrackingOutageHidesOurPurchasesWhileActive) {
  // Our products: one favourite product of each of the first 200 users.
  std::vector<ProductId> ours;
  for (UserId u = 0; u < 200; ++u) ours.push_back(FavouriteProduct(u));
  std::sort(ours.begin(), ours.end());
  ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
  auto is_ours = [&](ProductId p) { return std::binary_search(ours.begin(), ours.end(), p); };
  // Flight day 0, 06:00-18:00.
  const auto faults = ResolveFaults(spec(), {{"tracking_outage", 0.25, 12, 0, "ours"}}, ours);
  ASSERT_EQ(faults.size(), 1u);
  World w(spec(), faults);
  w.SetOurProducts(ours);

  int ours_in = 0, ours_in_tracked = 0, ours_out = 0, ours_out_untracked = 0;
  int others_in = 0, others_in_untracked = 0;
  uint64_t key = 1;
  for (SimMinute m = spec().flight_start(); m < spec().flight_start() + kMinutesPerDay; m += 2) {
    const bool active = m >= faults[0].start && m < faults[0].end;
    for (int j = 0; j < 40; ++j) {
      const UserId u = static_cast<UserId>((key * 13) % 400);
      const ProductId p = FavouriteProduct(u, static_cast<int>(key % 2));
      const AdOutcome o = w.RespondToAd(Exposure(u, p, m, key++ * 64, kNoId, Channel::kLive));
      if (o.quantity == 0) continue;
      if (is_ours(p)) {
        if (active) {
          ++ours_in;
          ours_in_tracked += o.tracked;
        } else {
          ++ours_out;
          ours_out_untracked += !o.tracked;
        }
      } else if (active) {
        ++others_in;
        others_in_untracked += !o.tracked;
      }
    }
  }
  EXPECT_GT(ours_in, 10);
  EXPECT_GT(ours_out, 10);
  EXPECT_GT(others_in, 5);
  EXPECT_EQ(ours_in_tracked, 0);
  EXPECT_EQ(ours_out_untracked, 0);
  EXPECT_EQ(others_in_untracked, 0);
  EXPECT_EQ(w.truth().untracked_purchases, static_cast<uint64_t>(ours_in));
}

TEST_F(WorldTest, CouponCampaignsReachInterestedUsersAndGetRedeemed) {
  World w(spec(), {});
  std::vector<ProductId> ours = {FavouriteProduct(0)};
  w.SetOurProducts(ours);
  const uint32_t day = spec().flight_start() / kMinutesPerDay;
  const std::vector<CouponGrant> grants = w.StartDay(day);
  ASSERT_GT(grants.size(), 10u);
  // Deterministic: another world of the same spec sends the same coupons.
  World w2(spec(), {});
  w2.SetOurProducts(ours);
  const std::vector<CouponGrant> again = w2.StartDay(day);
  ASSERT_EQ(again.size(), grants.size());
  for (size_t i = 0; i < grants.size(); ++i) {
    EXPECT_EQ(again[i].user, grants[i].user);
    EXPECT_EQ(again[i].product, grants[i].product);
  }
  const Catalogue& cat = spec().catalogue();
  for (const CouponGrant& g : grants) {
    EXPECT_NE(g.product, ours[0]) << "the world never sends coupons for our products";
    EXPECT_GT(spec().users()[g.user].Interest(cat.product(g.product).category), 0.0f)
        << "coupons target a category the user buys";
    EXPECT_GT(g.value.micros(), 0);
    EXPECT_LT(g.value, cat.product(g.product).shelf_price);
    EXPECT_EQ(g.expires, day * kMinutesPerDay + 7 * kMinutesPerDay);
  }
  EXPECT_EQ(w.truth().coupons_issued, grants.size());
  // Holders look their coupon products up in the mall and some redeem them.
  uint64_t used = 0, shown = 0;
  for (uint32_t k = 0; k < 400; ++k) {
    for (const CouponGrant& g : grants) {
      Session s;
      s.id = (static_cast<uint64_t>(k) << 32) | g.user;
      s.minute = day * kMinutesPerDay + 60 + k * 10;
      s.user = g.user;
      s.channel = Channel::kMall;
      s.slots = 1;
      const OrganicOutcome o = w.ServeOrganic(s, 0);
      shown += o.product == g.product;
      used += o.coupon_used;
    }
  }
  EXPECT_GT(shown, grants.size());
  EXPECT_GT(used, 0u);
  EXPECT_EQ(w.truth().coupons_redeemed, used);
  EXPECT_LE(used, grants.size()) << "a coupon is redeemed at most once";
}

TEST_F(WorldTest, SponsoredPostsChargeFeesAndReachFollowers) {
  World w(spec(), {});
  const uint32_t day = spec().flight_start() / kMinutesPerDay;
  w.StartDay(day);
  ASSERT_FALSE(w.posts().empty());
  Money fees;
  for (const SponsoredPost& p : w.posts()) {
    fees += p.fee;
    EXPECT_EQ(p.end - p.start, kMinutesPerDay);
    EXPECT_EQ(spec().catalogue().product(p.product).category,
              spec().influencers()[p.influencer].topic);
  }
  EXPECT_EQ(w.truth().influencer_fees, fees);
  // A follower's feed shows the post while it runs, never before it starts.
  const SponsoredPost& post = w.posts().front();
  const auto& followers = spec().influencers()[post.influencer].followers;
  ASSERT_FALSE(followers.empty());
  const ContentId post_id = w.PostContentId(0);
  int during = 0, before = 0;
  for (uint32_t k = 0; k < 200; ++k) {
    for (SimMinute m : {post.start + 30, post.start > 0 ? post.start - 1 : 0}) {
      Session s;
      s.id = (static_cast<uint64_t>(m) << 20) | k;
      s.minute = m;
      s.user = followers[k % followers.size()];
      s.channel = Channel::kFeed;
      s.slots = 1;
      const OrganicOutcome o = w.ServeOrganic(s, 1);
      if (o.content == post_id) (m > post.start ? during : before) += 1;
    }
  }
  EXPECT_GT(during, 5);
  EXPECT_EQ(before, 0);
}

}  // namespace
}  // namespace cf
