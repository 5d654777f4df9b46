// What a root-cause localiser returns, and exact-match scoring over labelled cases.
//
// Promises: a result lists the predicted root-cause elements, most important first, each with a
// score in [0, 1] (method-specific). Scoring is exact match: a predicted element counts as a
// true positive only when identical to a labelled one (same dimensions, same values); counts are
// summed over cases (micro-averaged) before precision, recall and F1. Plain values.
#pragma once

#include <cstddef>
#include <vector>

#include "diagnosis/rca_case.h"

namespace cf::diagnosis {

struct RcaResult {
  std::vector<Element> causes;
  std::vector<double> scores;  // parallel to causes
};

struct MatchCounts {
  size_t tp = 0, fp = 0, fn = 0;

  void Add(const std::vector<Element>& predicted, const std::vector<Element>& truth);
  double Precision() const;
  double Recall() const;
  double F1() const;
};

}  // namespace cf::diagnosis
