#include "bidbench/replay_log_generator.h"

#include <algorithm>
#include <cmath>

#include "common/random.h"

namespace cf {

std::vector<ReplayAuction> GenerateReplayLog(const ReplayLogSpec& spec) {
  RandomStream rng(spec.seed, "replay_log");
  std::vector<ReplayAuction> out;
  out.reserve(spec.auctions);
  const double two_pi = 6.283185307179586;
  const double rho = spec.price_ctr_corr;
  double burst_left = 0;
  for (size_t i = 0; i < spec.auctions; ++i) {
    const double day_pos =
        static_cast<double>(i % spec.auctions_per_day) / static_cast<double>(spec.auctions_per_day);
    const double phase = two_pi * (day_pos + 0.13 * spec.first_day);
    // Price level follows the day (evening peak), CTR a shifted cycle.
    const double price_shift = spec.day_amplitude * std::sin(phase);
    const double ctr_shift = 0.15 * std::sin(phase + 1.1);
    if (burst_left <= 0 && rng.Uniform() < 0.0005) burst_left = 200 + rng.Below(800);
    const bool burst = burst_left > 0;
    if (burst) --burst_left;
    const double z_ctr = rng.Normal();
    const double z_price = rho * z_ctr + std::sqrt(1 - rho * rho) * rng.Normal();
    double log_ctr = spec.ctr_log_mean + ctr_shift + spec.ctr_log_sd * z_ctr;
    double log_price = spec.price_log_mean + price_shift + spec.price_log_sd * z_price;
    if (burst) {  // cheap, low-quality traffic
      log_ctr -= 0.8;
      log_price -= 0.6;
    }
    ReplayAuction a;
    a.pctr = std::clamp(std::exp(log_ctr), 1e-6, 0.5);
    a.price = static_cast<int32_t>(std::clamp(std::round(std::exp(log_price)), 1.0, 300.0));
    const double true_ctr = std::clamp(a.pctr * std::exp(0.3 * rng.Normal() - 0.045), 0.0, 1.0);
    a.click = rng.Bernoulli(true_ctr) ? 1 : 0;
    out.push_back(a);
  }
  return out;
}

}  // namespace cf
