#include "server/action_tools.h"

#include <fmt/format.h>

#include <stdexcept>

#include "action/action_catalogue.h"

namespace cf::server {
namespace {

using Json = nlohmann::json;

// What every metric in reports and tools means.
Json MetricDictionary() {
  return {{"spend", "Money charged for ads (clicks for CPC and auto plans), currency units (USD)."},
          {"impressions", "Ads shown."},
          {"clicks", "Clicks on ads."},
          {"purchases", "Orders attributed to an ad click (tracked conversions)."},
          {"gmv", "Gross merchandise value of attributed orders, currency units."},
          {"roi", "GMV / spend (广告投入产出比)."},
          {"ctr", "clicks / impressions."},
          {"cvr", "purchases / clicks."},
          {"cpa", "spend / purchases."},
          {"alpha",
           "Super plans: the autopilot's bid multiplier; bid = alpha x the value of a "
           "conversion x the cell's multiplier."},
          {"daily_budget_used", "Share of the daily budget spent in the last 24 hours."},
          {"sim_time",
           "Simulated time: day of the flight and clock (the market runs faster than "
           "real time)."}};
}

std::string Summary(const std::string& name, const Json& r) {
  if (r.contains("message") && r["message"].is_string()) {
    return fmt::format("{}: {}\n{}", name, r["message"].get<std::string>(), r.dump(1));
  }
  return r.dump(1);
}

}  // namespace

void InstallActionTools(mcp::Registry& registry, action::ActionApi& api, const std::string& actor) {
  for (const action::ActionSpec& spec : api.Specs()) {
    mcp::Tool t;
    t.name = spec.name;
    t.title = spec.title;
    t.description = spec.description;
    t.input_schema = spec.input_schema;
    t.output_schema = spec.output_schema;
    t.read_only = spec.read_only;
    t.destructive = spec.destructive;
    t.idempotent = spec.idempotent;
    t.handler = [&api, actor, name = spec.name](const Json& args, mcp::ToolContext& tool) {
      try {
        action::CallContext ctx;
        ctx.actor = actor;
        ctx.progress = [&tool](double done, double total, const std::string& message) {
          tool.progress(done, total, message);
        };
        ctx.cancelled = [&tool] { return tool.cancelled(); };
        const Json r = api.Call(name, args, ctx);
        mcp::ToolResult out;
        out.structured = r;
        out.text = Summary(name, r);
        return out;
      } catch (const action::ActionError& e) {
        throw std::invalid_argument(fmt::format("{}: {}", e.code(), e.what()));
      }
    };
    registry.AddTool(std::move(t));
  }

  mcp::Resource snapshot;
  snapshot.uri = "chengfang://account/snapshot";
  snapshot.name = "account_snapshot";
  snapshot.title = "Account snapshot";
  snapshot.description = "The account now: overview and every plan with its metrics (JSON).";
  snapshot.mime_type = "application/json";
  snapshot.read = [&api] {
    Json j = api.Call("get_account_overview", Json::object());
    j["plans_detail"] = api.Call("list_ad_plans", {{"limit", 200}})["plans"];
    return j.dump(2);
  };
  registry.AddResource(std::move(snapshot));

  mcp::Resource dict;
  dict.uri = "chengfang://metrics/dictionary";
  dict.name = "metric_dictionary";
  dict.title = "Metric dictionary";
  dict.description = "What every metric in reports and tool results means.";
  dict.mime_type = "application/json";
  dict.read = [] { return MetricDictionary().dump(2); };
  registry.AddResource(std::move(dict));

  auto language = [](const Json& args) {
    return args.contains("language") && args["language"] == "zh" ? std::string("zh")
                                                                 : std::string("en");
  };
  mcp::Prompt weekly;
  weekly.name = "weekly_review";
  weekly.title = "Weekly review";
  weekly.description =
      "Review the last seven simulated days of the account: results against goals, what the "
      "autopilot changed, and what to do next.";
  weekly.arguments = {{"language", "en (default) or zh", false, {}}};
  weekly.get = [language](const Json& args) {
    const std::string text =
        language(args) == "zh"
            ? "请复盘本账户最近7天（模拟时间）的广告表现：先调用 get_account_overview 和 "
              "get_report（granularity=day），对照每个计划的目标（ROI 或 CPA）说明达成情况；"
              "调用 list_changes 总结自动驾驶和人工做过的调整；再对每个计划调用 "
              "get_bid_budget_suggestion，给出下周的预算与出价建议，并说明理由；"
              "调用 list_creatives 找出已衰退（worn_out）的创意，建议用 rotate_creatives "
              "轮换；调用 list_influencer_orders 评估达人投放的回报。"
            : "Review this account's last seven simulated days. Call get_account_overview and "
              "get_report (granularity day) and state, per plan, the results against its goal "
              "(ROI or CPA). Call list_changes to summarise what the autopilot and people "
              "changed. Then call get_bid_budget_suggestion for each active plan and recommend "
              "next week's budgets and goals, with the reason for each. Call list_creatives for "
              "creatives the wear-out test flags (worn_out) and suggest rotate_creatives for "
              "them; call list_influencer_orders to judge the sponsored posts' return.";
    return Json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}});
  };
  registry.AddPrompt(std::move(weekly));

  mcp::Prompt realloc;
  realloc.name = "budget_reallocation";
  realloc.title = "Budget reallocation";
  realloc.description =
      "Move budget between the account's plans towards the best marginal return, within the "
      "guardrails, as dry runs to confirm.";
  realloc.arguments = {{"change", "total budget to move, in currency units (optional)", false, {}},
                       {"language", "en (default) or zh", false, {}}};
  realloc.get = [language](const Json& args) {
    const std::string change = args.contains("change") && args["change"].is_string()
                                   ? args["change"].get<std::string>()
                                   : "";
    const std::string amount =
        change.empty() ? (language(args) == "zh" ? "合适的金额" : "a sensible amount") : change;
    const std::string text =
        language(args) == "zh"
            ? fmt::format(
                  "请在本账户的计划之间重新分配预算（{}）：调用 get_report（dimension=channel 和 "
                  "product）找出边际回报高与低的计划，用 update_ad_plan_budget 先做不带 confirm "
                  "的试运行，列出每笔调整前后的预算与理由，等我确认后再加 confirm: true 执行。",
                  amount)
            : fmt::format(
                  "Reallocate budget between this account's plans ({}). Call get_report "
                  "(dimension channel and product) to find plans with high and low marginal "
                  "return, then dry-run update_ad_plan_budget (without confirm) for each move and "
                  "list before/after and the reason. Apply with confirm: true only after I agree.",
                  amount);
    return Json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}});
  };
  registry.AddPrompt(std::move(realloc));
}

}  // namespace cf::server
