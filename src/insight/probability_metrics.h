// Quality of probability estimates against observed 0/1 outcomes: log loss, ROC AUC and
// calibration error over equal-mass bins. Pure functions of (prediction, label) pairs; no state.
// Predictions are clamped to [1e-7, 1 - 1e-7] for the log loss.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace cf {

struct ProbabilityMetrics {
  size_t n = 0;             // examples
  double positives = 0;     // examples with label 1
  double log_loss = 0;      // mean negative log likelihood (natural log)
  double auc = 0.5;         // ROC AUC; 0.5 when only one class is present
  double ece = 0;           // sum over bins of (bin size / n) * |mean prediction - observed rate|
  double relative_ece = 0;  // sum over bins |sum prediction - sum labels| / sum labels
  double mean_prediction = 0;
  double observed_rate = 0;
  double ratio = 0;  // mean prediction / observed rate (1 = calibrated on average)
  int bins = 0;
};

// Log loss of `pred` against `label` (labels are 0 or 1).
double LogLoss(std::span<const float> pred, std::span<const unsigned char> label);
// ROC AUC by the rank-sum statistic, ties counted as one half. 0.5 if a class is missing.
double Auc(std::span<const float> pred, std::span<const unsigned char> label);
// Everything above; calibration over `bins` equal-mass bins of the sorted predictions (ties kept
// in one bin).
ProbabilityMetrics Evaluate(std::span<const float> pred, std::span<const unsigned char> label,
                            int bins = 10);

}  // namespace cf
