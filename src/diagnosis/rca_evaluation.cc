#include "diagnosis/rca_evaluation.h"

#include <chrono>

namespace cf::diagnosis {

nlohmann::ordered_json RcaEvaluation::ToJson() const {
  nlohmann::ordered_json j;
  j["cases"] = cases;
  j["f1"] = search.F1();
  j["precision"] = search.Precision();
  j["recall"] = search.Recall();
  j["seconds_per_case"] = SecondsPerCase();
  j["baseline_adtributor"] = {{"f1", adtributor.F1()}};
  return j;
}

RcaEvaluation EvaluateRca(const std::vector<RcaCase>& cases, const RiskSearchParams& search,
                          const AdtributorParams& baseline,
                          const std::function<void(size_t, size_t)>& progress) {
  using Clock = std::chrono::steady_clock;
  RcaEvaluation ev;
  ev.cases = cases.size();
  for (size_t i = 0; i < cases.size(); ++i) {
    const RcaCase& c = cases[i];
    const auto t0 = Clock::now();
    RcaResult r = RiskSearch(c, search);
    const auto t1 = Clock::now();
    RcaResult b = Adtributor(c, baseline);
    const auto t2 = Clock::now();
    ev.search_seconds += std::chrono::duration<double>(t1 - t0).count();
    ev.adtributor_seconds += std::chrono::duration<double>(t2 - t1).count();
    ev.search.Add(r.causes, c.truth);
    ev.adtributor.Add(b.causes, c.truth);
    ev.outcomes.push_back(CaseOutcome{c.name, c.truth, std::move(r.causes), std::move(b.causes)});
    if (progress) progress(i + 1, cases.size());
  }
  return ev;
}

}  // namespace cf::diagnosis
