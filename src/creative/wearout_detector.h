// Wear-out test for one creative: does its click-through rate decay with cumulative exposures?
//
// The detector keeps the creative's early click-through rate (its first `reference_impressions`
// impressions) and the rate over its most recent `recent_impressions` impressions (a sliding
// window kept as fixed-size buckets), and calls the creative worn out when the recent rate is
// both at least `min_drop` below the early rate and significantly below it (one-sided
// two-proportion z-test, z <= -z_critical). Promises: O(1) per impression and click, memory
// O(recent_impressions / bucket_impressions); deterministic; no verdict before both windows are
// full. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>

namespace cf {

struct WearoutOptions {
  // At a 2% CTR, 2,000-impression windows (about 40 clicks each) detect drops of about 40%.
  uint32_t reference_impressions = 2000;  // the early window
  uint32_t recent_impressions = 2000;     // the sliding recent window
  uint32_t bucket_impressions = 100;      // granularity of the sliding window
  double min_drop = 0.25;                 // recent CTR at least 25% below the early CTR ...
  // ... and significant at about 0.1% (one-sided): the test is repeated every day of a flight, so
  // each single test must be strict for a steady creative to survive a month of them.
  double z_critical = 3.0;
};

struct WearoutVerdict {
  bool ready = false;      // both windows are full (the recent one's newest bucket may be filling)
  bool worn_out = false;   // significant decay
  double early_ctr = 0;    // clicks / impressions over the early window
  double recent_ctr = 0;   // over the recent window
  double z = 0;            // two-proportion z statistic (recent - early)
  uint64_t exposures = 0;  // cumulative impressions
};

class WearoutDetector {
 public:
  explicit WearoutDetector(const WearoutOptions& options = {});
  void OnImpression();
  // A click on one of this creative's impressions (counted in the current bucket).
  void OnClick();
  WearoutVerdict Verdict() const;

 private:
  struct Bucket {
    uint32_t impressions = 0, clicks = 0;
  };
  WearoutOptions options_;
  uint64_t exposures_ = 0;
  uint32_t early_impressions_ = 0, early_clicks_ = 0;
  std::deque<Bucket> recent_;  // oldest first; the back bucket is filling
  uint32_t recent_impressions_ = 0, recent_clicks_ = 0;
};

}  // namespace cf
