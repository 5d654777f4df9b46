#include "insight/probability_calibrator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace cf {

double Logit(double p) {
  p = std::clamp(p, 1e-7, 1 - 1e-7);
  return std::log(p / (1 - p));
}

double Sigmoid(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1 + e);
}

bool ProbabilityCalibrator::Fit(std::span<const float> pred, std::span<const unsigned char> label,
                                double min_positives) {
  if (pred.size() != label.size()) {
    throw std::invalid_argument("calibrator: predictions and labels differ in length");
  }
  double pos = 0;
  for (unsigned char y : label) pos += y;
  const double neg = static_cast<double>(label.size()) - pos;
  if (pos < min_positives || neg < min_positives) return false;
  // Prior strength of the pull towards the identity, in examples' worth of curvature.
  constexpr double kRidge = 1.0;
  std::vector<double> logit(pred.size());
  for (size_t i = 0; i < pred.size(); ++i) logit[i] = Logit(pred[i]);
  double a = 1, b = 0;
  for (int iter = 0; iter < 50; ++iter) {
    // Gradient and Hessian of the total log loss plus kRidge/2 * ((a-1)^2 + b^2).
    double ga = kRidge * (a - 1), gb = kRidge * b;
    double haa = kRidge, hab = 0, hbb = kRidge;
    for (size_t i = 0; i < pred.size(); ++i) {
      const double z = logit[i];
      const double p = Sigmoid(a * z + b);
      const double g = p - label[i];
      const double w = std::max(p * (1 - p), 1e-12);
      ga += g * z;
      gb += g;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    // Damped Newton step: the loss is convex, the clamp only guards the first steps.
    const double da = std::clamp((hbb * ga - hab * gb) / det, -1.0, 1.0);
    const double db = std::clamp((haa * gb - hab * ga) / det, -2.0, 2.0);
    a -= da;
    b -= db;
    if (std::fabs(da) < 1e-9 && std::fabs(db) < 1e-9) break;
  }
  if (!std::isfinite(a) || !std::isfinite(b) || a <= 0) return false;
  a_ = a;
  b_ = b;
  return true;
}

double ProbabilityCalibrator::Apply(double p) const { return Sigmoid(a_ * Logit(p) + b_); }

double ProbabilityCalibrator::ApplyLogit(double z) const {
  constexpr double kMax = 16.118;  // Logit's clamp: logit(1 - 1e-7)
  return Sigmoid(a_ * std::clamp(z, -kMax, kMax) + b_);
}

}  // namespace cf
