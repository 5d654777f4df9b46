// Runs the root-cause search and the Adtributor baseline over labelled cases and scores both
// (exact-match precision, recall, F1; search seconds per case).
//
// Promises: the same cases, in the same run, for both methods; time counts only the localisation
// (loading is excluded), measured with a steady clock. Optional per-case progress callback.
// Thread-compatible.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diagnosis/adtributor.h"
#include "diagnosis/rca_case.h"
#include "diagnosis/rca_result.h"
#include "diagnosis/risk_search.h"

namespace cf::diagnosis {

struct CaseOutcome {
  std::string name;
  std::vector<Element> truth, predicted, baseline;
};

struct RcaEvaluation {
  size_t cases = 0;
  MatchCounts search, adtributor;
  double search_seconds = 0, adtributor_seconds = 0;  // totals
  std::vector<CaseOutcome> outcomes;

  double SecondsPerCase() const { return cases ? search_seconds / static_cast<double>(cases) : 0; }
  // {"cases":..,"f1":..,"precision":..,"recall":..,"seconds_per_case":..,
  //  "baseline_adtributor":{"f1":..}}
  nlohmann::ordered_json ToJson() const;
};

RcaEvaluation EvaluateRca(const std::vector<RcaCase>& cases, const RiskSearchParams& search = {},
                          const AdtributorParams& baseline = {},
                          const std::function<void(size_t, size_t)>& progress = {});

}  // namespace cf::diagnosis
