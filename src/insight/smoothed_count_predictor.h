// Baseline response predictor: hierarchical smoothed counting over ad impressions, clicks and
// purchases seen in the log (product x channel, backed off to category x channel and channel),
// with a lift for the user's observed affinity to the product's category. Learns only from
// observed events; never from the world's truth. Not thread-safe.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "common/catalogue.h"
#include "insight/response_predictor.h"
#include "insight/user_affinity.h"

namespace cf {

class SmoothedCountPredictor : public ResponsePredictor {
 public:
  SmoothedCountPredictor(const Catalogue& catalogue, const UserAffinity& affinity);
  void Predict(const Opportunity& opp, ScoredAd& ad) const override;
  void Observe(const Event& e) override;

  static constexpr int kBuckets = 4;  // affinity buckets: none, weak, medium, strong
  static int Bucket(double share);

  // Everything learned, as one flat array (for saving inside another model's file), and its
  // restore: throws std::invalid_argument, changing nothing, unless `counts` has this catalogue's
  // size (counts_size()).
  std::vector<double> counts() const;
  void RestoreCounts(std::span<const double> counts);
  size_t counts_size() const;

 private:
  struct Counts {
    double imps = 0, clicks = 0, purchases = 0, gmv = 0;
  };
  const Catalogue& catalogue_;
  const UserAffinity& affinity_;
  std::vector<Counts> product_channel_;   // product * 4 + channel
  std::vector<Counts> category_channel_;  // category * 4 + channel
  std::array<Counts, kNumChannels> channel_{};
  std::array<Counts, kBuckets * kNumChannels> bucket_{};
};

}  // namespace cf
