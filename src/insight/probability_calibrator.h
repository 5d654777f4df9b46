// Platt scaling: maps a model's raw probability p to sigmoid(a * logit(p) + b), with (a, b) fitted
// by Newton's method to minimise the log loss on held-out (prediction, outcome) pairs, lightly
// regularised towards the identity (a = 1, b = 0) so a small window cannot swing it far.
// Monotone (a is kept positive), so ranking (AUC) is unchanged. Deterministic. Plain value type.
#pragma once

#include <span>

namespace cf {

class ProbabilityCalibrator {
 public:
  // Fits on raw predictions `pred` (probabilities) and 0/1 `label`. With fewer than
  // `min_positives` positives or negatives it keeps the current mapping and returns false.
  bool Fit(std::span<const float> pred, std::span<const unsigned char> label,
           double min_positives = 20);
  double Apply(double p) const;
  // The same mapping from the raw log odds z = logit(p) (saves the sigmoid and the logit).
  double ApplyLogit(double z) const;
  double slope() const { return a_; }
  double intercept() const { return b_; }
  void Set(double slope, double intercept) {
    a_ = slope;
    b_ = intercept;
  }

 private:
  double a_ = 1, b_ = 0;
};

// log(p / (1 - p)) with p clamped to [1e-7, 1 - 1e-7].
double Logit(double p);
double Sigmoid(double z);

}  // namespace cf
