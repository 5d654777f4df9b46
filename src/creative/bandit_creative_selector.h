// The creative bandit: per product, a pool of creative variants served by Thompson sampling on
// their observed click-through rates, with an explicit wear-out test per creative that pauses a
// decayed creative, and a new variant made in its place (the pool is kept at pool_size, up to
// max_variants per product over the flight).
//
// Modes (for comparisons on the same traffic):
//   kUniform   rotate uniformly over the live pool (no learning);
//   kThompson  plain Thompson sampling on all-time counts, no wear-out handling;
//   kBandit    Thompson sampling on exponentially discounted counts (tracks a creative's current
//              rate) + the wear-out test + pool refresh.
// Promises: learns only from observed ad impressions and clicks (Event.ref = creative id);
// Select is a pure function of (opportunity key, observed state): calling it again for the same
// opportunity (the evaluation tap) gives the same answer and changes nothing; deterministic given
// the seed. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/catalogue.h"
#include "creative/creative_selector.h"
#include "creative/wearout_detector.h"

namespace cf {

struct BanditOptions {
  enum class Mode { kUniform, kThompson, kBandit };
  Mode mode = Mode::kBandit;
  int pool_size = 4;                    // live variants per product; paused ones are replaced
  int max_variants = 12;                // per product, over the whole flight
  double prior_impressions = 200;       // strength of the product-level prior (pseudo-impressions)
  double half_life_impressions = 3000;  // kBandit: discounting of a creative's counts
  WearoutOptions wearout;
  uint64_t seed = 0;
};

// Parses "uniform", "thompson" or "bandit"; throws std::invalid_argument naming the choices.
BanditOptions::Mode ParseBanditMode(const std::string& name);

struct CreativeStats {
  CreativeId creative = kNoId;
  ProductId product = kNoId;
  bool live = true;
  uint64_t impressions = 0, clicks = 0;
};

class BanditCreativeSelector : public CreativeSelector {
 public:
  BanditCreativeSelector(const Catalogue& catalogue, BanditOptions options);
  // Pooled products get pool_size variants; unpooled ones one plain creative (variant 0), which
  // is never paused or refreshed, until a pooled plan names the product.
  std::vector<Creative> EnsureCreatives(const std::vector<ProductId>& products, uint32_t day,
                                        bool pooled = true) override;
  CreativeId Select(const Opportunity& opp, const AdCandidate& ad) const override;
  void Observe(const Event& e) override;
  // Runs the wear-out tests (pausing decayed creatives) and refills weak pools.
  std::vector<Creative> Refresh(uint32_t day) override;

  const std::vector<Creative>& creatives() const override { return creatives_; }
  std::vector<CreativeId> Live(ProductId p) const override;
  // Pauses the named creatives and adds a fresh variant for each (a merchant's rotation is not
  // bound by max_variants).
  std::vector<Creative> Rotate(ProductId p, const std::vector<CreativeId>& pause,
                               const std::vector<Creative>& replacements, uint32_t day) override;
  const std::vector<PoolEvent>& pool_events() const override { return events_; }
  std::vector<CreativeStats> Stats() const;

 private:
  struct State {
    ProductId product = kNoId;
    bool live = true;
    uint64_t impressions = 0, clicks = 0;
    double d_impressions = 0, d_clicks = 0;  // discounted (kBandit)
    WearoutDetector wearout;
  };
  struct Pool {
    std::vector<CreativeId> live;
    bool pooled = false;  // served from a pool (else: one plain creative, no refresh)
    uint32_t made = 0;    // variants made so far (the next variant's index)
    uint64_t impressions = 0, clicks = 0;
  };
  Creative MakeVariant(ProductId p, uint32_t index, uint32_t day) const;
  void AddVariant(ProductId p, uint32_t day, std::vector<Creative>& made);
  // Puts c (its product set) live with a fresh id and state.
  void AddCreative(Creative c, uint32_t day, std::vector<Creative>& made);

  const Catalogue& catalogue_;
  BanditOptions options_;
  double discount_;           // per impression, kBandit
  std::vector<Pool> pools_;   // by product
  std::vector<State> state_;  // by creative id
  std::vector<Creative> creatives_;
  std::vector<PoolEvent> events_;
};

}  // namespace cf
