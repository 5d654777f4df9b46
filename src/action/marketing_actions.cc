// The action API's marketing beyond ads: creative rotation, coupons, influencer search and
// orders (ActionApi members; the shared write path is in action_api.cc).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "action/action_api.h"
#include "action/action_args.h"
#include "creative/script.h"
#include "insight/audience_fit.h"

namespace cf::action {
namespace {

using Json = nlohmann::json;

Json CreativeJson(const CreativeView& v, uint32_t today) {
  const Creative& c = v.creative;
  Json j = {{"creative_id", c.id},
            {"product_id", c.product},
            {"live", v.live},
            {"hook", std::string(HookStyleName(c.hook))},
            {"scene", std::string(SceneName(c.scene))},
            {"duration_s", c.duration_s},
            {"lang", c.lang},
            {"created_day", c.created_day},
            {"age_days", today >= c.created_day ? today - c.created_day : 0},
            {"impressions", v.impressions},
            {"clicks", v.clicks},
            {"ctr", v.impressions ? static_cast<double>(v.clicks) / v.impressions : 0.0}};
  if (!c.template_name.empty()) j["template"] = c.template_name;
  if (!c.hook_text.empty()) j["hook_text"] = c.hook_text;
  if (!c.media_path.empty()) j["media"] = c.media_path;
  // The wear-out test: early against recent click-through rate, once both windows are full.
  j["wearout"] = {{"state", !v.wearout.ready     ? "learning"
                            : v.wearout.worn_out ? "worn_out"
                                                 : "healthy"},
                  {"early_ctr", v.wearout.early_ctr},
                  {"recent_ctr", v.wearout.recent_ctr},
                  {"z", Round2(v.wearout.z)}};
  return j;
}

// The expected views of one sponsored post by a creator: the creator's own observed views per
// post, else the platform's observed views per follower over all posts times the creator's
// followers, else a prior of 10% of followers before any post was observed.
struct ReachModel {
  double views_per_follower = 0.1;
  std::string basis = "prior: 10% of followers (no sponsored post observed yet)";
};

ReachModel PlatformReach(const std::vector<InfluencerProfile>& creators) {
  double views = 0, followers = 0;
  for (const InfluencerProfile& c : creators) {
    views += static_cast<double>(c.post_views);
    followers += static_cast<double>(c.posts) * static_cast<double>(c.followers.size());
  }
  ReachModel m;
  if (views > 0 && followers > 0) {
    m.views_per_follower = views / followers;
    m.basis = fmt::format(
        "observed: a creator's own views per post when it has posted, else {:.3f} views per "
        "follower (the platform's sponsored posts so far)",
        m.views_per_follower);
  }
  return m;
}

double ExpectedReach(const InfluencerProfile& c, const ReachModel& m) {
  if (c.posts > 0 && c.post_views > 0) {
    return static_cast<double>(c.post_views) / static_cast<double>(c.posts);
  }
  return m.views_per_follower * static_cast<double>(c.followers.size());
}

// new_creatives: creatives made elsewhere (e.g. generate_creatives' manifest entries), described
// by their observable attributes; other keys are ignored so a manifest entry can be passed as is.
std::vector<Creative> ReadNewCreatives(const Json& a) {
  std::vector<Creative> out;
  if (!a.contains("new_creatives")) return out;
  const Json& list = a["new_creatives"];
  if (!list.is_array() || list.empty() || list.size() > 20) {
    throw ActionError::Invalid("'new_creatives' must be an array of 1 to 20 creative objects");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& j = list[i];
    const std::string at = fmt::format("new_creatives[{}]", i);
    if (!j.is_object()) throw ActionError::Invalid(at + " must be an object");
    auto text = [&](const char* key, size_t max) -> std::string {
      if (!j.contains(key) || j[key].is_null()) return "";
      if (!j[key].is_string() || j[key].get<std::string>().size() > max) {
        throw ActionError::Invalid(
            fmt::format("{}.{} must be a string of at most {} bytes", at, key, max));
      }
      return j[key].get<std::string>();
    };
    Creative c;
    const std::string hook = text("hook", 32);
    if (hook.empty()) throw ActionError::Invalid(at + ".hook is required");
    try {
      c.hook = ParseHookStyle(hook);
    } catch (const std::invalid_argument& e) {
      throw ActionError::Invalid(fmt::format("{}.hook: {}", at, e.what()));
    }
    const std::string scene = text("scene", 32);
    if (!scene.empty()) {
      const auto sc = FindScene(scene);
      if (!sc)
        throw ActionError::Invalid(fmt::format("{}.scene {} is unknown", at, Json(scene).dump()));
      c.scene = *sc;
    }
    c.template_name = text("template", 64);
    c.hook_text = text("hook_text", 300);
    c.voice = text("voice", 32);
    c.music = text("music", 32);
    c.media_path = text("url", 500);
    if (c.media_path.empty()) c.media_path = text("file", 500);
    const std::string lang = text("lang", 8);
    if (!lang.empty() && lang != "zh" && lang != "en") {
      throw ActionError::Invalid(fmt::format("{}.lang must be zh or en", at));
    }
    if (!lang.empty()) c.lang = lang;
    if (j.contains("duration_s")) {
      if (!j["duration_s"].is_number_integer() || j["duration_s"].get<int64_t>() < 5 ||
          j["duration_s"].get<int64_t>() > 120) {
        throw ActionError::Invalid(at + ".duration_s must be an integer from 5 to 120");
      }
      c.duration_s = j["duration_s"].get<uint16_t>();
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

const Product& ActionApi::OwnProduct(const Json& a) {
  const int64_t id = *OptInt(a, "product_id", 0, INT32_MAX);
  const Catalogue& cat = account_.catalogue();
  if (static_cast<size_t>(id) >= cat.products.size() ||
      cat.product(static_cast<ProductId>(id)).merchant != account_.merchant()) {
    throw ActionError::NotFound(
        fmt::format("product {} is not one of this merchant's; search_products lists them", id));
  }
  return cat.product(static_cast<ProductId>(id));
}

uint32_t ActionApi::Today() const { return account_.now() / kMinutesPerDay; }

Json ActionApi::MarketCreatives(std::optional<ProductId> product) {
  std::lock_guard<std::mutex> lock(mu_);
  const Catalogue& cat = account_.catalogue();
  Json out = Json::array();
  for (ProductId p : cat.merchants.at(account_.merchant()).products) {
    if (product && p != *product) continue;
    for (const CreativeView& v : account_.platform().creatives(p)) {
      out.push_back(CreativeJson(v, Today()));
      out.back()["product_name"] = cat.ProductName(p);
    }
  }
  return out;
}

Json ActionApi::RotateCreatives(const Json& a, const CallContext& ctx) {
  const Product& prod = OwnProduct(a);
  const ProductId p = prod.id;
  const std::vector<CreativeView> views = account_.platform().creatives(p);
  std::vector<CreativeId> live;
  for (const CreativeView& v : views) {
    if (!v.live) continue;
    live.push_back(v.creative.id);
  }
  if (live.empty()) {
    throw ActionError::Precondition(
        fmt::format("product {} has no creative in the market yet; put it in an ad plan first", p));
  }
  const std::vector<Creative> replacements = ReadNewCreatives(a);
  std::vector<CreativeId> pause;
  std::string why;
  if (a.contains("pause_creative_ids")) {
    if (!a["pause_creative_ids"].is_array() || a["pause_creative_ids"].empty()) {
      throw ActionError::Invalid("'pause_creative_ids' must be a non-empty array of creative ids");
    }
    for (const Json& c : a["pause_creative_ids"]) {
      if (!c.is_number_unsigned() && !(c.is_number_integer() && c.get<int64_t>() >= 0)) {
        throw ActionError::Invalid(
            fmt::format("'pause_creative_ids' holds {}, not a creative id", c.dump()));
      }
      pause.push_back(c.get<CreativeId>());
    }
    why = "as asked";
  } else {
    // Those the wear-out test flags first, then the ones shown most (the most worn, whatever
    // the test can tell yet): one, or one per new creative.
    const size_t want = std::max<size_t>(1, replacements.size());
    if (want > live.size()) {
      throw ActionError::Invalid(fmt::format(
          "product {} has {} live creative(s): give at most that many new_creatives, or name "
          "the creatives to pause",
          p, live.size()));
    }
    std::vector<const CreativeView*> order;
    for (const CreativeView& v : views)
      if (v.live) order.push_back(&v);
    std::stable_sort(order.begin(), order.end(), [](const CreativeView* x, const CreativeView* y) {
      if (x->wearout.worn_out != y->wearout.worn_out) return x->wearout.worn_out;
      return x->impressions > y->impressions;
    });
    for (size_t i = 0; i < want; ++i) pause.push_back(order[i]->creative.id);
    why = order[0]->wearout.worn_out ? "flagged by the wear-out test first, then shown most"
                                     : "shown most (none is flagged by the wear-out test yet)";
  }
  try {
    CheckRotation(p, live, pause, replacements);
  } catch (const std::invalid_argument& e) {
    throw ActionError::Invalid(e.what());
  }
  Json after_live = Json::array();
  for (CreativeId c : live)
    if (std::find(pause.begin(), pause.end(), c) == pause.end()) after_live.push_back(c);
  const Json before = {{"live", live}};
  const Json after = {
      {"live", after_live},
      {"paused", pause},
      {"new_variants", pause.size()},
      {"from", replacements.empty() ? "the platform's own variants" : "new_creatives"}};
  return Write("rotate_creatives", a, ctx, -1, before, after, [&]() -> Json {
    const std::vector<Creative> made = account_.platform().RotateCreatives(p, pause, replacements);
    Json added = Json::array();
    Json now_live = Json::array();
    for (const CreativeView& v : account_.platform().creatives(p)) {
      if (std::any_of(made.begin(), made.end(),
                      [&](const Creative& c) { return c.id == v.creative.id; })) {
        added.push_back(CreativeJson(v, Today()));
      }
      if (v.live) now_live.push_back(v.creative.id);
    }
    return {{"product_id", p},
            {"paused", pause},
            {"added", added},
            {"live", now_live},
            {"message", fmt::format("Rotated {} creative{} of product {} ({}): paused {}; new {}.",
                                    pause.size(), pause.size() == 1 ? "" : "s", p, why,
                                    fmt::join(pause, ", "), added.size())}};
  });
}

Json ActionApi::IssueCoupon(const Json& a, const CallContext& ctx) {
  const Product& prod = OwnProduct(a);
  const double discount = *OptNumber(a, "discount", true);
  if (discount > guardrails_.max_coupon_discount) {
    throw ActionError::Guardrail(
        fmt::format("a {:.0f}% coupon is over the guardrail of {:.0f}% off; offer less",
                    100 * discount, 100 * guardrails_.max_coupon_discount));
  }
  const int64_t days = OptInt(a, "days", 1, 90).value_or(7);
  if (days > guardrails_.max_coupon_days) {
    throw ActionError::Guardrail(fmt::format("a coupon may be valid for at most {} days, got {}",
                                             guardrails_.max_coupon_days, days));
  }
  const int64_t max_users = OptInt(a, "max_users", 1, 100000).value_or(500);
  if (max_users > static_cast<int64_t>(guardrails_.max_coupon_users)) {
    throw ActionError::Guardrail(fmt::format("a coupon may go to at most {} users per call, got {}",
                                             guardrails_.max_coupon_users, max_users));
  }
  const Money price = account_.platform().price(prod.id);
  const Money value = Money::FromUnits(Round2(price.units() * discount));
  if (value.micros() <= 0) {
    throw ActionError::Invalid(
        fmt::format("{:.0f}% of the price {:.2f} rounds to nothing; offer more", 100 * discount,
                    price.units()));
  }
  const std::vector<UserId> audience = TopAudience(account_.platform().affinity(), account_.users(),
                                                   prod.category, static_cast<size_t>(max_users));
  if (audience.empty()) {
    throw ActionError::Precondition(fmt::format(
        "no user has shown interest in {} yet; try again once the market has run a while",
        account_.catalogue().categories.at(prod.category)));
  }
  const SimMinute expires = account_.now() + static_cast<SimMinute>(days) * kMinutesPerDay;
  const Json terms = {
      {"product_id", prod.id},
      {"value", Units(value)},
      {"discount", discount},
      {"users", audience.size()},
      {"valid_until", SimTimeJson(expires, account_.flight_start())},
      {"max_cost_if_all_redeemed", Units(value.Scale(static_cast<double>(audience.size())))}};
  return Write("issue_coupon", a, ctx, -1, Json::object(), terms, [&]() -> Json {
    account_.IssueCoupons(prod.id, value, expires, audience);
    Json r = terms;
    r["message"] = fmt::format(
        "Sent a {:.2f} coupon for {} to the {} users most interested in {} (valid {} day{}).",
        value.units(), account_.catalogue().ProductName(prod.id), audience.size(),
        account_.catalogue().categories.at(prod.category), days, days == 1 ? "" : "s");
    return r;
  });
}

Json ActionApi::SearchInfluencers(const Json& a) {
  const Product& prod = OwnProduct(a);
  const auto max_fee = OptNumber(a, "max_fee", true);
  const int64_t min_followers = OptInt(a, "min_followers", 0, INT32_MAX).value_or(0);
  const std::string sort = OptString(a, "sort").value_or("fit");
  if (sort != "fit" && sort != "value" && sort != "reach") {
    throw ActionError::Invalid(
        fmt::format("'sort' must be fit, value or reach, got {}", Json(sort).dump()));
  }
  const int64_t limit = OptInt(a, "limit", 1, 100).value_or(10);
  const std::vector<InfluencerProfile> creators = account_.Influencers();
  const ReachModel reach = PlatformReach(creators);
  const UserAffinity& affinity = account_.platform().affinity();
  const double base = PopulationShare(affinity, account_.users(), prod.category);
  struct Row {
    const InfluencerProfile* c;
    AudienceFit fit;
    double reach, interested, value;
  };
  std::vector<Row> rows;
  for (const InfluencerProfile& c : creators) {
    if (max_fee && c.fee_per_post.units() > *max_fee) continue;
    if (static_cast<int64_t>(c.followers.size()) < min_followers) continue;
    Row r{&c, ScoreAudienceFit(affinity, c.followers, prod.category, base), 0, 0, 0};
    r.reach = ExpectedReach(c, reach);
    // Interested viewers: reach times the share of followers with the category among their top 3.
    r.interested = c.followers.empty() ? 0
                                       : r.reach * static_cast<double>(r.fit.interested) /
                                             static_cast<double>(c.followers.size());
    r.value = c.fee_per_post.units() > 0 ? r.interested / c.fee_per_post.units() : 0;
    rows.push_back(r);
  }
  auto key = [&](const Row& r) {
    return sort == "fit" ? r.fit.fit : sort == "value" ? r.value : r.reach;
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const Row& x, const Row& y) { return key(x) > key(y); });
  const Catalogue& cat = account_.catalogue();
  Json out = Json::array();
  for (const Row& r : rows) {
    if (static_cast<int64_t>(out.size()) == limit) break;
    const InfluencerProfile& c = *r.c;
    out.push_back(
        {{"influencer_id", c.id},
         {"name", fmt::format("creator #{}", c.id)},
         {"content_category",
          c.content_category < cat.categories.size() ? cat.categories[c.content_category] : ""},
         {"followers", c.followers.size()},
         {"fee", Units(c.fee_per_post)},
         {"audience_fit", Round2(r.fit.fit)},
         {"followers_with_observed_interests", r.fit.observed},
         {"followers_interested", r.fit.interested},
         {"expected_reach", std::round(r.reach)},
         {"expected_interested_viewers", std::round(r.interested)},
         {"interested_viewers_per_fee_unit", Round2(r.value)},
         {"past_posts", c.posts},
         {"available", !c.busy}});
  }
  return {{"product_id", prod.id},
          {"category", cat.categories.at(prod.category)},
          {"sort", sort},
          {"influencers", out},
          {"reach_basis", reach.basis}};
}

double ActionApi::InfluencerFeesToday() const {
  const SimMinute now = account_.now();
  const SimMinute day_start = now - now % kMinutesPerDay;
  double fees = 0;
  for (const InfluencerOrder& o : account_.InfluencerOrders())
    if (o.start >= day_start) fees += o.fee.units();
  return fees;
}

Json ActionApi::OrderInfluencer(const Json& a, const CallContext& ctx) {
  const Product& prod = OwnProduct(a);
  const int64_t id = *OptInt(a, "influencer_id", 0, INT32_MAX);
  const std::vector<InfluencerProfile> creators = account_.Influencers();
  if (static_cast<size_t>(id) >= creators.size()) {
    throw ActionError::NotFound(fmt::format(
        "no influencer {} (there are {}); search_influencers lists them", id, creators.size()));
  }
  const InfluencerProfile& c = creators[static_cast<size_t>(id)];
  if (c.busy) {
    throw ActionError::Precondition(fmt::format(
        "influencer {} has a sponsored post running or booked; order another creator or try "
        "again tomorrow",
        id));
  }
  const double fee = c.fee_per_post.units();
  const double spent = InfluencerFeesToday();
  if (!ctx.replay && spent + fee > guardrails_.max_influencer_fees_per_day + 1e-9) {
    throw ActionError::Guardrail(fmt::format(
        "influencer fees today would reach {:.2f}, over the guardrail of {:.2f} a day (already "
        "{:.2f}); order tomorrow or a cheaper creator",
        spent + fee, guardrails_.max_influencer_fees_per_day, spent));
  }
  const Json before = {{"fees_today", Round2(spent)}};
  const Json after = {{"fees_today", Round2(spent + fee)},
                      {"influencer_id", id},
                      {"product_id", prod.id},
                      {"fee", Units(c.fee_per_post)}};
  return Write("create_influencer_order", a, ctx, -1, before, after, [&]() -> Json {
    InfluencerOrder o;
    try {
      o = account_.OrderInfluencerPost(static_cast<InfluencerId>(id), prod.id, c.fee_per_post);
    } catch (const std::invalid_argument& e) {
      throw ActionError::Precondition(e.what());
    }
    return {{"influencer_id", id},
            {"product_id", prod.id},
            {"fee", Units(o.fee)},
            {"runs",
             {{"from", SimTimeJson(o.start, account_.flight_start())},
              {"to", SimTimeJson(o.end, account_.flight_start())}}},
            {"message", fmt::format("Ordered a sponsored post about {} from creator #{} for "
                                    "{:.2f}; it runs for a day from now.",
                                    account_.catalogue().ProductName(prod.id), id, fee)}};
  });
}

Json ActionApi::ListInfluencerOrders(const Json&) {
  Json out = Json::array();
  Money total;
  for (const InfluencerOrder& o : account_.InfluencerOrders()) {
    total += o.fee;
    out.push_back({{"influencer_id", o.influencer},
                   {"product_id", o.product},
                   {"fee", Units(o.fee)},
                   {"from", SimTimeJson(o.start, account_.flight_start())},
                   {"to", SimTimeJson(o.end, account_.flight_start())},
                   {"running", o.start <= account_.now() && account_.now() < o.end},
                   {"views", o.views},
                   {"clicks", o.clicks},
                   {"purchases", o.purchases},
                   {"gmv", Units(o.gmv)},
                   {"roi", o.fee.micros() > 0 ? Round2(o.gmv.units() / o.fee.units()) : 0.0}});
  }
  return {{"orders", out}, {"fees_total", Units(total)}};
}

}  // namespace cf::action
