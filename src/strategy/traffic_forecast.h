// Forecast of the auctions still to come in an episode of fixed control steps. Learns the mean
// per-step traffic profile from finished episodes and scales it by how this episode's traffic has
// compared so far; without history it assumes this episode's mean rate continues. Not thread-safe.
#pragma once

#include <vector>

namespace cf {

class TrafficForecast {
 public:
  void Start(int steps);
  void Observe(int step, double auctions);  // auctions seen in `step`
  void Finish();                            // end of episode: fold it into the profile
  // Auctions expected in steps (step, steps) given the steps observed up to and including `step`.
  double Remaining(int step) const;

 private:
  std::vector<double> profile_;  // mean auctions per step over finished episodes
  std::vector<double> current_;
  int episodes_ = 0;
};

}  // namespace cf
