#include "insight/probability_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace cf {
namespace {

void CheckSizes(std::span<const float> pred, std::span<const unsigned char> label) {
  if (pred.size() != label.size()) {
    throw std::invalid_argument("probability metrics: predictions and labels differ in length");
  }
}

std::vector<size_t> SortedOrder(std::span<const float> pred) {
  std::vector<size_t> order(pred.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pred[a] < pred[b]; });
  return order;
}

}  // namespace

double LogLoss(std::span<const float> pred, std::span<const unsigned char> label) {
  CheckSizes(pred, label);
  if (pred.empty()) return 0;
  double sum = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    const double p = std::clamp(static_cast<double>(pred[i]), 1e-7, 1 - 1e-7);
    sum -= label[i] ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(pred.size());
}

double Auc(std::span<const float> pred, std::span<const unsigned char> label) {
  CheckSizes(pred, label);
  const std::vector<size_t> order = SortedOrder(pred);
  double pos = 0, neg = 0, rank_sum = 0;
  // Average ranks (1-based) over runs of equal predictions.
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && pred[order[j]] == pred[order[i]]) ++j;
    const double avg_rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t k = i; k < j; ++k) {
      if (label[order[k]]) {
        pos += 1;
        rank_sum += avg_rank;
      } else {
        neg += 1;
      }
    }
    i = j;
  }
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

ProbabilityMetrics Evaluate(std::span<const float> pred, std::span<const unsigned char> label,
                            int bins) {
  CheckSizes(pred, label);
  ProbabilityMetrics m;
  m.n = pred.size();
  if (m.n == 0) return m;
  bins = std::max(1, bins);
  m.log_loss = LogLoss(pred, label);
  m.auc = Auc(pred, label);
  double sum_pred = 0;
  for (size_t i = 0; i < m.n; ++i) {
    sum_pred += pred[i];
    m.positives += label[i];
  }
  m.mean_prediction = sum_pred / static_cast<double>(m.n);
  m.observed_rate = m.positives / static_cast<double>(m.n);
  m.ratio = m.observed_rate > 0 ? m.mean_prediction / m.observed_rate : 0;
  const std::vector<size_t> order = SortedOrder(pred);
  const double per_bin = static_cast<double>(m.n) / bins;
  double abs_gap = 0;
  for (size_t i = 0; i < m.n;) {
    // Close the bin at its equal-mass boundary, but never split a run of equal predictions.
    size_t j =
        std::min(m.n, std::max(i + 1, static_cast<size_t>(std::llround(per_bin * (m.bins + 1)))));
    while (j < m.n && pred[order[j]] == pred[order[j - 1]]) ++j;
    double p = 0, y = 0;
    for (size_t k = i; k < j; ++k) {
      p += pred[order[k]];
      y += label[order[k]];
    }
    abs_gap += std::fabs(p - y);
    ++m.bins;
    i = j;
  }
  m.ece = abs_gap / static_cast<double>(m.n);
  m.relative_ece = m.positives > 0 ? abs_gap / m.positives : 0;
  return m;
}

}  // namespace cf
