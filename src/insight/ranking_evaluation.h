// Held-out evaluation of response predictors on an observed event stream. Feed it the events in
// the order the platform saw them (the history per user first, then the flight in append order):
// every predictor and the affinity table observe every event, as in the platform; each ad
// impression at or after `eval_start` is first predicted by every predictor (before any of them
// sees it) and later labelled from the log: clicked if the same user clicks the same plan and
// product within `attribution_minutes`, converted if an attributed purchase follows that click.
// pCTR is scored on all evaluated impressions, pCVR on the clicked ones, against those observed
// outcomes only. Not thread-safe.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "common/event.h"
#include "insight/probability_metrics.h"
#include "insight/response_predictor.h"
#include "insight/user_affinity.h"

namespace cf {

class RankingEvaluation {
 public:
  struct Result {
    std::string name;
    ProbabilityMetrics ctr, cvr;
    double mean_value = 0;  // mean predicted value per evaluated impression (currency units)
  };
  // `predictors` and `affinity` are borrowed and must outlive this object. `affinity` may be null
  // when the caller feeds it itself.
  RankingEvaluation(std::vector<std::pair<std::string, ResponsePredictor*>> predictors,
                    UserAffinity* affinity, SimMinute eval_start,
                    uint32_t attribution_minutes = 30);

  // Observes one event (predicting first if it is an evaluated ad impression).
  void Observe(const Event& e);
  std::vector<Result> Results(int bins = 10) const;

  size_t impressions() const { return clicked_.size(); }
  size_t training_impressions() const { return training_impressions_; }

 private:
  std::vector<std::pair<std::string, ResponsePredictor*>> predictors_;
  UserAffinity* affinity_;
  SimMinute eval_start_;
  uint32_t window_;
  // Per evaluated impression.
  std::vector<PlanId> plan_;
  std::vector<ProductId> product_;
  std::vector<SimMinute> minute_;
  std::vector<unsigned char> clicked_, purchased_;
  std::vector<std::vector<float>> ctr_, cvr_;  // per predictor
  std::vector<double> value_sum_;              // per predictor
  std::unordered_map<UserId, size_t> last_;    // user -> their latest evaluated impression
  size_t training_impressions_ = 0;
};

}  // namespace cf
