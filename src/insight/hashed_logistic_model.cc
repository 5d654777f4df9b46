#include "insight/hashed_logistic_model.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "insight/probability_calibrator.h"

namespace cf {

HashedLogisticModel::HashedLogisticModel(Options options) : options_(options) {
  if (options.bits < 4 || options.bits > 28) {
    throw std::invalid_argument("hashed logistic model: bits must be between 4 and 28");
  }
  const size_t n = size_t{1} << options.bits;
  mask_ = static_cast<uint32_t>(n - 1);
  weights_.assign(n, 0.0f);
  squared_gradients_.assign(n, 0.0f);
  weights_[0] = static_cast<float>(options.initial_bias);
}

double HashedLogisticModel::Score(std::span<const uint32_t> features) const {
  double s = 0;
  for (uint32_t f : features) s += weights_[f & mask_];
  return s;
}

double HashedLogisticModel::Predict(std::span<const uint32_t> features, double offset) const {
  return Sigmoid(offset + Score(features));
}

double HashedLogisticModel::Update(std::span<const uint32_t> features, bool label, double offset) {
  const double p = Predict(features, offset);
  const double g = p - (label ? 1.0 : 0.0);
  for (uint32_t f : features) {
    const uint32_t i = f & mask_;
    const double gi = g + options_.l2 * weights_[i];
    squared_gradients_[i] += static_cast<float>(gi * gi);
    weights_[i] -=
        static_cast<float>(options_.learning_rate * gi /
                           (std::sqrt(static_cast<double>(squared_gradients_[i])) + 1.0));
  }
  ++updates_;
  return p;
}

void HashedLogisticModel::Restore(std::vector<float> weights, std::vector<float> squared_gradients,
                                  uint64_t updates) {
  if (weights.size() != weights_.size() || squared_gradients.size() != weights_.size()) {
    throw std::invalid_argument("hashed logistic model: a saved table of " +
                                std::to_string(weights.size()) + " weights does not fit " +
                                std::to_string(weights_.size()));
  }
  weights_ = std::move(weights);
  squared_gradients_ = std::move(squared_gradients);
  updates_ = updates;
}

}  // namespace cf
