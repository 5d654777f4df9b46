// The learned ranking model: two hashed logistic regressions over RankingFeatures, one for pCTR
// (impression -> click) and one for pCVR (click -> purchase), each followed by a Platt calibrator,
// and value = pCTR x pCVR x expected order value (smoothed mean of the product's observed
// ad-attributed orders, prior 1.2 x shelf price). With `residual` (the default) each regression
// learns a correction of the smoothed counts' estimate (SmoothedCountPredictor, kept inside and
// fed the same events): its log odds are added to the counts' log odds, so with no data it
// predicts what the counts predict and it can only learn away from them (the cold start).
//
// Learns only through Observe, from the event log as a platform sees it: an ad impression opens a
// pending example (its features are taken then, at decision time); a click of the same user on the
// same plan and product within `attribution_minutes` labels it clicked, and an attributed purchase
// after that click labels it converted. An example is final once the window has passed or the user
// sees their next ad; then both models take one AdaGrad step (the CVR model only on clicked
// examples). Each example is scored before its step (progressive validation), and those held-out
// scores of the most recent `calibration_window` examples are what the calibrators are fitted on,
// on a schedule: every `refit_minutes` of event time, and sooner while the window is still
// doubling (the first hours of a flight). Deterministic for a given event order. Not thread-safe.
//
// Saved models (docs/insight-ranking.md): Save writes both heads (weights and AdaGrad state),
// both calibrators and the order values atomically; Load replaces them with a saved model's (a
// warm start: a new run begins where an earlier one ended instead of at the priors). The
// per-user memory, the open examples and the calibration windows are not saved: they belong to a
// run's event stream and are rebuilt from it. Load checks everything before changing anything and
// throws RankingModelError naming the file and what to do (missing, truncated or corrupted,
// another format version, another table size, another catalogue).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/catalogue.h"
#include "insight/hashed_logistic_model.h"
#include "insight/probability_calibrator.h"
#include "insight/ranking_features.h"
#include "insight/response_predictor.h"
#include "insight/smoothed_count_predictor.h"
#include "insight/user_affinity.h"

namespace cf {

class RankingModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LearnedResponsePredictor : public ResponsePredictor {
 public:
  struct Options {
    int bits = 20;                    // hashed weights per head: 2^bits
    double ctr_learning_rate = 0.02;  // AdaGrad step of the pCTR head
    double cvr_learning_rate = 0.05;  // AdaGrad step of the pCVR head (fewer, rarer labels)
    double prior_ctr = 0.01;          // the heads' starting bias (before any data)
    double prior_cvr = 0.08;
    uint32_t attribution_minutes = 30;   // a click / purchase must follow its impression this soon
    uint32_t refit_minutes = 1440;       // calibrator refit period (event time)
    size_t calibration_window = 200000;  // most recent held-out scores per head
    double aov_strength = 3;             // prior weight of 1.2 x shelf price, in orders
    bool residual = true;  // correct the smoothed counts' log odds (else start from the priors)
  };
  LearnedResponsePredictor(const Catalogue& catalogue, const UserAffinity& affinity,
                           Options options);
  LearnedResponsePredictor(const Catalogue& catalogue, const UserAffinity& affinity)
      : LearnedResponsePredictor(catalogue, affinity, Options{}) {}

  void Predict(const Opportunity& opp, ScoredAd& ad) const override;
  void Observe(const Event& e) override;

  // Finalises every pending example now (end of a log) and refits the calibrators.
  void Flush();
  // Refits both calibrators on their windows now.
  void Refit();

  void Save(const std::filesystem::path& path) const;
  void Load(const std::filesystem::path& path);
  // What a saved model is checked against: products, their categories and shelf prices.
  static uint64_t CatalogueFingerprint(const Catalogue& catalogue);

  uint64_t ctr_examples() const { return ctr_.updates(); }
  uint64_t cvr_examples() const { return cvr_.updates(); }
  uint32_t refits() const { return refits_; }
  const ProbabilityCalibrator& ctr_calibrator() const { return ctr_cal_; }
  const ProbabilityCalibrator& cvr_calibrator() const { return cvr_cal_; }

 private:
  struct Pending {
    uint64_t seq = 0;
    PlanId plan = kNoId;
    ProductId product = kNoId;
    SimMinute minute = 0;
    bool clicked = false, purchased = false;
    float ctr_offset = 0, cvr_offset = 0;  // the counts' log odds at decision time (residual)
    RankingFeatures::Vector features{};
  };
  // The features and head sums that depend on the opportunity alone, computed once for all its
  // candidates (Predict is called for each candidate of one opportunity in turn).
  struct ContextCache {
    bool valid = false;
    Opportunity opp;
    RankingFeatures::Context context;
    double ctr_sum = 0, cvr_sum = 0;
  };
  const ContextCache& ContextFor(const Opportunity& opp) const;
  // The counts' log odds (pCTR, pCVR) of showing `product` in `opp`; 0 without `residual`.
  std::pair<double, double> Offsets(const Opportunity& opp, const AdCandidate& ad) const;
  struct Window {
    std::vector<float> pred;
    std::vector<unsigned char> label;
    size_t next = 0;  // ring position once full
    void Add(float p, bool y, size_t cap);
  };
  struct OrderValue {
    double orders = 0, gmv = 0;
  };
  void Finalize(const Pending& p);
  double ExpectedOrderValue(ProductId product) const;

  const Catalogue& catalogue_;
  Options options_;
  RankingFeatures features_;
  SmoothedCountPredictor base_;  // the estimate the heads correct (residual)
  mutable ContextCache cache_;
  HashedLogisticModel ctr_, cvr_;
  ProbabilityCalibrator ctr_cal_, cvr_cal_;
  Window ctr_window_, cvr_window_;
  std::unordered_map<UserId, Pending> pending_;   // the user's latest open impression
  std::deque<std::pair<uint64_t, UserId>> open_;  // (seq, user) in the order they opened
  std::vector<OrderValue> order_value_;           // per product
  uint64_t seq_ = 0;
  SimMinute latest_ = 0;
  SimMinute next_refit_ = 0;
  size_t fitted_at_ = 0;  // CTR window examples seen at the last refit
  size_t seen_ = 0;       // CTR examples finalised
  uint32_t refits_ = 0;
};

}  // namespace cf
