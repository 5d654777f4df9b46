#include "strategy/traffic_forecast.h"

#include <algorithm>

namespace cf {

void TrafficForecast::Start(int steps) {
  if (static_cast<int>(profile_.size()) != steps) {
    profile_.assign(steps, 0);
    episodes_ = 0;
  }
  current_.assign(steps, 0);
}

void TrafficForecast::Observe(int step, double auctions) {
  if (step >= 0 && step < static_cast<int>(current_.size())) current_[step] += auctions;
}

void TrafficForecast::Finish() {
  ++episodes_;
  for (size_t i = 0; i < profile_.size(); ++i) {
    profile_[i] += (current_[i] - profile_[i]) / episodes_;
  }
}

double TrafficForecast::Remaining(int step) const {
  const int n = static_cast<int>(current_.size());
  double seen = 0, expected_seen = 0, expected_rest = 0;
  for (int i = 0; i < n; ++i) {
    if (i <= step) {
      seen += current_[i];
      expected_seen += profile_[i];
    } else {
      expected_rest += profile_[i];
    }
  }
  if (episodes_ == 0 || expected_seen <= 0) {
    const int done = std::clamp(step + 1, 1, std::max(n, 1));
    return seen / done * std::max(0, n - step - 1);
  }
  return expected_rest * (seen / expected_seen);
}

}  // namespace cf
