// A logistic regression over hashed binary features, trained online by AdaGrad (one example at a
// time, in the order given) with the per-coordinate step rate / (1 + sqrt(sum of squared
// gradients)): the 1 (FTRL-Proximal's beta) keeps a rarely seen feature's first steps small.
// Feature indices come from ranking_features.h and are taken modulo the table size (a power of
// two). Deterministic: the same examples in the same order give the same weights. Not thread-safe;
// Predict is const and may run concurrently with other Predicts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace cf {

class HashedLogisticModel {
 public:
  struct Options {
    int bits = 20;                // table of 2^bits weights
    double learning_rate = 0.05;  // AdaGrad step
    double l2 = 1e-6;             // weight decay per update of a feature
    double initial_bias = 0;      // starting weight of feature 0 (the bias): logit of the prior
  };
  explicit HashedLogisticModel(Options options);

  // Raw score w . x (the log odds) of the features.
  double Score(std::span<const uint32_t> features) const;
  // sigmoid(offset + Score): `offset` is a fixed log odds the model corrects (a base margin,
  // e.g. another model's estimate), 0 for a model on its own.
  double Predict(std::span<const uint32_t> features, double offset = 0) const;
  // One AdaGrad step on the log loss of `label` (0 or 1) of Predict(features, offset); returns the
  // prediction before it.
  double Update(std::span<const uint32_t> features, bool label, double offset = 0);
  uint64_t updates() const { return updates_; }
  size_t size() const { return weights_.size(); }

  // The learned state, for saving; Restore replaces it with a saved one (throws
  // std::invalid_argument, changing nothing, unless both tables have this model's size).
  const std::vector<float>& weights() const { return weights_; }
  const std::vector<float>& squared_gradients() const { return squared_gradients_; }
  void Restore(std::vector<float> weights, std::vector<float> squared_gradients, uint64_t updates);

 private:
  Options options_;
  uint32_t mask_;
  std::vector<float> weights_;
  std::vector<float> squared_gradients_;
  uint64_t updates_ = 0;
};

}  // namespace cf
