// Complete Journey products as content records, and its transactions as households' baskets for
// the cold-start evaluation (docs/insight-content.md).
//
// Promises: RetailItemContent maps one product: category path department > product_category >
// product_type (missing levels skipped), title = the product type's text, brand = the
// manufacturer ("maker 69"), attribute brand_type = National/Private, package size as is, price =
// the median shelf price given (0 = unknown). RetailColdStartData keeps catalogue indices as item
// ids and orders each household's baskets by (week, basket id). Pure functions; thread-safe.
#pragma once

#include <vector>

#include "insight/cold_start_evaluation.h"
#include "insight/content_features.h"
#include "insight/knowledge_graph_products.h"

namespace cf::content {

ItemContent RetailItemContent(const kg::RetailProduct& product, double price);

// Each household's distinct items over all its baskets (first-seen order): the co-occurrence sets
// a model for serving trains on (no hold-out).
std::vector<std::vector<int>> HouseholdItemSets(const ColdStartData& data);

// `prices`: one per catalogue product (MedianShelfPrices), or empty for no prices.
ColdStartData RetailColdStartData(const kg::RetailCatalogue& catalogue,
                                  const std::vector<kg::RetailBasket>& baskets,
                                  const std::vector<double>& prices);

}  // namespace cf::content
