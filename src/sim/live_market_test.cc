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

}  // namespace
}  // namespace cf
