// Trains an ItemEmbeddingModel from co-occurrence sets (a household's items, a session's items).
// Two objectives:
//   history (default): the set predicts each of its items. For target t of set S, the user is the
//     mean embedding of up to `history` other items of S, u = mean_h e_h, and a sampled softmax
//     over t and `negatives` items drawn from the items' frequency to the power
//     `negative_power` (0 = uniform) minimises -log softmax(u . e_t). With uniform negatives the
//     scores estimate log P(t | history) up to a constant, popularity included: what ranking a
//     user's next purchase needs, and exactly the scorer the evaluation uses.
//   skipgram: item2vec. For each item a of a set and up to `contexts` other items b of it,
//     -log sigmoid(e_a . e_b) - sum_n log sigmoid(-e_a . e_n), negatives ~ frequency^0.75 (the
//     pointwise mutual information: it removes popularity).
// For the hybrid tower the ID part of each item is dropped with probability `id_dropout` per use
// (DropoutNet), so the content part learns to stand alone for items that have no interactions.
//
// Promises: deterministic given the options' seed (single-threaded); only items that occur in a
// set are trained or drawn as negatives; progress reports (epoch, epochs, mean loss) after each
// epoch. Bad options (epochs < 1, negatives < 1, a rate that is not positive, dropout outside
// [0, 1)) or an item id outside the model throw std::invalid_argument before any training.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "insight/content_embedding_model.h"

namespace cf::content {

enum class CooccurrenceObjective { kHistory, kSkipGram };

struct CooccurrenceOptions {
  CooccurrenceObjective objective = CooccurrenceObjective::kHistory;
  int epochs = 10;
  int negatives = 20;
  double negative_power = 0.0;  // history objective; skipgram always uses 0.75
  int history = 32;             // history objective: other items of the set averaged per target
  int contexts = 5;             // skipgram: positive partners per item occurrence per epoch
  double learning_rate = 0.2;
  double id_dropout = 0.5;  // hybrid tower only
  uint64_t seed = 1;
};

struct CooccurrenceReport {
  size_t sets = 0, items = 0, pairs = 0;  // pairs: positive examples seen over all epochs
  double final_loss = 0;                  // mean loss per pair in the last epoch
  double seconds = 0;
};

using CooccurrenceProgress = std::function<void(int epoch, int epochs, double mean_loss)>;

CooccurrenceReport TrainCooccurrence(ItemEmbeddingModel& model,
                                     const std::vector<std::vector<int>>& item_sets,
                                     const CooccurrenceOptions& options,
                                     const CooccurrenceProgress& progress = {});

}  // namespace cf::content
