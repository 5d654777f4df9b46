#include "market/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/json_config.h"

namespace cf {

CategoryId MainCategory(const Catalogue& catalogue, const std::vector<ProductId>& products) {
  std::map<CategoryId, int> count;
  for (ProductId p : products) ++count[catalogue.product(p).category];
  CategoryId best = 0;
  int best_n = -1;
  for (const auto& [c, n] : count) {
    if (n > best_n) best = c, best_n = n;
  }
  return best;
}

std::vector<FaultLabel> ResolveFaults(const WorldSpec& spec, const std::vector<FaultSpec>& faults,
                                      const std::vector<ProductId>& our_products) {
  const Catalogue& cat = spec.catalogue();
  const std::string our_category =
      our_products.empty() ? std::string()
                           : "category:" + cat.categories[MainCategory(cat, our_products)];
  std::vector<FaultLabel> out;
  for (const FaultSpec& f : faults) {
    FaultLabel l;
    l.type = f.type;
    l.start = spec.flight_start() + static_cast<SimMinute>(f.start_day * kMinutesPerDay);
    l.end = l.start + static_cast<SimMinute>(f.hours * kMinutesPerHour);
    l.magnitude = f.magnitude;
    l.target = f.target;
    const double days = f.hours / 24.0;
    if (f.type == "creative_wearout") {
      if (l.target.empty()) l.target = "ours";
      if (l.magnitude <= 0) l.magnitude = 4.0;
      l.description = fmt::format("creatives of {} wear out {:.1f}x faster for {:.1f} days",
                                  l.target, l.magnitude, days);
    } else if (f.type == "competitor_price_cut") {
      if (l.target.empty()) l.target = our_category;
      if (l.magnitude <= 0) l.magnitude = spec.config().competitors.price_cut;
      l.description = fmt::format("competitors cut prices by {:.0f}% in {} for {:.1f} days",
                                  100 * l.magnitude, l.target, days);
    } else if (f.type == "channel_shift") {
      if (l.target.empty()) l.target = "channel:live";
      if (l.magnitude <= 0) l.magnitude = 0.3;
      l.description = fmt::format("{:.0f}% of feed traffic moves to {} for {:.1f} days",
                                  100 * l.magnitude, l.target, days);
    } else if (f.type == "tracking_outage") {
      if (l.target.empty()) l.target = "ours";
      l.magnitude = 1.0;
      l.description =
          fmt::format("conversion tracking for {} is down for {:.1f} hours", l.target, f.hours);
    } else if (f.type == "budget_exhaustion") {
      if (l.target.empty()) l.target = "ours";
      if (l.magnitude <= 0) l.magnitude = 0.3;
      l.description = fmt::format(
          "the account of {} runs dry: only {:.0f}% of its daily budget is "
          "available for {:.1f} days",
          l.target, 100 * l.magnitude, days);
    } else if (f.type == "competitor_budget_surge") {
      if (l.target.empty()) l.target = our_category;
      if (l.magnitude <= 0) l.magnitude = spec.config().competitors.budget_surge_factor;
      l.description =
          fmt::format("competitors in {} raise bids and budgets {:.1f}x for {:.1f} days", l.target,
                      l.magnitude, days);
    }
    if (l.target.rfind("category:", 0) == 0) {
      const std::string name = l.target.substr(9);
      if (std::find(cat.categories.begin(), cat.categories.end(), name) == cat.categories.end()) {
        throw ConfigError(fmt::format("fault '{}' targets unknown category '{}'", f.type, name));
      }
    } else if (l.target.rfind("channel:", 0) == 0) {
      if (!ParseChannel(l.target.substr(8))) {
        throw ConfigError(
            fmt::format("fault '{}' targets unknown channel '{}' (feed, live, search, mall)",
                        f.type, l.target.substr(8)));
      }
    } else if (l.target != "ours" && l.target != "all") {
      throw ConfigError(
          fmt::format("fault '{}' has target '{}'; use ours, all, category:<name> or "
                      "channel:<name>",
                      f.type, l.target));
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace cf
