// What each search query is about, learned from behaviour: the categories users engage with in the
// 30 minutes after searching a query. Not thread-safe.
#pragma once

#include <array>
#include <unordered_map>
#include <vector>

#include "common/catalogue.h"
#include "common/event.h"
#include "insight/query_expansion.h"

namespace cf {

class QueryCategories {
 public:
  QueryCategories(const Catalogue& catalogue, size_t users);
  void Observe(const Event& e);
  // Up to k categories most engaged with after the query, strongest first, as of the last
  // Rebuild; returns how many.
  int Top(QueryId q, int k, CategoryId* out) const;
  // The same with each category's engagement weight (click 3, cart or purchase 5, organic view
  // 0.5).
  int TopWeighted(QueryId q, int k, WeightedCategory* out) const;
  // Recomputes every query's top categories from the counts (call about hourly).
  void Rebuild();

 private:
  const Catalogue& catalogue_;
  struct Last {
    QueryId query = kNoId;
    SimMinute minute = 0;
  };
  std::vector<Last> last_;  // per user
  std::unordered_map<QueryId, std::unordered_map<CategoryId, float>> counts_;
  std::vector<std::vector<WeightedCategory>> top_;  // by QueryId
};

}  // namespace cf
