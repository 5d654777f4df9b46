#include "insight/learned_response_predictor.h"

#include <algorithm>
#include <stdexcept>

namespace cf {
namespace {

HashedLogisticModel::Options Head(const LearnedResponsePredictor::Options& o, double rate,
                                  double prior) {
  HashedLogisticModel::Options h;
  h.bits = o.bits;
  h.learning_rate = rate;
  // A residual head starts as no correction; a head on its own starts at the prior.
  h.initial_bias = o.residual ? 0.0 : Logit(prior);
  return h;
}

bool SameOpportunity(const Opportunity& a, const Opportunity& b) {
  return a.key == b.key && a.user == b.user && a.minute == b.minute && a.channel == b.channel &&
         a.position == b.position;
}

}  // namespace

void LearnedResponsePredictor::Window::Add(float p, bool y, size_t cap) {
  if (pred.size() < cap) {
    pred.push_back(p);
    label.push_back(y ? 1 : 0);
    return;
  }
  pred[next] = p;
  label[next] = y ? 1 : 0;
  next = (next + 1) % cap;
}

LearnedResponsePredictor::LearnedResponsePredictor(const Catalogue& catalogue,
                                                   const UserAffinity& affinity, Options options)
    : catalogue_(catalogue),
      options_(options),
      features_(catalogue, affinity),
      base_(catalogue, affinity),
      ctr_(Head(options, options.ctr_learning_rate, options.prior_ctr)),
      cvr_(Head(options, options.cvr_learning_rate, options.prior_cvr)),
      order_value_(catalogue.products.size()) {
  if (options.calibration_window < 100) {
    throw std::invalid_argument("learned predictor: calibration_window must be at least 100");
  }
  if (options.refit_minutes < 1) {
    throw std::invalid_argument("learned predictor: refit_minutes must be at least 1");
  }
}

double LearnedResponsePredictor::ExpectedOrderValue(ProductId product) const {
  const OrderValue& v = order_value_[product];
  const double prior = catalogue_.products[product].shelf_price.units() * 1.2;
  return (v.gmv + prior * options_.aov_strength) / (v.orders + options_.aov_strength);
}

const LearnedResponsePredictor::ContextCache& LearnedResponsePredictor::ContextFor(
    const Opportunity& opp) const {
  if (cache_.valid && SameOpportunity(cache_.opp, opp)) return cache_;
  cache_.valid = true;
  cache_.opp = opp;
  cache_.context = features_.ContextOf(opp);
  cache_.ctr_sum = ctr_.Score(cache_.context.features);
  cache_.cvr_sum = cvr_.Score(cache_.context.features);
  return cache_;
}

std::pair<double, double> LearnedResponsePredictor::Offsets(const Opportunity& opp,
                                                            const AdCandidate& ad) const {
  if (!options_.residual) return {0.0, 0.0};
  ScoredAd counts;
  counts.ad = ad;
  base_.Predict(opp, counts);
  return {Logit(counts.p_ctr), Logit(counts.p_cvr)};
}

void LearnedResponsePredictor::Predict(const Opportunity& opp, ScoredAd& ad) const {
  const ContextCache& c = ContextFor(opp);
  const RankingFeatures::Vector x = features_.Extract(c.context, opp, ad.ad.product);
  const std::span<const uint32_t> item(x.begin() + RankingFeatures::kContextCount, x.end());
  const auto [ctr_offset, cvr_offset] = Offsets(opp, ad.ad);
  ad.p_ctr = std::clamp(ctr_cal_.ApplyLogit(ctr_offset + c.ctr_sum + ctr_.Score(item)), 1e-6, 0.5);
  ad.p_cvr = std::clamp(cvr_cal_.ApplyLogit(cvr_offset + c.cvr_sum + cvr_.Score(item)), 1e-6, 0.95);
  ad.value = ad.p_ctr * ad.p_cvr * ExpectedOrderValue(ad.ad.product);
}

void LearnedResponsePredictor::Finalize(const Pending& p) {
  cache_.valid = false;  // the weights move
  const double raw_ctr = ctr_.Update(p.features, p.clicked, p.ctr_offset);
  ctr_window_.Add(static_cast<float>(raw_ctr), p.clicked, options_.calibration_window);
  ++seen_;
  if (p.clicked) {
    const double raw_cvr = cvr_.Update(p.features, p.purchased, p.cvr_offset);
    cvr_window_.Add(static_cast<float>(raw_cvr), p.purchased, options_.calibration_window);
  }
}

void LearnedResponsePredictor::Refit() {
  ctr_cal_.Fit(ctr_window_.pred, ctr_window_.label);
  cvr_cal_.Fit(cvr_window_.pred, cvr_window_.label);
  fitted_at_ = seen_;
  ++refits_;
}

void LearnedResponsePredictor::Flush() {
  while (!open_.empty()) {
    const auto [seq, user] = open_.front();
    open_.pop_front();
    auto it = pending_.find(user);
    if (it != pending_.end() && it->second.seq == seq) {
      Finalize(it->second);
      pending_.erase(it);
    }
  }
  Refit();
}

void LearnedResponsePredictor::Observe(const Event& e) {
  cache_.valid = false;  // the user's memory and the weights may move
  latest_ = std::max(latest_, e.minute);
  // Close the examples whose attribution window has passed.
  while (!open_.empty()) {
    const auto [seq, user] = open_.front();
    auto it = pending_.find(user);
    if (it == pending_.end() || it->second.seq != seq) {
      open_.pop_front();  // already closed by the user's next impression
      continue;
    }
    if (it->second.minute + options_.attribution_minutes >= e.minute) break;
    Finalize(it->second);
    pending_.erase(it);
    open_.pop_front();
  }
  const bool ad = e.plan != kNoId && e.product != kNoId && e.product < catalogue_.products.size();
  if (ad && e.type == EventType::kImpression) {
    auto it = pending_.find(e.user);
    if (it != pending_.end()) Finalize(it->second);  // the user's previous ad is settled
    Pending p;
    p.seq = ++seq_;
    p.plan = e.plan;
    p.product = e.product;
    p.minute = e.minute;
    Opportunity opp;
    opp.minute = e.minute;
    opp.user = e.user;
    opp.channel = e.channel;
    opp.position = e.quantity;                       // impressions carry their slot position here
    p.features = features_.Extract(opp, e.product);  // as they were at decision time
    const auto [ctr_offset, cvr_offset] = Offsets(opp, AdCandidate{e.plan, e.product});
    p.ctr_offset = static_cast<float>(ctr_offset);
    p.cvr_offset = static_cast<float>(cvr_offset);
    pending_[e.user] = p;
    open_.emplace_back(p.seq, e.user);
  } else if (ad && (e.type == EventType::kClick || e.type == EventType::kPurchase) &&
             (e.flags & kFlagOrganic) == 0) {
    auto it = pending_.find(e.user);
    if (it != pending_.end() && it->second.plan == e.plan && it->second.product == e.product &&
        e.minute <= it->second.minute + options_.attribution_minutes) {
      if (e.type == EventType::kClick) {
        it->second.clicked = true;
      } else if (it->second.clicked) {
        it->second.purchased = true;
      }
    }
    if (e.type == EventType::kPurchase) {
      order_value_[e.product].orders += 1;
      order_value_[e.product].gmv += Money::Micros(e.money).units();
    }
  }
  features_.Observe(e);
  if (options_.residual) base_.Observe(e);
  // Refit on schedule, and whenever the examples have doubled since the last fit (early flight).
  if (seen_ > 0 && (latest_ >= next_refit_ || seen_ >= 2 * std::max<size_t>(fitted_at_, 5000))) {
    if (latest_ >= next_refit_) {
      next_refit_ = (latest_ / options_.refit_minutes + 1) * options_.refit_minutes;
    }
    Refit();
  }
}

}  // namespace cf
