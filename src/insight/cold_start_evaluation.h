// Cold-start quality of item embeddings: how well items that never appeared in any interaction
// are ranked for the users who later buy them, by content embeddings against ID-only ones, on the
// same split (docs/insight-content.md).
//
// Protocol. Items that occur in some basket are split by a hash of their index: 1 in `cold_every`
// is cold and every interaction with it is removed from training. Households are split by a hash:
// 1 in `test_every` is a test household whose last basket is held out (when it has more than one).
// Each model trains on the households' remaining warm items (one co-occurrence set per household).
//   cold task: every household with a training item; each cold item it bought is ranked against
//     all cold items (its other cold purchases excluded) by score(u, c) = (sum_h e_h) . e_c over
//     its training items h; the cold item's embedding comes from content alone.
//   warm task: each warm item of a test household's held-out basket that is not already among its
//     training items, ranked against all warm items it has not bought in training.
// Methods: id_only (an ID embedding: a cold item's row was never trained), content (content tower),
// hybrid (ID + content with ID dropout; a cold item uses its content part), content_raw (no
// learning: sum of cosines between the content features of the history and the candidate; cold
// task) and popularity (training counts; warm task). HR@k and NDCG@k over cases; a tie counts
// half its tied candidates as ahead.
//
// Promises: deterministic given the options; pure function of its input (thread-safe); bad
// options or item ids outside `items` throw std::invalid_argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "insight/content_embedding_model.h"
#include "insight/cooccurrence_trainer.h"

namespace cf::content {

struct ColdStartData {
  std::vector<ItemContent> items;
  // Per household, its baskets in time order, each a list of item indices.
  std::vector<std::vector<std::vector<int>>> households;
};

struct ColdStartOptions {
  int cold_every = 5;
  int test_every = 5;
  size_t k = 10;
  uint64_t split_seed = 1;
  EmbeddingModelOptions model;  // its tower is ignored: every tower in `towers` is trained
  CooccurrenceOptions train;
  std::vector<Tower> towers = {Tower::kId, Tower::kContent, Tower::kHybrid};
};

struct RankScores {
  size_t cases = 0;
  double hr = 0, ndcg = 0;  // means over cases
};

struct ColdStartReport {
  size_t items = 0, warm_items = 0, cold_items = 0, households = 0;
  size_t cold_cases = 0, warm_cases = 0, k = 10;
  std::map<std::string, RankScores> cold, warm;  // by method name
  std::map<std::string, double> train_seconds;   // by tower name
  nlohmann::json ToJson() const;
};

bool IsColdItem(size_t item, int cold_every, uint64_t seed);

using ColdStartProgress = std::function<void(std::string_view)>;

ColdStartReport EvaluateColdStart(const ColdStartData& data, const ColdStartOptions& options,
                                  const ColdStartProgress& progress = {});

}  // namespace cf::content
