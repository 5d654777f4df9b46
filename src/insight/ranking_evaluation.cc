#include "insight/ranking_evaluation.h"

namespace cf {

RankingEvaluation::RankingEvaluation(
    std::vector<std::pair<std::string, ResponsePredictor*>> predictors, UserAffinity* affinity,
    SimMinute eval_start, uint32_t attribution_minutes)
    : predictors_(std::move(predictors)),
      affinity_(affinity),
      eval_start_(eval_start),
      window_(attribution_minutes),
      ctr_(predictors_.size()),
      cvr_(predictors_.size()),
      value_sum_(predictors_.size(), 0.0) {}

void RankingEvaluation::Observe(const Event& e) {
  const bool ad = e.plan != kNoId && e.product != kNoId && e.user != kNoId;
  if (ad && e.type == EventType::kImpression) {
    if (e.minute < eval_start_) {
      ++training_impressions_;
    } else {
      Opportunity opp;
      opp.minute = e.minute;
      opp.user = e.user;
      opp.channel = e.channel;
      opp.position = e.quantity;
      for (size_t i = 0; i < predictors_.size(); ++i) {
        ScoredAd s;
        s.ad = AdCandidate{e.plan, e.product};
        predictors_[i].second->Predict(opp, s);
        ctr_[i].push_back(static_cast<float>(s.p_ctr));
        cvr_[i].push_back(static_cast<float>(s.p_cvr));
        value_sum_[i] += s.value;
      }
      last_[e.user] = plan_.size();
      plan_.push_back(e.plan);
      product_.push_back(e.product);
      minute_.push_back(e.minute);
      clicked_.push_back(0);
      purchased_.push_back(0);
    }
  } else if (ad && (e.type == EventType::kClick || e.type == EventType::kPurchase) &&
             (e.flags & kFlagOrganic) == 0) {
    auto it = last_.find(e.user);
    if (it != last_.end()) {
      const size_t k = it->second;
      if (plan_[k] == e.plan && product_[k] == e.product && e.minute <= minute_[k] + window_) {
        if (e.type == EventType::kClick) {
          clicked_[k] = 1;
        } else if (clicked_[k]) {
          purchased_[k] = 1;
        }
      }
    }
  }
  for (auto& [name, p] : predictors_) p->Observe(e);
  if (affinity_) affinity_->Observe(e);
}

std::vector<RankingEvaluation::Result> RankingEvaluation::Results(int bins) const {
  std::vector<Result> out;
  for (size_t i = 0; i < predictors_.size(); ++i) {
    Result r;
    r.name = predictors_[i].first;
    r.ctr = Evaluate(ctr_[i], clicked_, bins);
    std::vector<float> cvr;
    std::vector<unsigned char> bought;
    for (size_t k = 0; k < clicked_.size(); ++k) {
      if (!clicked_[k]) continue;
      cvr.push_back(cvr_[i][k]);
      bought.push_back(purchased_[k]);
    }
    r.cvr = Evaluate(cvr, bought, bins);
    r.mean_value = clicked_.empty() ? 0 : value_sum_[i] / static_cast<double>(clicked_.size());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cf
