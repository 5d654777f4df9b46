#include "sim/live_market.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "market/completejourney.h"

namespace cf {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

bool HaveData() { return fs::exists(DefaultDataDir() / "completejourney" / "products.csv"); }
#define CF_REQUIRE_DATA()                                               \
  if (!HaveData())                                                      \
  GTEST_SKIP() << "no data at " << DefaultDataDir() / "completejourney" \
               << "; put ../shared/data beside the repo or set CHENGFANG_DATA"

SimConfig SmallWorld() {
  SimConfig c = SimConfig::Quick();
  c.scenario.days = 2;
  // One creative per product (the single-creative baseline): these tests follow a product's one
  // live creative through the merchant's rotations and the diagnosis (with the default bandit,
  // the pool's own wear-out test pauses worn creatives before a diagnosis needs to).
  c.platform.creatives = "single";
  return c;
}

// The small world with the full roster of creators, few of them booked on any day.
SimConfig CreatorWorld() {
  SimConfig c = SmallWorld();
  c.market.influencers.count = 300;
  c.market.influencers.posts_per_day = 10;
  return c;
}

LiveMarketOptions Options(const fs::path& state) {
  LiveMarketOptions o;
  o.data_dir = DefaultDataDir();
  o.state_path = state.string();
  o.progress_out = nullptr;
  return o;
}

fs::path FreshState(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / (name + std::to_string(::getpid()) + ".sqlite");
  for (const char* ext : {"", "-wal", "-shm"}) fs::remove(p.string() + ext);
  return p;
}

// A merchant creates a super plan through the action API; the market runs it for some hours; a
// server started again on the same state file replays the journal and reaches the same minute
// with identical plan results, and the audit log holds the merchant's change and the autopilot's.
TEST(LiveMarket, RunsAPlanAndResumesIdenticallyFromItsStateFile) {
  CF_REQUIRE_DATA();
  const fs::path state = FreshState("cf_live_");
  Json plan_after, report_after;
  SimMinute minute = 0;
  {
    LiveMarket market(SmallWorld(), Options(state));
    action::ActionApi& api = market.api();
    const Json products = api.Call("search_products", {{"limit", 3}})["products"];
    ASSERT_EQ(products.size(), 3u);
    Json ids = Json::array();
    for (const Json& p : products) ids.push_back(p["id"]);
    market.Advance(90);  // 01:30 on day 0
    const Json created = api.Call("create_super_plan",
                                  {{"budget", 400.0},
                                   {"target", 1.5},
                                   {"products", ids},
                                   {"flight_days", 2},
                                   {"confirm", true}},
                                  {"merchant:test"});
    ASSERT_TRUE(created["applied"].get<bool>()) << created.dump();
    const int id = created["plan_id"].get<int>();
    market.Advance(10 * 60);
    api.Call("update_ad_plan_budget", {{"plan_id", id}, {"total_budget", 500.0}, {"confirm", true}},
             {"merchant:test"});
    market.Advance(13 * 60 + 7);  // past midnight: the pilot plans day 1
    plan_after = api.Call("get_ad_plan", {{"plan_id", id}});
    report_after = api.Call("get_report", {{"granularity", "hour"}});
    minute = market.now();
    EXPECT_GT(plan_after["metrics"]["impressions"].get<uint64_t>(), 0u) << plan_after.dump();
    EXPECT_LE(plan_after["spent_total"].get<double>(), 500.0);
    // One row per hour that ended with the plan live: 02:00 of day 0 to 00:00 of day 1.
    EXPECT_EQ(report_after["rows"].size(), 23u);
    EXPECT_EQ(market.now() - market.flight_start(), 90u + 600u + 13 * 60 + 7);
    const Json changes = api.Call("list_changes", {{"limit", 500}})["changes"];
    int merchant = 0, autopilot = 0;
    for (const Json& c : changes) {
      merchant += c["actor"] == "merchant:test";
      autopilot += c["actor"] == "autopilot";
    }
    EXPECT_EQ(merchant, 2);
    EXPECT_GT(autopilot, 0);
  }
  LiveMarket again(SmallWorld(), Options(state));
  EXPECT_GE(again.now(), minute - minute % 60);
  again.Advance(minute - again.now());
  ASSERT_EQ(again.now(), minute);
  const int id = plan_after["id"].get<int>();
  const Json plan = again.api().Call("get_ad_plan", {{"plan_id", id}});
  EXPECT_EQ(plan["metrics"], plan_after["metrics"]);
  EXPECT_EQ(plan["total_budget"], 500.0);
  EXPECT_EQ(again.api().Call("get_report", {{"granularity", "hour"}}), report_after);

  // Another world on this state file is refused before anything runs.
  SimConfig other = SmallWorld();
  other.scenario.seed = 7;
  try {
    LiveMarket wrong(other, Options(state));
    ADD_FAILURE() << "opened a state file made with another seed";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("another configuration"), std::string::npos) << e.what();
  }
  for (const char* ext : {"", "-wal", "-shm"}) fs::remove(state.string() + ext);
}

// Marketing beyond ads in the real market: a rotated-in creative is served, a sponsored post of
// the creator whose followers fit best is seen by them, coupons reach interested users; a server
// started again on the same state file replays all of it to the same results.
TEST(LiveMarket, RotatesCreativesOrdersInfluencersAndIssuesCouponsThenResumes) {
  CF_REQUIRE_DATA();
  const fs::path state = FreshState("cf_live_mkt_");
  Json creatives_after, orders_after, coupon;
  SimMinute minute = 0;
  int product = -1;
  {
    LiveMarket market(CreatorWorld(), Options(state));
    action::ActionApi& api = market.api();
    const Json products = api.Call("search_products", {{"limit", 2}})["products"];
    product = products[0]["id"].get<int>();
    const Json created = api.Call("create_super_plan",
                                  {{"budget", 300.0},
                                   {"target", 1.5},
                                   {"products", {product, products[1]["id"]}},
                                   {"flight_days", 2},
                                   {"confirm", true}},
                                  {"merchant:test"});
    ASSERT_TRUE(created["applied"].get<bool>()) << created.dump();
    market.Advance(6 * 60);
    const Json before = api.MarketCreatives(product);
    ASSERT_EQ(before.size(), 1u);
    EXPECT_GT(before[0]["impressions"].get<uint64_t>(), 0u) << before.dump();
    const Json rotated = api.Call("rotate_creatives", {{"product_id", product}, {"confirm", true}},
                                  {"merchant:test"});
    ASSERT_TRUE(rotated["applied"].get<bool>()) << rotated.dump();
    const int fresh = rotated["added"][0]["creative_id"].get<int>();

    const Json found = api.Call("search_influencers", {{"product_id", product}, {"limit", 5}});
    ASSERT_EQ(found["influencers"].size(), 5u) << found.dump();
    const Json& best = found["influencers"][0];
    EXPECT_GT(best["audience_fit"].get<double>(), 1.5) << found.dump();
    // Fit comes from followers' observed interests only; creators who post about the category
    // gather followers who like it, so they rank first.
    EXPECT_EQ(best["content_category"], found["category"]) << found.dump();
    int on_topic = 0;
    for (const Json& c : found["influencers"])
      on_topic += c["content_category"] == found["category"];
    EXPECT_GE(on_topic, 3) << found.dump();
    int pick = -1;
    for (const Json& c : found["influencers"])
      if (c["available"].get<bool>() && pick < 0) pick = c["influencer_id"].get<int>();
    ASSERT_GE(pick, 0);
    const Json order = api.Call(
        "create_influencer_order",
        {{"influencer_id", pick}, {"product_id", product}, {"confirm", true}}, {"merchant:test"});
    ASSERT_TRUE(order["applied"].get<bool>()) << order.dump();
    coupon = api.Call(
        "issue_coupon",
        {{"product_id", product}, {"discount", 0.15}, {"max_users", 200}, {"confirm", true}},
        {"merchant:test"});
    ASSERT_TRUE(coupon["applied"].get<bool>()) << coupon.dump();
    EXPECT_EQ(coupon["users"], 200);

    market.Advance(20 * 60);
    creatives_after = api.MarketCreatives(product);
    ASSERT_EQ(creatives_after.size(), 2u);
    EXPECT_EQ(creatives_after[0]["creative_id"], fresh);
    EXPECT_TRUE(creatives_after[0]["live"].get<bool>());
    EXPECT_GT(creatives_after[0]["impressions"].get<uint64_t>(), 0u) << creatives_after.dump();
    EXPECT_EQ(creatives_after[1]["impressions"], before[0]["impressions"]);  // paused: no more
    orders_after = api.Call("list_influencer_orders", Json::object());
    ASSERT_EQ(orders_after["orders"].size(), 1u);
    EXPECT_GT(orders_after["orders"][0]["views"].get<uint64_t>(), 0u) << orders_after.dump();
    minute = market.now();
  }
  LiveMarket again(CreatorWorld(), Options(state));
  again.Advance(minute - again.now());
  ASSERT_EQ(again.now(), minute);
  EXPECT_EQ(again.api().MarketCreatives(product), creatives_after);
  EXPECT_EQ(again.api().Call("list_influencer_orders", Json::object()), orders_after);
  for (const char* ext : {"", "-wal", "-shm"}) fs::remove(state.string() + ext);
}

// The merchant's loop closed in the live market: creatives wear out (a scripted fault), the
// plan's diagnosis names the wear-out with a ready-to-apply rotation, and applying it brings the
// product's click-through rate back.
TEST(LiveMarket, DiagnosedWearOutIsFixedByTheSuggestedRotation) {
  CF_REQUIRE_DATA();
  SimConfig c = SmallWorld();
  c.scenario.days = 3;
  FaultSpec wear;
  wear.type = "creative_wearout";
  wear.start_day = 1.0;
  wear.hours = 48;
  wear.magnitude = 8;
  c.market.faults = {wear};
  LiveMarket market(c, Options(":memory:"));
  action::ActionApi& api = market.api();
  const Json products = api.Call("search_products", {{"limit", 3}})["products"];
  Json ids = Json::array();
  for (const Json& p : products) ids.push_back(p["id"]);
  const Json created = api.Call("create_super_plan",
                                {{"budget", 900.0},
                                 {"target", 1.2},
                                 {"products", ids},
                                 {"flight_days", 3},
                                 {"confirm", true}},
                                {"merchant:test"});
  ASSERT_TRUE(created["applied"].get<bool>()) << created.dump();
  const int plan = created["plan_id"].get<int>();
  market.Advance(kMinutesPerDay + 18 * 60);
  const Json d = api.Call("diagnose_ad_plan", {{"plan_id", plan}});
  Json rotate;
  for (const Json& cause : d["causes"]) {
    if (cause["cause"] != "creative_wear_out") continue;
    for (const Json& act : cause["actions"])
      if (act.contains("action")) rotate = act["action"];
  }
  ASSERT_FALSE(rotate.is_null()) << d["report"].get<std::string>()
                                 << api.MarketCreatives(std::nullopt).dump();
  EXPECT_EQ(rotate["name"], "rotate_creatives");
  const int product = rotate["arguments"]["product_id"].get<int>();
  const int worn = rotate["arguments"]["pause_creative_ids"][0].get<int>();
  const Json applied = api.Call("rotate_creatives", rotate["arguments"], {"merchant:test"});
  ASSERT_TRUE(applied["applied"].get<bool>()) << applied.dump();
  const Json worn_before = api.MarketCreatives(product);
  market.Advance(6 * 60);
  const Json now = api.MarketCreatives(product);
  const Json& fresh = now[0];
  ASSERT_TRUE(fresh["live"].get<bool>());
  ASSERT_GT(fresh["impressions"].get<uint64_t>(), 200u) << now.dump();
  // The worn creative's recent click-through rate against the fresh one's.
  double worn_recent = 0;
  for (const Json& v : worn_before)
    if (v["creative_id"] == worn) worn_recent = v["wearout"]["recent_ctr"].get<double>();
  EXPECT_GT(fresh["ctr"].get<double>(), 1.5 * worn_recent) << now.dump();
}

}  // namespace
}  // namespace cf
