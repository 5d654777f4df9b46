#include "creative/wearout_detector.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cf {

WearoutDetector::WearoutDetector(const WearoutOptions& options) : options_(options) {
  if (options_.bucket_impressions == 0 || options_.recent_impressions == 0 ||
      options_.reference_impressions == 0) {
    throw std::invalid_argument("wear-out windows and buckets must hold at least one impression");
  }
  if (options_.recent_impressions % options_.bucket_impressions != 0) {
    throw std::invalid_argument(
        "wear-out recent_impressions must be a multiple of bucket_impressions");
  }
}

void WearoutDetector::OnImpression() {
  ++exposures_;
  if (early_impressions_ < options_.reference_impressions) {
    ++early_impressions_;
    return;
  }
  // The recent window starts after the early one, so the two never overlap.
  if (recent_.empty() || recent_.back().impressions == options_.bucket_impressions) {
    recent_.push_back({});
    const size_t max_buckets = options_.recent_impressions / options_.bucket_impressions;
    if (recent_.size() > max_buckets) {
      recent_impressions_ -= recent_.front().impressions;
      recent_clicks_ -= recent_.front().clicks;
      recent_.pop_front();
    }
  }
  ++recent_.back().impressions;
  ++recent_impressions_;
}

void WearoutDetector::OnClick() {
  // A click belongs to the window of the impression just before it.
  if (recent_.empty()) {
    if (early_clicks_ < early_impressions_) ++early_clicks_;
    return;
  }
  if (recent_.back().clicks < recent_.back().impressions) {
    ++recent_.back().clicks;
    ++recent_clicks_;
  }
}

WearoutVerdict WearoutDetector::Verdict() const {
  WearoutVerdict v;
  v.exposures = exposures_;
  if (early_impressions_ > 0) v.early_ctr = double(early_clicks_) / early_impressions_;
  if (recent_impressions_ > 0) v.recent_ctr = double(recent_clicks_) / recent_impressions_;
  // The recent window is full when it holds all its buckets: the newest one is still filling,
  // so it covers the last recent_impressions - bucket_impressions + 1 .. recent_impressions
  // impressions. (Waiting for exactly recent_impressions would make the window ready only in the
  // instant between a bucket's last impression and the next one.)
  v.ready = early_impressions_ >= options_.reference_impressions &&
            recent_.size() == options_.recent_impressions / options_.bucket_impressions;
  if (!v.ready) return v;
  const double n1 = early_impressions_, n2 = recent_impressions_;
  const double pooled = (early_clicks_ + recent_clicks_) / (n1 + n2);
  const double se = std::sqrt(std::max(pooled * (1 - pooled), 1e-12) * (1 / n1 + 1 / n2));
  v.z = (v.recent_ctr - v.early_ctr) / se;
  v.worn_out = v.early_ctr > 0 && v.recent_ctr <= (1 - options_.min_drop) * v.early_ctr &&
               v.z <= -options_.z_critical;
  return v;
}

}  // namespace cf
