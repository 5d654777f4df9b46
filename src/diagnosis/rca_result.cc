#include "diagnosis/rca_result.h"

#include <algorithm>

namespace cf::diagnosis {

void MatchCounts::Add(const std::vector<Element>& predicted, const std::vector<Element>& truth) {
  std::vector<Element> p = predicted, t = truth;
  for (Element& e : p) e.Normalise();
  for (Element& e : t) e.Normalise();
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  size_t hit = 0;
  for (const Element& e : p) hit += std::binary_search(t.begin(), t.end(), e) ? 1 : 0;
  tp += hit;
  fp += p.size() - hit;
  fn += t.size() - hit;
}

double MatchCounts::Precision() const {
  return tp + fp == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
}

double MatchCounts::Recall() const {
  return tp + fn == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
}

double MatchCounts::F1() const {
  const double p = Precision(), r = Recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

}  // namespace cf::diagnosis
