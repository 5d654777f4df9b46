#include "action/action_catalogue.h"

namespace cf::action {
namespace {

using Json = nlohmann::json;

// Properties every write accepts.
Json WriteProps(Json props) {
  props["confirm"] = {{"type", "boolean"},
                      {"default", false},
                      {"description",
                       "Apply the change. Without it (the default) the call is a dry run that "
                       "reports what would change and changes nothing."}};
  props["idempotency_key"] = {
      {"type", "string"},
      {"minLength", 1},
      {"maxLength", 128},
      {"description",
       "Makes a confirmed write happen once: a retry with the same key and arguments returns the "
       "first result."}};
  return props;
}

const Json kPlanId = {{"type", "integer"}, {"minimum", 0}, {"description", "The ad plan's id."}};

// The result of a write: dry run or applied.
Json WriteResult() {
  return {{"type", "object"},
          {"properties",
           {{"dry_run", {{"type", "boolean"}}},
            {"applied", {{"type", "boolean"}}},
            {"replayed", {{"type", "boolean"}}},
            {"message", {{"type", "string"}}},
            {"before", Json::object()},
            {"after", Json::object()},
            {"plan", {{"type", "object"}}},
            {"audit_seq", {{"type", "integer"}}}}},
          {"required", {"dry_run", "applied", "message"}}};
}

// Creatives made elsewhere for rotate_creatives (other keys allowed: a creative factory manifest
// entry passes as it is).
Json NewCreativesSchema() {
  return {{"type", "array"},
          {"minItems", 1},
          {"maxItems", 20},
          {"description",
           "Creatives made elsewhere to put in delivery, one per paused creative (e.g. entries of "
           "list_creatives' creatives from the creative factory, passed as they are). Without it "
           "the platform makes its own fresh variants."},
          {"items",
           {{"type", "object"},
            {"required", {"hook"}},
            {"properties",
             {{"hook",
               {{"type", "string"},
                {"enum", {"question", "pain_point", "price_shock", "scene", "social_proof"}}}},
              {"scene", {{"type", "string"}}},
              {"template", {{"type", "string"}}},
              {"hook_text", {{"type", "string"}}},
              {"lang", {{"type", "string"}, {"enum", {"zh", "en"}}}},
              {"voice", {{"type", "string"}}},
              {"music", {{"type", "string"}}},
              {"duration_s", {{"type", "integer"}, {"minimum", 5}, {"maximum", 120}}},
              {"url", {{"type", "string"}}}}}}}};
}

Json PlanSummary() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "integer"}}},
            {"name", {{"type", "string"}}},
            {"status", {{"type", "string"}}},
            {"bid_type", {{"type", "string"}}},
            {"total_budget", {{"type", "number"}}},
            {"spent_total", {{"type", "number"}}},
            {"metrics", {{"type", "object"}}}}},
          {"required", {"id", "name", "status", "bid_type", "total_budget", "spent_total"}}};
}

std::vector<ActionSpec> Build() {
  std::vector<ActionSpec> v;
  auto add = [&](std::string name, std::string title, std::string desc, Json in, Json out,
                 bool read_only, bool destructive = false, bool idempotent = true) {
    v.push_back({std::move(name), std::move(title), std::move(desc), std::move(in), std::move(out),
                 read_only, destructive, idempotent});
  };
  add("get_account_overview", "Account overview",
      "The merchant's account now: simulated time, budgets and spend, today's and the flight's "
      "spend, GMV, ROI, clicks and purchases, and plans by status.",
      ObjectSchema(Json::object()),
      {{"type", "object"},
       {"properties",
        {{"merchant", {{"type", "string"}}},
         {"sim_time", {{"type", "object"}}},
         {"today", {{"type", "object"}}},
         {"flight", {{"type", "object"}}},
         {"plans", {{"type", "object"}}}}},
       {"required", {"merchant", "sim_time", "today", "flight", "plans"}}},
      true);
  add("list_ad_plans", "List ad plans",
      "The account's ad plans with status, budgets, spend and headline metrics; paginated.",
      ObjectSchema(
          {{"status",
            {{"type", "string"},
             {"enum", {"active", "paused", "budget_exhausted", "ended"}},
             {"description", "Only plans in this status."}}},
           {"cursor", {{"type", "string"}, {"description", "next_cursor of the previous page"}}},
           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}, {"default", 50}}}}),
      {{"type", "object"},
       {"properties",
        {{"plans", {{"type", "array"}, {"items", PlanSummary()}}},
         {"next_cursor", {{"type", "string"}}}}},
       {"required", {"plans"}}},
      true);
  add("get_ad_plan", "Get an ad plan",
      "One plan in full: settings, products, budgets and pacing, metrics, the autopilot's bid "
      "multiplier, and the last 24 hours hour by hour.",
      ObjectSchema({{"plan_id", kPlanId}}, {"plan_id"}), PlanSummary(), true);
  add("create_super_plan", "Create a super plan",
      "The three-step creation: a total budget, one objective and the products. The autopilot "
      "then targets, bids and paces across products, channels and audiences. Dry run unless "
      "confirm is true.",
      ObjectSchema(
          WriteProps(
              {{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
               {"budget",
                {{"type", "number"},
                 {"exclusiveMinimum", 0},
                 {"description", "Total budget over the flight, in currency units."}}},
               {"objective",
                {{"type", "string"},
                 {"enum", {"gmv_roi", "conversions_cpa", "profit", "business_efficiency"}},
                 {"default", "gmv_roi"},
                 {"description",
                  "gmv_roi: most GMV at ROI >= target; conversions_cpa: most purchases at CPA <= "
                  "target; profit: most gross profit minus spend; business_efficiency: weighted "
                  "value (GMV, profit, long tail, repurchase) per spend >= target."}}},
               {"target",
                {{"type", "number"},
                 {"exclusiveMinimum", 0},
                 {"description", "ROI (gmv_roi, business_efficiency) or CPA (conversions_cpa)."}}},
               {"products",
                {{"type", "array"},
                 {"items", {{"type", "integer"}, {"minimum", 0}}},
                 {"minItems", 1},
                 {"maxItems", 50},
                 {"uniqueItems", true},
                 {"description", "Product ids of the merchant's own products."}}},
               {"flight_days",
                {{"type", "integer"}, {"minimum", 1}, {"maximum", 365}, {"default", 7}}}}),
          {"budget", "products"}),
      WriteResult(), false, false, false);
  add("update_ad_plan_status", "Pause, resume or end an ad plan",
      "Sets a plan's status: active, paused or ended. Ending is final. Dry run unless confirm.",
      ObjectSchema(
          WriteProps({{"plan_id", kPlanId},
                      {"status", {{"type", "string"}, {"enum", {"active", "paused", "ended"}}}}}),
          {"plan_id", "status"}),
      WriteResult(), false, true, true);
  add("update_ad_plan_budget", "Change an ad plan's budget",
      "Sets the total and/or daily budget. Guardrails limit the change per call and per day; a "
      "total below what is already spent is refused. Dry run unless confirm.",
      ObjectSchema(
          WriteProps(
              {{"plan_id", kPlanId},
               {"total_budget", {{"type", "number"}, {"exclusiveMinimum", 0}}},
               {"daily_budget",
                {{"type", "number"}, {"minimum", 0}, {"description", "0 removes the daily cap"}}}}),
          {"plan_id"}),
      WriteResult(), false, false, true);
  add("update_ad_plan_bid", "Change an ad plan's bid or goal",
      "Sets the ROI goal (target-ROI plans and ROI super plans), the CPA bid (CPA super plans) or "
      "the CPC/CPM bid (manual plans). Dry run unless confirm.",
      ObjectSchema(WriteProps({{"plan_id", kPlanId},
                               {"target_roi", {{"type", "number"}, {"exclusiveMinimum", 0}}},
                               {"target_cpa", {{"type", "number"}, {"exclusiveMinimum", 0}}},
                               {"bid", {{"type", "number"}, {"exclusiveMinimum", 0}}}}),
                   {"plan_id"}),
      WriteResult(), false, false, true);
  add("get_bid_budget_suggestion", "Bid and budget suggestions",
      "Reads the plan's last 24 hours against its goal and pacing and suggests budget or goal "
      "changes, each as a ready-to-apply action call with its reason.",
      ObjectSchema({{"plan_id", kPlanId}}, {"plan_id"}),
      {{"type", "object"},
       {"properties",
        {{"plan_id", {{"type", "integer"}}},
         {"observed", {{"type", "object"}}},
         {"suggestions", {{"type", "array"}}}}},
       {"required", {"plan_id", "suggestions"}}},
      true);
  add("get_report", "Delivery report",
      "Spend, impressions, clicks, purchases, GMV and ROI by hour, day or in total, optionally "
      "split by channel or product, for some or all plans.",
      ObjectSchema(
          {{"plan_ids", {{"type", "array"}, {"items", kPlanId}}},
           {"from_day", {{"type", "integer"}, {"minimum", 0}}},
           {"to_day", {{"type", "integer"}, {"minimum", 0}}},
           {"granularity",
            {{"type", "string"}, {"enum", {"hour", "day", "total"}}, {"default", "day"}}},
           {"dimension",
            {{"type", "string"}, {"enum", {"none", "channel", "product"}}, {"default", "none"}}}}),
      {{"type", "object"},
       {"properties", {{"rows", {{"type", "array"}}}, {"currency", {{"type", "string"}}}}},
       {"required", {"rows"}}},
      true);
  add("diagnose_ad_plan", "Diagnose an ad plan",
      "Compares the plan's last 24 hours with the 24 before (and reads up to a week before those: "
      "how fast its creatives usually age, its products' usual conversion at these hours): the "
      "ROI change split into its drivers "
      "(channel mix, CTR, CVR, price per click, order value), the likely causes ranked by "
      "confidence with their evidence, and suggested actions; those the API can perform come as "
      "ready-to-apply calls. Causes with too little support are listed apart as leads, without "
      "actions. Report text in English or Chinese.",
      ObjectSchema({{"plan_id", kPlanId},
                    {"language", {{"type", "string"}, {"enum", {"en", "zh"}}, {"default", "en"}}}},
                   {"plan_id"}),
      {{"type", "object"},
       {"properties",
        {{"plan_id", {{"type", "integer"}}},
         {"window_hours", {{"type", "integer"}}},
         {"history_hours", {{"type", "integer"}}},
         {"before", {{"type", "object"}}},
         {"after", {{"type", "object"}}},
         {"roi_change", {{"type", "object"}}},
         {"causes", {{"type", "array"}}},
         {"leads", {{"type", "array"}}},
         {"report", {{"type", "string"}}}}},
       {"required", {"plan_id", "causes", "report"}}},
      true);
  add("search_products", "Search the merchant's products",
      "The merchant's products whose name, type or category contains the query (all when empty), "
      "with price, margin and observed sales.",
      ObjectSchema(
          {{"query", {{"type", "string"}, {"maxLength", 200}}},
           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}, {"default", 20}}}}),
      {{"type", "object"},
       {"properties", {{"products", {{"type", "array"}}}}},
       {"required", {"products"}}},
      true);
  add("rotate_creatives", "Rotate a product's creatives",
      "Takes worn-out creatives of one of the merchant's products out of delivery and puts a "
      "fresh variant in place of each (a new video starts without the old one's age and the "
      "audience's fatigue): new_creatives (e.g. videos from the creative factory) or the "
      "platform's own variants. Without pause_creative_ids it rotates the creatives the wear-out "
      "test flags, or else those shown most. Dry run unless confirm.",
      ObjectSchema(
          WriteProps({{"product_id", {{"type", "integer"}, {"minimum", 0}}},
                      {"pause_creative_ids",
                       {{"type", "array"},
                        {"items", {{"type", "integer"}, {"minimum", 0}}},
                        {"minItems", 1},
                        {"maxItems", 20},
                        {"uniqueItems", true},
                        {"description", "Live creatives of the product to take out of delivery."}}},
                      {"new_creatives", NewCreativesSchema()}}),
          {"product_id"}),
      WriteResult(), false, false, true);
  add("issue_coupon", "Issue a coupon",
      "Sends a coupon for one of the merchant's products to the users whose observed interests "
      "fit its category best (a coupon raises the chance they buy; it is paid for only when "
      "redeemed, as a discount on the order). Guardrails cap the discount, the audience and the "
      "validity. Dry run unless confirm.",
      ObjectSchema(
          WriteProps({{"product_id", {{"type", "integer"}, {"minimum", 0}}},
                      {"discount",
                       {{"type", "number"},
                        {"exclusiveMinimum", 0},
                        {"maximum", 0.9},
                        {"description", "Share of the current price off, e.g. 0.1 for 10%."}}},
                      {"days",
                       {{"type", "integer"},
                        {"minimum", 1},
                        {"maximum", 90},
                        {"default", 7},
                        {"description", "Validity in simulated days."}}},
                      {"max_users",
                       {{"type", "integer"},
                        {"minimum", 1},
                        {"maximum", 100000},
                        {"default", 500},
                        {"description", "How many users receive it at most."}}}}),
          {"product_id", "discount"}),
      WriteResult(), false, false, true);
  add("search_influencers", "Search influencers",
      "Creators ranked by how well their followers' observed interests fit a product "
      "(audience fit: 1 is the average user, 3 is three times the average interest in the "
      "product's category), with fee per post, followers, expected reach of a post and the "
      "expected interested viewers per currency unit of fee.",
      ObjectSchema(
          {{"product_id", {{"type", "integer"}, {"minimum", 0}}},
           {"max_fee", {{"type", "number"}, {"exclusiveMinimum", 0}}},
           {"min_followers", {{"type", "integer"}, {"minimum", 0}}},
           {"sort", {{"type", "string"}, {"enum", {"fit", "value", "reach"}}, {"default", "fit"}}},
           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}, {"default", 10}}}},
          {"product_id"}),
      {{"type", "object"},
       {"properties",
        {{"product_id", {{"type", "integer"}}},
         {"category", {{"type", "string"}}},
         {"influencers", {{"type", "array"}}},
         {"reach_basis", {{"type", "string"}}}}},
       {"required", {"product_id", "influencers"}}},
      true);
  add("create_influencer_order", "Order an influencer's sponsored post",
      "Pays a creator their fee for a sponsored post about one of the merchant's products, "
      "shown to their followers for a day from now. Refused while the creator has a post "
      "running, and when the day's influencer fees would pass the guardrail. Dry run unless "
      "confirm.",
      ObjectSchema(WriteProps({{"influencer_id", {{"type", "integer"}, {"minimum", 0}}},
                               {"product_id", {{"type", "integer"}, {"minimum", 0}}}}),
                   {"influencer_id", "product_id"}),
      WriteResult(), false, false, false);
  add("list_influencer_orders", "Influencer orders",
      "The merchant's sponsored posts: creator, product, fee, when it runs, and the views, "
      "clicks, purchases and GMV the platform observed on it.",
      ObjectSchema(Json::object()),
      {{"type", "object"},
       {"properties", {{"orders", {{"type", "array"}}}, {"fees_total", {{"type", "number"}}}}},
       {"required", {"orders"}}},
      true);
  add("list_changes", "Audit log",
      "Every change made to the account (who, when, before, after), newest first.",
      ObjectSchema(
          {{"plan_id", kPlanId},
           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}}}),
      {{"type", "object"},
       {"properties", {{"changes", {{"type", "array"}}}}},
       {"required", {"changes"}}},
      true);
  return v;
}

}  // namespace

const std::vector<ActionSpec>& ActionSpecs() {
  static const std::vector<ActionSpec> specs = Build();
  return specs;
}

Json ObjectSchema(Json properties, std::vector<std::string> required) {
  Json s = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

const ActionSpec* FindAction(const std::string& name) {
  for (const ActionSpec& s : ActionSpecs())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace cf::action
