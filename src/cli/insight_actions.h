// Insight as merchant tools on the live market's action API: `explain_query` (what a search query
// is about: scenes, needs, attributes and categories from the knowledge graph, and the market's
// products it retrieves) and `recommend_products` (for a search query, through the same retrieval,
// or for a user, from the categories the platform has seen the user engage with).
//
// Only observable data: the knowledge graph (curated file + taxonomy + Complete Journey catalogue
// and baskets), the market's catalogue and what the platform learned from events; never a
// simulated user's hidden state. The graph is built on the first call (a few seconds, reported as
// progress) and kept. Read-only tools; calls hold the action API's lock like every other.
#pragma once

#include <filesystem>
#include <memory>

#include "action/action_api.h"
#include "sim/live_market.h"

namespace cf {

struct InsightActionsOptions {
  std::filesystem::path data_dir;  // the shared data folder (taxonomy, completejourney)
  std::filesystem::path curated;   // the curated graph file (data/kg/curated.kg)
};

void AddInsightActions(action::ActionApi& api, const std::shared_ptr<LiveMarket>& market,
                       InsightActionsOptions options);

}  // namespace cf
