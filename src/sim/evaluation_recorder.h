// The evaluation tap of the simulation: for every auction, records each eligible ad's true
// expected click, purchase and value (from the World, which the engine never sees), its bid and
// the price it would have paid had it won, to a CSV file (docs/evaluation-tap.md). This is the
// input of hindsight optima. Not thread-safe: one recorder per run.
#pragma once

#include <cstdio>
#include <filesystem>

#include "market/world.h"
#include "serving/evaluation_tap.h"

namespace cf {

class EvaluationRecorder : public EvaluationTap {
 public:
  // Opens `path` for writing (replacing it); throws std::runtime_error naming the path on failure.
  EvaluationRecorder(const World& world, const std::filesystem::path& path);
  ~EvaluationRecorder() override;
  EvaluationRecorder(const EvaluationRecorder&) = delete;
  EvaluationRecorder& operator=(const EvaluationRecorder&) = delete;

  void OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                 std::span<const CreativeId> creatives, std::span<const AuctionWinner> winners,
                 double reserve_cpm) override;
  // Flushes and closes the file; throws if a write failed.
  void Close();
  uint64_t rows() const { return rows_; }

  // The price (in the ad's billing unit, currency units) candidate i would pay for the top slot:
  // the highest other eCPM or the reserve, converted like GSP, capped at its bid.
  static double WouldPay(std::span<const ScoredAd> candidates, size_t i, double reserve_cpm);

 private:
  const World& world_;
  std::filesystem::path path_;
  FILE* file_ = nullptr;
  uint64_t rows_ = 0;
};

}  // namespace cf
