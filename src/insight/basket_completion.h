// Basket completion on real transactions: hold out one product of each multi-item basket of the
// test households, rank candidate products for it from the rest of the basket, and report Hit@k
// for the knowledge graph's complement relations against a popularity baseline in the same run.
//
// Protocol: households are split by a hash (1 in `test_every` is test); relations and
// popularity come from the training households' baskets only (never from the test part). The
// held-out product of a test basket is fixed by a hash of its basket id. Scoring of a candidate
// product p of catalogue category c given the basket's other categories A:
//   kg:         (P(c) + sum_{a in A} P(c | a) over mined pairs (a, c) + sum over curated
//               complements of A's curated parents and c's: weight x P(c) + [c in A] x
//               P(another product of c | c), the mined within-category repeat) x P(p | c)
//   mined only: the same without the curated term
//   popularity: the training basket count of p.
// Products already in the basket are never candidates.
//
// Promises: deterministic; pure functions (thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "insight/copurchase_miner.h"
#include "insight/knowledge_graph.h"
#include "insight/knowledge_graph_products.h"

namespace cf::kg {

// 1 if `target` is among the first k of `ranked`, else 0.
double HitAtK(const std::vector<int>& ranked, int target, size_t k);

// Whether a household is in the test part (1 in `test_every`, by a hash).
bool IsTestHousehold(int64_t household, int test_every);
// Which item of a basket of `size` items is held out.
size_t HeldOutIndex(int64_t basket_id, size_t size);

struct CompletionOptions {
  int test_every = 5;
  size_t k = 10;
  MinerOptions miner;
};

struct CompletionReport {
  size_t train_baskets = 0, test_baskets = 0;  // test: multi-item baskets evaluated
  size_t mined_pairs = 0, curated_pairs_used = 0;
  double kg_hits = 0, mined_hits = 0, popularity_hits = 0;
  size_t k = 10;
  nlohmann::json ToJson() const;
};

// `curated`: a graph whose curated categories (with `catalogue:` patterns) and curated
// complements add the KG term; may be null.
CompletionReport EvaluateBasketCompletion(const RetailCatalogue& catalogue,
                                          const std::vector<RetailBasket>& baskets,
                                          const KnowledgeGraph* curated,
                                          const CompletionOptions& options,
                                          const std::function<void(size_t, size_t)>& progress = {});

}  // namespace cf::kg
