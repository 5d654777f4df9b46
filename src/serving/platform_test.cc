#include "serving/platform.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cf {

// Readable Money values in assertion messages.
[[maybe_unused]] static void PrintTo(const Money& m, std::ostream* os) { *os << m.ToString(); }

namespace {

constexpr size_t kUsers = 10;

// Two merchants, two categories, six products.
Catalogue TinyCatalogue() {
  Catalogue c;
  c.departments = {"GROCERY", "DRUG GM"};
  c.categories = {"SOFT DRINKS", "SHAMPOO"};
  c.category_department = {0, 1};
  c.types = {"COLA", "SHAMPOO 12OZ"};
  c.type_category = {0, 1};
  c.merchants.resize(2);
  for (MerchantId m = 0; m < 2; ++m) {
    c.merchants[m].id = m;
    c.merchants[m].source_id = 100 + m;
    c.merchants[m].name = m == 0 ? "Fizz Co" : "Clean Co";
  }
  for (ProductId p = 0; p < 6; ++p) {
    Product prod;
    prod.id = p;
    prod.source_id = 1000 + p;
    prod.merchant = p % 2;
    prod.category = p < 4 ? 0 : 1;
    prod.department = prod.category;
    prod.type = prod.category;
    prod.shelf_price = Money::FromUnits(1.5 + p);
    prod.unit_cost = Money::FromUnits(0.8 + 0.5 * p);
    prod.price_observed = true;
    c.products.push_back(prod);
  }
  c.Reindex();
  return c;
}

AdPlan CpcPlan(std::string name, std::vector<ProductId> products, double bid, double total,
               double daily = 0) {
  AdPlan p;
  p.merchant = products.empty() ? 0 : products.front() % 2;
  p.name = std::move(name);
  p.products = std::move(products);
  p.bid_type = BidType::kCpc;
  p.bid = Money::FromUnits(bid);
  p.total_budget = Money::FromUnits(total);
  p.daily_budget = Money::FromUnits(daily);
  return p;
}

class PlatformTest : public ::testing::Test {
 protected:
  PlatformTest()
      : catalogue_(TinyCatalogue()),
        log_(EventLog::InMemory()),
        platform_(catalogue_, *log_, kUsers, PlatformConfig{0.1, false}) {}

  Opportunity Opp(UserId u, SimMinute minute) {
    Opportunity o;
    o.key = ++next_key_ * 64;
    o.minute = minute;
    o.user = u;
    o.channel = Channel::kFeed;
    return o;
  }

  // Every event of the run's log for user u.
  std::vector<Event> EventsOf(UserId u) const {
    std::vector<Event> out;
    log_->History(u).ForEach([&](const Event& e) { out.push_back(e); });
    return out;
  }

  Catalogue catalogue_;
  std::unique_ptr<EventLog> log_;
  Platform platform_;
  uint64_t next_key_ = 0;
};

void ExpectRejected(Platform& platform, const AdPlan& plan, const std::string& needle) {
  try {
    platform.AddPlan(plan);
    ADD_FAILURE() << "plan '" << plan.name << "' was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message '" << e.what() << "' should mention '" << needle << "'";
    EXPECT_NE(std::string(e.what()).find(plan.name), std::string::npos) << e.what();
  }
}

TEST_F(PlatformTest, AddPlanRejectsInvalidPlansAndRegistersNothing) {
  ExpectRejected(platform_, CpcPlan("empty", {}, 1.0, 10), "no products");
  ExpectRejected(platform_, CpcPlan("ghost", {0, 6}, 1.0, 10), "product 6");
  ExpectRejected(platform_, CpcPlan("broke", {0}, 1.0, 0), "total budget");
  AdPlan no_bid = CpcPlan("nobid", {0}, 0.0, 10);
  ExpectRejected(platform_, no_bid, "bid");
  AdPlan nowhere = CpcPlan("nowhere", {0}, 1.0, 10);
  nowhere.channels = ChannelSet::None();
  ExpectRejected(platform_, nowhere, "no channel");

  EXPECT_TRUE(platform_.plans().empty());
  EXPECT_EQ(platform_.ledger().size(), 0u);
  EXPECT_TRUE(platform_.TakeNewCreatives().empty());

  // A valid plan afterwards gets the first id, a ledger account and creatives.
  const PlanId id = platform_.AddPlan(CpcPlan("good", {0, 2}, 1.0, 10));
  EXPECT_EQ(id, 0u);
  EXPECT_EQ(platform_.plans().size(), 1u);
  EXPECT_EQ(platform_.ledger().size(), 1u);
  EXPECT_EQ(platform_.ledger().total_budget(id), Money::FromUnits(10));
  // Each product gets a pool of creative_pool variants (the default bandit), in product order.
  const auto creatives = platform_.TakeNewCreatives();
  const size_t pool = PlatformConfig{}.creative_pool;
  ASSERT_EQ(creatives.size(), 2 * pool);
  for (size_t i = 0; i < creatives.size(); ++i) EXPECT_EQ(creatives[i].product, i < pool ? 0u : 2u);

  // A rejected plan after it does not take an id either.
  ExpectRejected(platform_, CpcPlan("ghost2", {99}, 1.0, 10), "product 99");
  EXPECT_EQ(platform_.AddPlan(CpcPlan("second", {1}, 1.0, 10)), 1u);
  EXPECT_EQ(platform_.ledger().size(), 2u);

  // UpdatePlan validates too and leaves the plan as it was.
  AdPlan bad = platform_.plan(0);
  bad.total_budget = Money::Zero();
  EXPECT_THROW(platform_.UpdatePlan(bad), std::invalid_argument);
  EXPECT_EQ(platform_.plan(0).total_budget, Money::FromUnits(10));
  EXPECT_EQ(platform_.ledger().total_budget(0), Money::FromUnits(10));
}

TEST_F(PlatformTest, PlansEndWhenTheirEndDayStarts) {
  AdPlan p = CpcPlan("short", {0}, 1.0, 100);
  p.start_day = 0;
  p.end_day = 2;
  const PlanId id = platform_.AddPlan(p);
  platform_.StartDay(1);
  platform_.Upkeep(0);
  EXPECT_EQ(platform_.plan(id).status, PlanStatus::kActive);
  EXPECT_TRUE(platform_.Decide(Opp(1, 1440)).shown);
  platform_.StartDay(2);
  platform_.Upkeep(2880);
  EXPECT_EQ(platform_.plan(id).status, PlanStatus::kEnded);
  EXPECT_FALSE(platform_.Decide(Opp(2, 2880)).shown);
}

TEST_F(PlatformTest, DecideAndResolveLogEventsAndChargeThePrice) {
  const PlanId ours = platform_.AddPlan(CpcPlan("ours", {0}, 1.0, 100));
  const PlanId rival = platform_.AddPlan(CpcPlan("rival", {2}, 0.5, 100));
  platform_.Upkeep(0);

  // 1. No click: an impression event, nothing charged.
  AdDecision d = platform_.Decide(Opp(3, 10));
  ASSERT_TRUE(d.shown);
  EXPECT_EQ(d.ad.ad.plan, ours);
  EXPECT_EQ(d.ad.ad.product, 0u);
  EXPECT_NE(d.creative, kNoId);
  EXPECT_FALSE(d.ad.per_mille);
  // Same category and no history: equal pCTRs, so the price is the rival's bid.
  EXPECT_EQ(d.price, Money::FromUnits(0.5));
  EXPECT_EQ(d.reserved, d.price);
  EXPECT_EQ(platform_.ledger().headroom(ours), Money::FromUnits(100) - d.reserved);
  platform_.Resolve(d, UserResponse{});
  EXPECT_EQ(platform_.ledger().spent_total(ours), Money::Zero());
  EXPECT_EQ(platform_.ledger().headroom(ours), Money::FromUnits(100));
  auto ev = EventsOf(3);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, EventType::kImpression);
  EXPECT_EQ(ev[0].plan, ours);
  EXPECT_EQ(ev[0].product, 0u);
  EXPECT_EQ(ev[0].ref, d.creative);
  EXPECT_EQ(ev[0].minute, 10u);
  EXPECT_EQ(ev[0].money, 0);

  // 2. Click and tracked purchase: impression, click (money = charge), purchase (money = paid).
  d = platform_.Decide(Opp(4, 11));
  ASSERT_TRUE(d.shown);
  ASSERT_EQ(d.ad.ad.plan, ours);
  EXPECT_LE(d.price, Money::FromUnits(1.0));
  UserResponse r;
  r.clicked = true;
  r.quantity = 2;
  r.paid = Money::FromUnits(3.0);
  r.tracked = true;
  platform_.Resolve(d, r);
  ev = EventsOf(4);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].type, EventType::kImpression);
  EXPECT_EQ(ev[0].money, 0);
  EXPECT_EQ(ev[1].type, EventType::kClick);
  EXPECT_EQ(ev[1].plan, ours);
  EXPECT_EQ(ev[1].money, d.price.micros());
  EXPECT_EQ(ev[2].type, EventType::kPurchase);
  EXPECT_EQ(ev[2].plan, ours);
  EXPECT_EQ(ev[2].product, 0u);
  EXPECT_EQ(ev[2].quantity, 2);
  EXPECT_EQ(ev[2].money, Money::FromUnits(3.0).micros());
  EXPECT_EQ(platform_.ledger().spent_total(ours), d.price);
  const Money first_charge = d.price;

  // 3. Click, purchase missed by tracking: no purchase event, no attributed GMV.
  d = platform_.Decide(Opp(5, 12));
  ASSERT_TRUE(d.shown);
  ASSERT_EQ(d.ad.ad.plan, ours);
  r.tracked = false;
  platform_.Resolve(d, r);
  ev = EventsOf(5);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].type, EventType::kImpression);
  EXPECT_EQ(ev[1].type, EventType::kClick);
  EXPECT_EQ(ev[1].money, d.price.micros());

  const PlanStats& st = platform_.stats(ours);
  EXPECT_EQ(st.total.impressions, 3u);
  EXPECT_EQ(st.total.clicks, 2u);
  EXPECT_EQ(st.total.purchases, 1u);
  EXPECT_EQ(st.total.gmv, Money::FromUnits(3.0));
  EXPECT_EQ(st.total.spend, first_charge + d.price);
  EXPECT_EQ(st.by_channel[static_cast<int>(Channel::kFeed)].clicks, 2u);
  EXPECT_EQ(st.by_channel[static_cast<int>(Channel::kLive)].impressions, 0u);
  EXPECT_EQ(platform_.ledger().spent_total(ours), st.total.spend);
  EXPECT_EQ(platform_.stats(rival).total.impressions, 0u);
  EXPECT_EQ(log_->size(), 6u);
}

// Records what the platform tells an observer about the plans it watches.
class RecordingObserver : public PlatformObserver {
 public:
  explicit RecordingObserver(PlanId watched) : watched_(watched) {}
  bool Watches(PlanId plan) const override { return plan == watched_; }
  void OnEvent(const Event& e) override { events.push_back(e); }
  void OnAuction(PlanId plan, const Opportunity& opp, double ecpm, double beat_cpm,
                 bool won) override {
    auctions.push_back({plan, opp.minute, ecpm, beat_cpm, won});
  }
  struct Auction {
    PlanId plan;
    SimMinute minute;
    double ecpm, beat_cpm;
    bool won;
  };
  std::vector<Event> events;
  std::vector<Auction> auctions;

 private:
  PlanId watched_;
};

TEST_F(PlatformTest, ObserverSeesTheWatchedPlansAuctionsAndEventsOnly) {
  const PlanId ours = platform_.AddPlan(CpcPlan("ours", {0}, 1.0, 100));
  const PlanId rival = platform_.AddPlan(CpcPlan("rival", {2}, 0.5, 100));
  platform_.Upkeep(0);
  RecordingObserver rival_watch(rival);
  platform_.set_observer(&rival_watch);
  AdDecision d = platform_.Decide(Opp(3, 10));
  ASSERT_TRUE(d.shown);
  ASSERT_EQ(d.ad.ad.plan, ours);
  UserResponse r;
  r.clicked = true;
  r.quantity = 1;
  r.paid = Money::FromUnits(2.0);
  r.tracked = true;
  platform_.Resolve(d, r);
  // The rival entered and lost to our eCPM; none of our events reach its observer.
  ASSERT_EQ(rival_watch.auctions.size(), 1u);
  EXPECT_EQ(rival_watch.auctions[0].plan, rival);
  EXPECT_FALSE(rival_watch.auctions[0].won);
  EXPECT_DOUBLE_EQ(rival_watch.auctions[0].beat_cpm, d.ad.ecpm);
  EXPECT_LT(rival_watch.auctions[0].ecpm, rival_watch.auctions[0].beat_cpm);
  EXPECT_TRUE(rival_watch.events.empty());

  RecordingObserver our_watch(ours);
  platform_.set_observer(&our_watch);
  d = platform_.Decide(Opp(4, 11));
  ASSERT_TRUE(d.shown);
  platform_.Resolve(d, r);
  ASSERT_EQ(our_watch.auctions.size(), 1u);
  EXPECT_TRUE(our_watch.auctions[0].won);
  EXPECT_EQ(our_watch.auctions[0].minute, 11u);
  ASSERT_EQ(our_watch.events.size(), 3u);  // impression, click, purchase, as logged
  EXPECT_EQ(our_watch.events[0].type, EventType::kImpression);
  EXPECT_EQ(our_watch.events[1].type, EventType::kClick);
  EXPECT_EQ(our_watch.events[2].type, EventType::kPurchase);
  EXPECT_EQ(our_watch.events[2].money, Money::FromUnits(2.0).micros());
  platform_.set_observer(nullptr);
  d = platform_.Decide(Opp(5, 12));
  platform_.Resolve(d, r);
  EXPECT_EQ(our_watch.events.size(), 3u);  // detached: nothing more
}

TEST_F(PlatformTest, NothingShownWithoutEligiblePlans) {
  AdPlan live_only = CpcPlan("live only", {0}, 1.0, 100);
  live_only.channels = ChannelSet::None();
  live_only.channels.Add(Channel::kLive);
  platform_.AddPlan(live_only);
  AdPlan paused = CpcPlan("paused", {1}, 1.0, 100);
  paused.status = PlanStatus::kPaused;
  platform_.AddPlan(paused);
  platform_.Upkeep(0);
  const AdDecision d = platform_.Decide(Opp(0, 1));  // feed
  EXPECT_FALSE(d.shown);
  platform_.Resolve(d, UserResponse{});  // a no-op
  EXPECT_EQ(log_->size(), 0u);
  EXPECT_EQ(platform_.ledger().spent_total(0), Money::Zero());
  Opportunity live = Opp(0, 2);
  live.channel = Channel::kLive;
  EXPECT_TRUE(platform_.Decide(live).shown);
}

// Plans close to the end of their budgets, every ad clicked: no plan is ever charged more than its
// budget, and the ledger, the plan's stats and the logged charges agree to the micro.
TEST_F(PlatformTest, NearlyExhaustedBudgetsAreNeverOverspent) {
  const PlanId a = platform_.AddPlan(CpcPlan("a", {0, 1}, 1.0, 2.5));  // at most 2 clicks at <= 1
  const PlanId b = platform_.AddPlan(CpcPlan("b", {2}, 0.9, 3.3));
  const PlanId c = platform_.AddPlan(CpcPlan("c", {3, 4}, 0.35, 1.0, 0.4));  // daily cap too
  AdPlan cpm = CpcPlan("cpm", {5}, 0, 0.05);
  cpm.bid_type = BidType::kCpm;
  cpm.bid = Money::FromUnits(40);  // per mille
  const PlanId d_cpm = platform_.AddPlan(cpm);
  platform_.Upkeep(0);

  std::map<PlanId, int64_t> logged;  // charges in the log, per plan
  std::map<PlanId, int> shown;
  int none = 0;
  SimMinute minute = 0;
  for (int day = 0; day < 3; ++day) {
    platform_.StartDay(day);
    for (int i = 0; i < 400; ++i) {
      minute = day * kMinutesPerDay + i;
      const AdDecision dec = platform_.Decide(Opp(static_cast<UserId>(i % kUsers), minute));
      if (!dec.shown) {
        ++none;
        continue;
      }
      ++shown[dec.ad.ad.plan];
      EXPECT_LE(dec.price, dec.ad.bid);
      UserResponse r;
      r.clicked = true;
      platform_.Resolve(dec, r);
      for (PlanId p = 0; p < platform_.plans().size(); ++p) {
        ASSERT_LE(platform_.ledger().spent_total(p), platform_.plan(p).total_budget)
            << "plan " << p;
        if (platform_.plan(p).daily_budget.micros() > 0) {
          ASSERT_LE(platform_.ledger().spent_today(p), platform_.plan(p).daily_budget);
        }
      }
    }
  }
  for (UserId u = 0; u < kUsers; ++u) {
    log_->History(u).ForEach([&](const Event& e) {
      if (e.type == EventType::kImpression || e.type == EventType::kClick)
        logged[e.plan] += e.money;
    });
  }
  for (PlanId p : {a, b, c, d_cpm}) {
    const Money spent = platform_.ledger().spent_total(p);
    EXPECT_LE(spent, platform_.plan(p).total_budget) << "plan " << p;
    EXPECT_EQ(platform_.stats(p).total.spend, spent) << "plan " << p;
    EXPECT_EQ(Money::Micros(logged[p]), spent) << "plan " << p;
    EXPECT_GT(shown[p], 0) << "plan " << p << " never won";
    // Each plan but c was stopped by its budget: what is left is less than one maximum charge.
    // (c competes, once a and b are spent, with nobody: a plan never bids against itself, so
    // its clicks cost the reserve price and its budgets last.)
    if (p == c) continue;
    const Money max_charge = platform_.plan(p).bid_type == BidType::kCpm
                                 ? Money::Micros(platform_.plan(p).bid.micros() / 1000 + 1)
                                 : platform_.plan(p).bid;
    EXPECT_LT(platform_.plan(p).total_budget - spent, max_charge) << "plan " << p;
  }
  EXPECT_GT(none, 0);  // at the end nobody can pay any more
  // Plan c could spend 0.40 a day at most.
  EXPECT_GT(shown[c], 2);
}

}  // namespace
}  // namespace cf

namespace cf {
namespace {

TEST(PlatformSearch, SearchExpansionSettingsAreChecked) {
  const Catalogue catalogue = TinyCatalogue();
  auto log = EventLog::InMemory();
  PlatformConfig c;
  c.search_expansion = "synonyms";
  try {
    Platform p(catalogue, *log, kUsers, c);
    ADD_FAILURE() << "an unknown search expansion was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("use kg, kg_only or none"), std::string::npos) << e.what();
  }
  // A graph given by name must reach the catalogue.
  const std::string graph = ::testing::TempDir() + "/pets.kg";
  {
    std::ofstream out(graph);
    out << "chengfang-kg 1\ncategory dog_food\n  zh: 狗粮\n  en: dog food\n  catalogue: DOG "
           "FOODS\n";
  }
  c.search_expansion = "kg";
  c.knowledge_graph = graph;
  try {
    Platform p(catalogue, *log, kUsers, c);
    ADD_FAILURE() << "a graph reaching no category was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no category of the graph reaches the catalogue"),
              std::string::npos)
        << e.what();
  }
  // With the shipped graph on, a search opportunity reads its query's text from the run's log (the
  // graph's mapping and ranking are checked in kg_query_expansion_test.cc) and is served.
  c.knowledge_graph.clear();
  c.even_delivery = false;
  Platform p(catalogue, *log, kUsers, c);
  p.AddPlan(CpcPlan("drinks", {0, 2}, 1.0, 100));
  p.Upkeep(0);
  Opportunity o;
  o.key = 64;
  o.minute = 1;
  o.user = 3;
  o.channel = Channel::kSearch;
  o.query = log->InternQuery("soft drinks for a party");
  const AdDecision d = p.Decide(o);
  EXPECT_TRUE(d.shown);
}

}  // namespace
}  // namespace cf
