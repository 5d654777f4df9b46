// The action API: every command and query a merchant, an agent or the autopilot can run against
// one account, behind one implementation with three doors (in-process, HTTP, MCP). Promises:
//   - Each action is named like the MCP tool that exposes it and takes/returns JSON described by
//     its schemas (action/action_catalogue.h); arguments are checked field by field and a bad call
//     throws ActionError (with a code and a message naming the field) having changed nothing.
//   - Writes are dry runs unless `confirm: true`: a dry run reports before/after and changes
//   nothing.
//   - An `idempotency_key` makes a confirmed write happen once: a repeat with the same arguments
//     returns the first result; with other arguments it is a conflict.
//   - Every applied change is in the audit log (who, when, before, after) before it is reported.
//   - Guardrails: a budget may change by at most max_budget_change_per_call of its value per call
//     and max_budget_change_per_day per simulated day; a plan that has ended cannot be changed;
//     budgets stay within [min_plan_budget, max_plan_budget] and never below what is spent.
// Thread-safe: calls are serialised on mutex(), which the market's stepping thread also holds.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "action/account.h"
#include "action/action_catalogue.h"
#include "action/action_error.h"
#include "action/report_store.h"
#include "action/state_store.h"

namespace cf::action {

struct Guardrails {
  double max_budget_change_per_call = 0.5;  // share of the current budget
  double max_budget_change_per_day = 1.0;   // share of the budget at the start of the day
  double min_plan_budget = 10;              // currency units
  double max_plan_budget = 1'000'000;
  uint32_t max_flight_days = 365;
  size_t max_products = 50;
  double max_coupon_discount = 0.5;  // share of the price
  int64_t max_coupon_days = 30;
  size_t max_coupon_users = 20'000;          // per call
  double max_influencer_fees_per_day = 500;  // currency units per simulated day
};

struct CallContext {
  std::string actor = "merchant";  // who is acting: "merchant:http", "merchant:mcp", ...
  bool replay = false;             // re-applying the journal on restart: not logged again
  SimMinute replay_minute = 0;
  // Long actions report progress (done, total, message) and stop early when cancelled; both
  // optional.
  std::function<void(double, double, const std::string&)> progress;
  std::function<bool()> cancelled;
};

// An action implemented outside the API (the creative factory, the market's clock).
using ActionHandler = std::function<nlohmann::json(const nlohmann::json&, const CallContext&)>;

class ActionApi {
 public:
  ActionApi(Account& account, StateStore& store, Guardrails guardrails = {});

  // Runs action `name` (see ActionSpecs()) with `args`; returns its JSON result. Throws
  // ActionError. Locks mutex().
  nlohmann::json Call(const std::string& name, const nlohmann::json& args,
                      const CallContext& ctx = {});
  // As Call, for a caller that already holds mutex().
  nlohmann::json CallLocked(const std::string& name, const nlohmann::json& args,
                            const CallContext& ctx);

  // Adds an action implemented elsewhere: its arguments are checked against spec like the
  // built-in ones, then `handler` runs WITHOUT mutex() (it may take long; it must reach the
  // account only through Call). Call before serving. Throws std::invalid_argument on a name
  // already taken.
  void AddAction(ActionSpec spec, ActionHandler handler);
  // Every action: the catalogue's, then the added ones.
  std::vector<ActionSpec> Specs() const;

  std::mutex& mutex() { return mu_; }
  // Called by the market at the end of every simulated hour, with mutex() held.
  void RecordHourLocked(SimMinute hour_end);
  // The autopilot's door (with mutex() held): applies a change of one of the account's plans made
  // by its decision makers. The autopilot may change bids only (the autobid multiplier and cell
  // multipliers, the ROI target, the bid), never budgets, status, products or channels, and never
  // an ended plan: anything else throws ActionError (guardrail / failed_precondition) and changes
  // nothing. Changes that come with notes are audited as actor "autopilot" unless `audit` is
  // false (replaying the journal).
  void AutopilotUpdateLocked(SimMinute minute, const AdPlan& plan,
                             const std::vector<std::string>& notes, bool audit);

  const Guardrails& guardrails() const { return guardrails_; }
  const ReportStore& reports() const { return reports_; }
  StateStore& store() { return store_; }
  // The account's plans (those of its merchant), in id order.
  std::vector<PlanId> PlansLocked() const;
  // The creatives in the market of the merchant's products (or one product), with delivery and
  // wear-out state. Locks mutex().
  nlohmann::json MarketCreatives(std::optional<ProductId> product);

 private:
  using Json = nlohmann::json;
  Json Dispatch(const std::string& name, const Json& args, const CallContext& ctx);
  // Queries.
  Json AccountOverview(const Json& args);
  Json ListPlans(const Json& args);
  Json GetPlan(const Json& args);
  Json Report(const Json& args);
  Json Suggest(const Json& args);
  Json Diagnose(const Json& args);
  Json SearchProducts(const Json& args);
  Json ListChanges(const Json& args);
  Json SearchInfluencers(const Json& args);
  Json ListInfluencerOrders(const Json& args);
  // Writes.
  Json CreateSuperPlan(const Json& args, const CallContext& ctx);
  Json UpdateStatus(const Json& args, const CallContext& ctx);
  Json UpdateBudget(const Json& args, const CallContext& ctx);
  Json UpdateBid(const Json& args, const CallContext& ctx);
  // Marketing beyond ads (action/marketing_actions.cc).
  Json RotateCreatives(const Json& args, const CallContext& ctx);
  Json IssueCoupon(const Json& args, const CallContext& ctx);
  Json OrderInfluencer(const Json& args, const CallContext& ctx);

  // Shared write path: dry run or idempotent, audited apply.
  Json Write(const std::string& action, const Json& args, const CallContext& ctx, int64_t plan,
             const Json& before, const Json& after, const std::function<Json()>& apply);
  const AdPlan& OwnPlan(const Json& args);      // plan_id -> the account's plan, or throws
  const Product& OwnProduct(const Json& args);  // product_id -> the merchant's product, or throws
  uint32_t Today() const;                       // the current simulated day (absolute)
  double InfluencerFeesToday() const;
  Json PlanView(const AdPlan& p, bool detail) const;
  Json PlanSettings(const AdPlan& p) const;
  double BudgetChangedToday(PlanId id, SimMinute now) const;

  struct SuperInfo {
    Objective objective = Objective::kMaxGmvRoi;
    double target = 0;
    uint32_t flight_days = 0;
  };

  Account& account_;
  StateStore& store_;
  Guardrails guardrails_;
  ReportStore reports_;
  std::map<PlanId, SuperInfo> super_;
  std::vector<std::pair<ActionSpec, ActionHandler>> added_;
  std::mutex mu_;
};

}  // namespace cf::action
