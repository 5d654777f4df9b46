// A search query's categories read from its text (query understanding), for candidate retrieval
// beside the categories learned from behaviour (query_categories.h). An implementation maps query
// text to catalogue categories; the serving path calls Prepare when a query is first served and
// Top for every search opportunity.
//
// Promises: Top is const and cheap (a cached lookup); Prepare with an id already prepared does
// nothing. Not thread-safe.
#pragma once

#include <string_view>

#include "common/ids.h"

namespace cf {

// A category with a weight: observed engagement (QueryCategories) or a reading's score.
struct WeightedCategory {
  CategoryId category = 0;
  float weight = 0;
};

class QueryExpansion {
 public:
  virtual ~QueryExpansion() = default;
  // Understands `text` once and remembers its categories under `q`.
  virtual void Prepare(QueryId q, std::string_view text) = 0;
  // Up to k categories of a prepared query with their scores, strongest first; returns how many
  // (0 when unknown).
  virtual int Top(QueryId q, int k, WeightedCategory* out) const = 0;
};

}  // namespace cf
