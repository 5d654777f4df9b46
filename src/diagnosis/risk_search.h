// Multi-dimensional root-cause localisation: a RiskLoc/Squeeze-class search for the set of
// attribute combinations (elements) that explains a deviation of an additive or ratio KPI.
//
// Method (docs/diagnosis.md has the details and the parameter study): on the additive view
// (rca_case.h; ratio KPIs are compared at the actual volume) every leaf has a signed excess
// x = v - f in the anomaly's direction, a weight w (the ratio's denominator, or the forecast for
// additive KPIs) and a noise variance (binomial/Poisson for ratios of counts, the robustly
// estimated relative noise for additive KPIs). Starting from all
// leaves, the search drills down: at a node it splits by each free dimension, marks the children
// that are *affected* (significant excess, and intensity x/w at least `affected_ratio` of the
// strongest child), and drills into a dimension only when the *rest* of the node is clearly calm
// (intensity at most `calm_ratio` of the affected part) and large enough for that calm to be
// evidence. Among dimensions that qualify it takes the one whose affected children hold the
// least of the node's weight (the most concentrated explanation). A node that cannot be split
// that way is a root cause. This prefers the most succinct element that is consistent with the
// data: a parent whose children are all affected stays whole; a parent with a calm part is refined.
//
// Promises: deterministic; no dataset-specific constants (the parameters below are generic and
// documented); cost O(depth x dimensions x leaves) per cause. Thread-safe (no shared state).
#pragma once

#include <cstddef>

#include "diagnosis/rca_case.h"
#include "diagnosis/rca_result.h"

namespace cf::diagnosis {

struct RiskSearchParams {
  // A cause (and any child considered affected) must hold at least this share of the total excess.
  double min_share = 0.25;
  // A deviation is significant at this many standard errors (binomial/Poisson for ratios of
  // counts; for additive KPIs from the leaves' robustly estimated relative noise).
  double min_z = 3;
  // Additive KPIs: floor of the estimated relative noise per leaf.
  double min_relative_noise = 0.01;
  // A child is affected when its intensity is at least this share of the strongest child's.
  double affected_ratio = 0.1;
  // The rest of a node is calm when its intensity is at most this share of the affected part's.
  double calm_ratio = 0.1;
  // Most causes returned (largest excess first).
  size_t max_causes = 5;
};

RcaResult RiskSearch(const RcaCase& c, const RiskSearchParams& params = {});

}  // namespace cf::diagnosis
