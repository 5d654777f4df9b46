#include "action/action_api.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "action/action_catalogue.h"
#include "action/test_account.h"
#include "diagnosis/sub_agents.h"

namespace cf::action {
namespace {

using Json = nlohmann::json;

using fixtures::TestAccount;

class ActionApiTest : public ::testing::Test {
 protected:
  ActionApiTest() : store_(":memory:"), api_(account_, store_, Rails()) {}
  static Guardrails Rails() {
    Guardrails g;
    g.max_budget_change_per_day = 0.6;
    g.max_influencer_fees_per_day = 310;
    return g;
  }
  Json Create(Json extra = Json::object()) {
    Json a = {{"budget", 100.0}, {"objective", "gmv_roi"}, {"target", 2.0}, {"products", {0, 2}}};
    a.update(extra);
    return api_.Call("create_super_plan", a);
  }
  // Expects the call to fail with `code` and a message containing `needle`, changing nothing.
  void ExpectError(const std::string& name, const Json& args, const std::string& code,
                   const std::string& needle) {
    const size_t plans = account_.platform().plans().size();
    const size_t audit = store_.entries().size();
    try {
      api_.Call(name, args);
      ADD_FAILURE() << name << " " << args.dump() << " succeeded";
    } catch (const ActionError& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_EQ(account_.platform().plans().size(), plans);
    EXPECT_EQ(store_.entries().size(), audit);
  }

  // User u watches product p's organic videos `times` times (what the platform's affinity learns).
  void Watch(UserId u, ProductId p, int times) {
    Event e;
    e.type = EventType::kOrganicView;
    e.user = u;
    e.product = p;
    for (int k = 0; k < times; ++k) account_.platform().LogEvent(e);
  }

  TestAccount account_;
  StateStore store_;
  ActionApi api_;
};

TEST_F(ActionApiTest, WritesAreDryRunsUnlessConfirmed) {
  const Json r = Create();
  EXPECT_TRUE(r["dry_run"].get<bool>());
  EXPECT_FALSE(r["applied"].get<bool>());
  EXPECT_EQ(r["after"]["products"], Json({0, 2}));
  EXPECT_TRUE(account_.platform().plans().empty());
  EXPECT_TRUE(store_.entries().empty());
}

TEST_F(ActionApiTest, CreateListGetAndAudit) {
  const Json r = Create({{"confirm", true}, {"name", "Winter"}});
  ASSERT_TRUE(r["applied"].get<bool>());
  const PlanId id = r["plan_id"].get<PlanId>();
  ASSERT_EQ(account_.platform().plans().size(), 1u);
  EXPECT_EQ(account_.platform().plan(id).bid_type, BidType::kAuto);
  EXPECT_EQ(account_.platform().plan(id).total_budget, Money::FromUnits(100));

  const Json list = api_.Call("list_ad_plans", Json::object());
  ASSERT_EQ(list["plans"].size(), 1u);
  EXPECT_EQ(list["plans"][0]["name"], "Winter");
  EXPECT_EQ(list["plans"][0]["objective"], "gmv_roi");
  EXPECT_DOUBLE_EQ(list["plans"][0]["target_roi"].get<double>(), 2.0);

  const Json plan = api_.Call("get_ad_plan", {{"plan_id", id}});
  EXPECT_EQ(plan["products"].size(), 2u);
  EXPECT_TRUE(plan["channels"].is_object());

  ASSERT_EQ(store_.entries().size(), 1u);
  const AuditEntry& e = store_.entries()[0];
  EXPECT_EQ(e.action, "create_super_plan");
  EXPECT_EQ(e.actor, "merchant");
  EXPECT_EQ(e.plan, static_cast<int64_t>(id));
  EXPECT_EQ(e.sim_minute, 10u);
  EXPECT_FALSE(e.wall_time.empty());
  const Json changes = api_.Call("list_changes", Json::object());
  ASSERT_EQ(changes["changes"].size(), 1u);
  EXPECT_EQ(changes["changes"][0]["after"]["name"], "Winter");
  EXPECT_EQ(changes["changes"][0]["args"]["name"], "Winter");
  EXPECT_FALSE(changes["changes"][0]["args"].contains("confirm"));
}

TEST_F(ActionApiTest, IdempotencyKeyAppliesOnceAndRefusesOtherArguments) {
  const Json first = Create({{"confirm", true}, {"idempotency_key", "k1"}});
  const Json again = Create({{"confirm", true}, {"idempotency_key", "k1"}});
  EXPECT_TRUE(again["replayed"].get<bool>());
  EXPECT_EQ(again["plan_id"], first["plan_id"]);
  EXPECT_EQ(account_.platform().plans().size(), 1u);
  ExpectError("create_super_plan",
              {{"budget", 200.0},
               {"target", 2.0},
               {"products", {0}},
               {"confirm", true},
               {"idempotency_key", "k1"}},
              "conflict", "idempotency key");
}

TEST_F(ActionApiTest, BadArgumentsAreRefusedWithTheFieldNamed) {
  ExpectError("create_super_plan", {{"budget", 100.0}, {"target", 2.0}, {"products", {1}}},
              "invalid_argument", "product 1 is not one of this merchant's");
  ExpectError("create_super_plan", {{"budget", "lots"}, {"target", 2.0}, {"products", {0}}},
              "invalid_argument", "'budget' must be a number");
  ExpectError("create_super_plan", {{"budget", 100.0}, {"products", {0}}}, "invalid_argument",
              "needs a 'target'");
  ExpectError("create_super_plan",
              {{"budget", 100.0}, {"target", 2.0}, {"products", {0}}, {"colour", 1}},
              "invalid_argument", "unknown argument 'colour'");
  ExpectError("create_super_plan", {{"target", 2.0}, {"products", {0}}}, "invalid_argument",
              "missing required argument 'budget'");
  ExpectError("create_super_plan", {{"budget", 5e7}, {"target", 2.0}, {"products", {0}}},
              "guardrail", "outside this account's limits");
  ExpectError("get_ad_plan", {{"plan_id", 7}}, "not_found", "no ad plan 7");
  ExpectError("launch_rockets", Json::object(), "not_found", "unknown action");
  ExpectError("list_ad_plans", {{"cursor", "zz"}}, "invalid_argument", "cursor");
}

TEST_F(ActionApiTest, BudgetGuardrailsPerCallAndPerDay) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  ExpectError("update_ad_plan_budget",
              {{"plan_id", id}, {"total_budget", 160.0}, {"confirm", true}}, "guardrail",
              "at most 50%");
  const Json ok = api_.Call("update_ad_plan_budget",
                            {{"plan_id", id}, {"total_budget", 140.0}, {"confirm", true}});
  EXPECT_TRUE(ok["applied"].get<bool>());
  EXPECT_EQ(account_.platform().plan(id).total_budget, Money::FromUnits(140));
  EXPECT_DOUBLE_EQ(account_.retargeted.at(id).first, 140.0);
  // 40 moved today; 50 more is within the per-call limit but beyond 60% of 140 = 84 for the day.
  ExpectError("update_ad_plan_budget",
              {{"plan_id", id}, {"total_budget", 190.0}, {"confirm", true}}, "guardrail",
              "daily limit");
  // A new simulated day resets the daily allowance.
  account_.now_ += kMinutesPerDay;
  EXPECT_TRUE(api_.Call("update_ad_plan_budget",
                        {{"plan_id", id}, {"total_budget", 190.0}, {"confirm", true}})["applied"]
                  .get<bool>());
  ExpectError("update_ad_plan_budget", {{"plan_id", id}, {"confirm", true}}, "invalid_argument",
              "give 'total_budget'");
}

TEST_F(ActionApiTest, DiagnosisNeedsReports) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  ExpectError("diagnose_ad_plan", {{"plan_id", id}}, "failed_precondition", "at least 4");
}

TEST_F(ActionApiTest, EndedPlansCannotChange) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  api_.Call("update_ad_plan_status", {{"plan_id", id}, {"status", "ended"}, {"confirm", true}});
  EXPECT_EQ(account_.platform().plan(id).status, PlanStatus::kEnded);
  ExpectError("update_ad_plan_status", {{"plan_id", id}, {"status", "active"}, {"confirm", true}},
              "failed_precondition", "has ended");
  ExpectError("update_ad_plan_budget",
              {{"plan_id", id}, {"total_budget", 110.0}, {"confirm", true}}, "failed_precondition",
              "has ended");
}

TEST_F(ActionApiTest, TheAutopilotMayChangeBidsOnlyAndIsAudited) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  AdPlan plan = account_.platform().plan(id);
  plan.autobid.alpha = 1.25;
  api_.AutopilotUpdateLocked(20, plan, {"day 0: aiming at ROI 2.00"}, true);
  EXPECT_DOUBLE_EQ(account_.platform().plan(id).autobid.alpha, 1.25);
  const AuditEntry& e = store_.entries().back();
  EXPECT_EQ(e.actor, "autopilot");
  EXPECT_EQ(e.sim_minute, 20u);
  EXPECT_DOUBLE_EQ(e.after["alpha"].get<double>(), 1.25);
  // Silent bid steps are applied without an audit entry.
  plan.autobid.alpha = 1.5;
  const size_t entries = store_.entries().size();
  api_.AutopilotUpdateLocked(25, plan, {}, true);
  EXPECT_EQ(store_.entries().size(), entries);
  // Budgets are the merchant's: refused, nothing changes.
  AdPlan richer = account_.platform().plan(id);
  richer.total_budget = Money::FromUnits(1000);
  EXPECT_THROW(api_.AutopilotUpdateLocked(30, richer, {"more"}, true), ActionError);
  EXPECT_EQ(account_.platform().plan(id).total_budget, Money::FromUnits(100));
  api_.Call("update_ad_plan_status", {{"plan_id", id}, {"status", "ended"}, {"confirm", true}});
  AdPlan late = account_.platform().plan(id);
  late.autobid.alpha = 9;
  EXPECT_THROW(api_.AutopilotUpdateLocked(40, late, {}, true), ActionError);
  EXPECT_DOUBLE_EQ(account_.platform().plan(id).autobid.alpha, 1.5);
}

TEST_F(ActionApiTest, BidChangesFollowThePlansObjective) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  ExpectError("update_ad_plan_bid", {{"plan_id", id}, {"target_cpa", 3.0}, {"confirm", true}},
              "invalid_argument", "set 'target_roi'");
  const Json r =
      api_.Call("update_ad_plan_bid", {{"plan_id", id}, {"target_roi", 2.5}, {"confirm", true}});
  EXPECT_DOUBLE_EQ(r["before"]["target_roi"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(r["after"]["target_roi"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(account_.retargeted.at(id).second, 2.5);
  EXPECT_DOUBLE_EQ(api_.Call("get_ad_plan", {{"plan_id", id}})["target_roi"].get<double>(), 2.5);
}

TEST_F(ActionApiTest, ReportsAddUpHourlyDeliveryAndSuggestionsAreApplicable) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  // Deliver a few impressions with clicks and a purchase, hour by hour (the test is the pilot:
  // it sets the bid multiplier).
  Platform& pf = account_.platform();
  AdPlan bidding = pf.plan(id);
  bidding.autobid.alpha = 50;
  pf.UpdatePlan(bidding);
  pf.StartDay(0);
  pf.Upkeep(0);
  uint64_t key = 1;
  uint64_t shown = 0;
  for (SimMinute hour = 1; hour <= 8; ++hour) {
    for (int i = 0; i < 30; ++i) {
      Opportunity o;
      o.key = 64 * key++;
      o.minute = (hour - 1) * 60 + i;
      o.user = static_cast<UserId>(i % 20);
      o.channel = Channel::kFeed;
      AdDecision d = pf.Decide(o);
      if (!d.shown) continue;
      ++shown;
      UserResponse r;
      r.clicked = i % 3 == 0;
      if (i % 9 == 0) {
        r.quantity = 1;
        r.paid = Money::FromUnits(20);
      }
      pf.Resolve(d, r);
    }
    api_.RecordHourLocked(hour * 60);
  }
  const Json total = api_.Call("get_report", {{"granularity", "total"}});
  ASSERT_EQ(total["rows"].size(), 1u);
  const PlanCounts& c = pf.stats(id).total;
  EXPECT_EQ(total["rows"][0]["impressions"].get<uint64_t>(), c.impressions);
  EXPECT_EQ(total["rows"][0]["clicks"].get<uint64_t>(), c.clicks);
  const Json hourly = api_.Call("get_report", {{"granularity", "hour"}, {"dimension", "channel"}});
  uint64_t sum = 0;
  for (const Json& row : hourly["rows"]) sum += row["impressions"].get<uint64_t>();
  EXPECT_EQ(sum, c.impressions);
  ASSERT_GT(shown, 0u) << "the plan won no auction";
  EXPECT_EQ(c.impressions, shown);
  // The diagnosis compares the last 4 hours with the 4 before, in either language.
  const Json d = api_.Call("diagnose_ad_plan", {{"plan_id", id}});
  EXPECT_EQ(d["window_hours"], 4);
  EXPECT_DOUBLE_EQ(
      d["before"]["impressions"].get<double>() + d["after"]["impressions"].get<double>(),
      static_cast<double>(c.impressions));
  EXPECT_FALSE(d["report"].get<std::string>().empty());
  ASSERT_TRUE(d["leads"].is_array());
  for (const Json& lead : d["leads"]) {
    EXPECT_LT(lead["confidence"].get<double>(), diagnosis::kExternalCauseFloor) << lead.dump();
    EXPECT_FALSE(lead.contains("actions")) << "nothing is to be done on a weak lead";
  }
  for (const Json& cause : d["causes"]) {
    for (const Json& act : cause["actions"]) {
      if (!act.contains("action")) continue;
      Json args = act["action"]["arguments"];
      args["confirm"] = false;
      EXPECT_NO_THROW(api_.Call(act["action"]["name"].get<std::string>(), args)) << act.dump();
    }
  }
  const std::string zh =
      api_.Call("diagnose_ad_plan", {{"plan_id", id}, {"language", "zh"}})["report"];
  EXPECT_NE(zh, d["report"].get<std::string>());
  ExpectError("diagnose_ad_plan", {{"plan_id", id}, {"language", "fr"}}, "invalid_argument",
              "en or zh");

  const Json s = api_.Call("get_bid_budget_suggestion", {{"plan_id", id}});
  for (const Json& sug : s["suggestions"]) {
    // Every suggestion is a valid call of the API (a dry run here).
    Json args = sug["action"]["arguments"];
    args["confirm"] = false;
    EXPECT_NO_THROW(api_.Call(sug["action"]["name"].get<std::string>(), args)) << sug.dump();
  }
}

// The merchant's one-off diagnosis reads the days before its two 24-hour windows, as the live
// watch does (the creatives' usual ageing, the products' CVR over up to a week), and says how much.
TEST_F(ActionApiTest, DiagnosisReadsUpToAWeekBeforeItsWindows) {
  const PlanId id = Create({{"confirm", true}})["plan_id"].get<PlanId>();
  Platform& pf = account_.platform();
  AdPlan bidding = pf.plan(id);
  bidding.autobid.alpha = 50;
  pf.UpdatePlan(bidding);
  uint64_t key = 1;
  auto deliver_days = [&](uint32_t from, uint32_t to) {
    for (uint32_t day = from; day < to; ++day) {
      pf.StartDay(day);
      for (SimMinute h = 0; h < 24; ++h) {
        const SimMinute hour_start = day * kMinutesPerDay + h * 60;
        pf.Upkeep(hour_start);
        for (int i = 0; i < 20; ++i) {
          Opportunity o;
          o.key = 64 * key++;
          o.minute = hour_start + i;
          o.user = static_cast<UserId>(i % 20);
          o.channel = Channel::kFeed;
          AdDecision d = pf.Decide(o);
          if (!d.shown) continue;
          UserResponse r;
          r.clicked = i % 4 == 0;
          pf.Resolve(d, r);
        }
        api_.RecordHourLocked(hour_start + 60);
      }
    }
  };
  deliver_days(0, 2);
  Json d = api_.Call("diagnose_ad_plan", {{"plan_id", id}});
  EXPECT_EQ(d["window_hours"], 24);
  EXPECT_EQ(d["history_hours"], 0);
  deliver_days(2, 4);
  d = api_.Call("diagnose_ad_plan", {{"plan_id", id}});
  EXPECT_EQ(d["window_hours"], 24);
  EXPECT_EQ(d["history_hours"], 48);
  deliver_days(4, 12);
  d = api_.Call("diagnose_ad_plan", {{"plan_id", id}});
  EXPECT_EQ(d["history_hours"], 7 * 24);  // a week at most
  EXPECT_EQ(d["before"]["impressions"], d["after"]["impressions"]);
}

TEST_F(ActionApiTest, AddedActionsAreCheckedListedAndRunWithoutTheLock) {
  ActionSpec spec;
  spec.name = "echo_twice";
  spec.title = "Echo";
  spec.description = "Test action";
  spec.input_schema = {{"type", "object"},
                       {"properties", {{"n", {{"type", "integer"}}}}},
                       {"required", {"n"}},
                       {"additionalProperties", false}};
  spec.output_schema = {{"type", "object"}};
  api_.AddAction(spec, [this](const Json& args, const CallContext& ctx) -> Json {
    // Not under the API's lock: a long action may call back into the API.
    const Json overview = api_.Call("get_account_overview", Json::object());
    if (ctx.progress) ctx.progress(1, 1, "done");
    return {{"twice", 2 * args["n"].get<int>()}, {"merchant", overview["merchant"]}};
  });
  double seen = 0;
  CallContext ctx;
  ctx.progress = [&](double done, double, const std::string&) { seen = done; };
  const Json r = api_.Call("echo_twice", {{"n", 21}}, ctx);
  EXPECT_EQ(r["twice"], 42);
  EXPECT_EQ(r["merchant"], "Fizz Co");
  EXPECT_EQ(seen, 1);
  ExpectError("echo_twice", {{"m", 1}}, "invalid_argument", "unknown argument 'm'");
  ExpectError("echo_twice", Json::object(), "invalid_argument", "missing required argument 'n'");
  bool listed = false;
  for (const ActionSpec& s : api_.Specs()) listed |= s.name == "echo_twice";
  EXPECT_TRUE(listed);
  EXPECT_THROW(api_.AddAction(spec, nullptr), std::invalid_argument);
}

// Rotation takes a live creative out of delivery and puts a fresh one (made today) in its place;
// a dry run changes nothing; creatives that are not live, or products of another merchant, are
// refused with the reason.
TEST_F(ActionApiTest, RotateCreativesReplacesTheLiveCreative) {
  Create({{"confirm", true}});
  const Json before = api_.MarketCreatives(0);
  ASSERT_EQ(before.size(), 1u);
  const int old_id = before[0]["creative_id"].get<int>();
  EXPECT_TRUE(before[0]["live"].get<bool>());
  EXPECT_EQ(before[0]["wearout"]["state"], "learning");
  account_.platform().TakeNewCreatives();

  const Json dry = api_.Call("rotate_creatives", {{"product_id", 0}});
  EXPECT_TRUE(dry["dry_run"].get<bool>());
  EXPECT_EQ(dry["after"]["paused"], Json({old_id}));
  EXPECT_EQ(api_.MarketCreatives(0), before);

  account_.now_ = 3 * kMinutesPerDay + 5;
  account_.platform().StartDay(3);
  const Json r = api_.Call("rotate_creatives", {{"product_id", 0}, {"confirm", true}});
  ASSERT_TRUE(r["applied"].get<bool>()) << r.dump();
  ASSERT_EQ(r["added"].size(), 1u);
  const int new_id = r["added"][0]["creative_id"].get<int>();
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(r["added"][0]["created_day"], 3);
  EXPECT_NE(r["added"][0]["hook"], before[0]["hook"]);
  EXPECT_EQ(r["live"], Json({new_id}));
  // The world is told about the new creative; the old one stays listed, paused.
  const std::vector<Creative> made = account_.platform().TakeNewCreatives();
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].id, static_cast<CreativeId>(new_id));
  const Json after = api_.MarketCreatives(0);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1]["creative_id"], old_id);
  EXPECT_FALSE(after[1]["live"].get<bool>());
  EXPECT_EQ(store_.entries().back().action, "rotate_creatives");

  ExpectError("rotate_creatives", {{"product_id", 0}, {"pause_creative_ids", {old_id}}},
              "invalid_argument", "not a live creative of product 0");

  // A creative made elsewhere (a creative factory manifest entry, passed as it is) goes live.
  const Json video = {{"file", "v1.mp4"},       {"url", "/creatives/p0/v1.mp4"},
                      {"template", "gym"},      {"scene", "gym"},
                      {"hook", "social_proof"}, {"hook_text", "Everyone at the gym drinks it"},
                      {"lang", "en"},           {"voice", "en-female"},
                      {"duration_s", 30},       {"render_seconds", 4.2}};
  const Json used = api_.Call("rotate_creatives",
                              {{"product_id", 0}, {"new_creatives", {video}}, {"confirm", true}});
  ASSERT_TRUE(used["applied"].get<bool>()) << used.dump();
  EXPECT_EQ(used["paused"], Json({new_id}));
  const Json& mine = used["added"][0];
  EXPECT_EQ(mine["hook"], "social_proof");
  EXPECT_EQ(mine["scene"], "gym");
  EXPECT_EQ(mine["template"], "gym");
  EXPECT_EQ(mine["duration_s"], 30);
  EXPECT_EQ(mine["lang"], "en");
  EXPECT_EQ(mine["media"], "/creatives/p0/v1.mp4");
  const std::vector<Creative> made2 = account_.platform().TakeNewCreatives();
  ASSERT_EQ(made2.size(), 1u);
  EXPECT_EQ(made2[0].voice, "en-female");
  EXPECT_EQ(made2[0].product, 0u);
  const int mine_id = mine["creative_id"].get<int>();
  ExpectError("rotate_creatives", {{"product_id", 0}, {"new_creatives", {video, video}}},
              "invalid_argument", "1 live creative(s)");
  ExpectError(
      "rotate_creatives",
      {{"product_id", 0}, {"pause_creative_ids", {mine_id}}, {"new_creatives", {video, video}}},
      "invalid_argument", "give one per paused creative");
  Json bad = video;
  bad["hook"] = "shouting";
  ExpectError("rotate_creatives", {{"product_id", 0}, {"new_creatives", {bad}}}, "invalid_argument",
              "new_creatives[0].hook: unknown hook style 'shouting'");
  bad = video;
  bad.erase("hook");
  ExpectError("rotate_creatives", {{"product_id", 0}, {"new_creatives", {bad}}}, "invalid_argument",
              "new_creatives[0].hook is required");
  ExpectError("rotate_creatives", {{"product_id", 1}}, "not_found", "not one of this merchant's");
  ExpectError("rotate_creatives", {{"product_id", 6}}, "failed_precondition",
              "no creative in the market yet");
}

// A coupon goes to the users whose observed interests fit the product's category best, is logged
// as received, and stays within the guardrails.
TEST_F(ActionApiTest, CouponsGoToTheBestFittingUsersWithinGuardrails) {
  // Users 0-4 watched soft drinks (category 0), users 5-9 shampoo; the rest nothing.
  for (UserId u = 0; u < 10; ++u) Watch(u, u < 5 ? 1 : 5, 1 + u % 5);
  const Json dry = api_.Call("issue_coupon", {{"product_id", 0}, {"discount", 0.1}});
  EXPECT_TRUE(dry["dry_run"].get<bool>());
  EXPECT_EQ(dry["after"]["users"], 5);
  EXPECT_DOUBLE_EQ(dry["after"]["value"].get<double>(), 0.2);  // 10% of 2.00
  EXPECT_DOUBLE_EQ(dry["after"]["max_cost_if_all_redeemed"].get<double>(), 1.0);
  EXPECT_TRUE(account_.coupons.empty());

  const Json r = api_.Call(
      "issue_coupon", {{"product_id", 0}, {"discount", 0.1}, {"max_users", 3}, {"confirm", true}});
  ASSERT_TRUE(r["applied"].get<bool>()) << r.dump();
  ASSERT_EQ(account_.coupons.size(), 3u);
  for (const auto& [u, p] : account_.coupons) {
    EXPECT_LT(u, 5u);
    EXPECT_EQ(p, 0u);
  }
  ExpectError("issue_coupon", {{"product_id", 0}, {"discount", 0.6}, {"confirm", true}},
              "guardrail", "over the guardrail of 50%");
  ExpectError("issue_coupon",
              {{"product_id", 0}, {"discount", 0.1}, {"days", 60}, {"confirm", true}}, "guardrail",
              "at most 30 days");
  ExpectError("issue_coupon", {{"product_id", 3}, {"discount", 0.1}}, "not_found",
              "not one of this merchant's");
  ExpectError("issue_coupon", {{"product_id", 0}}, "invalid_argument", "discount");
  EXPECT_EQ(account_.coupons.size(), 3u);
}

// Creators rank by how well their followers' observed interests fit the product; orders pay the
// fee, are refused while the creator is busy or past the day's fee guardrail, and are listed.
TEST_F(ActionApiTest, InfluencersRankByAudienceFitAndOrdersKeepToGuardrails) {
  // Creator 0's followers (users 0-9) watch soft drinks; creator 1's (10-19) shampoo.
  for (UserId u = 0; u < 20; ++u) Watch(u, u < 10 ? 1 : 5, 1);
  const Json drinks = api_.Call("search_influencers", {{"product_id", 0}});
  ASSERT_EQ(drinks["influencers"].size(), 2u);
  EXPECT_EQ(drinks["influencers"][0]["influencer_id"], 0);
  EXPECT_DOUBLE_EQ(drinks["influencers"][0]["audience_fit"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(drinks["influencers"][1]["audience_fit"].get<double>(), 0.0);
  EXPECT_EQ(drinks["influencers"][0]["followers_interested"], 10);
  EXPECT_EQ(drinks["category"], "SOFT DRINKS");
  const Json shampoo = api_.Call("search_influencers", {{"product_id", 4}});
  EXPECT_EQ(shampoo["influencers"][0]["influencer_id"], 1);
  const Json cheap = api_.Call("search_influencers", {{"product_id", 4}, {"max_fee", 100.0}});
  ASSERT_EQ(cheap["influencers"].size(), 1u);
  EXPECT_EQ(cheap["influencers"][0]["influencer_id"], 0);

  const Json dry = api_.Call("create_influencer_order", {{"influencer_id", 1}, {"product_id", 4}});
  EXPECT_TRUE(dry["dry_run"].get<bool>());
  EXPECT_EQ(dry["after"]["fee"], 300.0);
  EXPECT_TRUE(account_.InfluencerOrders().empty());
  const Json r = api_.Call("create_influencer_order",
                           {{"influencer_id", 1}, {"product_id", 4}, {"confirm", true}});
  ASSERT_TRUE(r["applied"].get<bool>()) << r.dump();
  ASSERT_EQ(account_.InfluencerOrders().size(), 1u);
  ExpectError("create_influencer_order",
              {{"influencer_id", 1}, {"product_id", 4}, {"confirm", true}}, "failed_precondition",
              "running or booked");
  ExpectError("create_influencer_order", {{"influencer_id", 9}, {"product_id", 4}}, "not_found",
              "no influencer 9");
  // 300 spent today: 20 more would pass this test's guardrail of 310 a day; tomorrow it does not.
  ExpectError("create_influencer_order",
              {{"influencer_id", 0}, {"product_id", 0}, {"confirm", true}}, "guardrail",
              "over the guardrail of 310.00 a day");
  account_.now_ += kMinutesPerDay;
  api_.Call("create_influencer_order",
            {{"influencer_id", 0}, {"product_id", 0}, {"confirm", true}});
  const Json list = api_.Call("list_influencer_orders", Json::object());
  EXPECT_EQ(list["orders"].size(), 2u);
  EXPECT_DOUBLE_EQ(list["fees_total"].get<double>(), 320.0);
}

TEST(ActionCatalogueTest, EverySpecIsAnObjectSchemaWithUniqueName) {
  std::set<std::string> names;
  for (const ActionSpec& s : ActionSpecs()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_EQ(s.input_schema["type"], "object") << s.name;
    EXPECT_EQ(s.output_schema["type"], "object") << s.name;
    EXPECT_FALSE(s.description.empty()) << s.name;
    // Every property of every schema is itself a schema (an object), never null.
    for (const nlohmann::json* schema : {&s.input_schema, &s.output_schema}) {
      for (const auto& [k, v] : (*schema)["properties"].items()) {
        EXPECT_TRUE(v.is_object()) << s.name << "." << k << " = " << v.dump();
      }
    }
    if (!s.read_only) {
      EXPECT_TRUE(s.input_schema["properties"].contains("confirm")) << s.name;
    }
  }
  EXPECT_NE(FindAction("create_super_plan"), nullptr);
  EXPECT_EQ(FindAction("nope"), nullptr);
}

}  // namespace
}  // namespace cf::action
