// Full-ranking evaluation of next-item recommenders on the leave-one-out split, and the two
// count-based baselines every model is compared with.
//
// Promises:
// - RankOfTarget ranks the target against ALL items 1..num_items, skipping the excluded (seen)
//   items other than the target itself; ties count against the target (an item scoring exactly
//   the target's score ranks ahead of it), so a constant scorer never looks good.
// - HR@K is the share of users whose target ranks in the top K; NDCG@K averages
//   1 / log2(rank + 2) over users (0 outside the top K), rank being 0-based.
// - EvaluateHeldOut scores every evaluated user (>= 3 items) of a log; excluded items are the
//   user's history (training items, plus the validation item when testing) except the target.
// - PopularityBaseline: training-split item counts. TransitionBaseline: counts of i -> j
//   transitions between consecutive training items, from the user's last item, with popularity as
//   a tie-break smaller than one count. Both are immutable after construction (thread-safe reads).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "insight/interaction_log.h"

namespace cf {

// 0-based rank of `target` among items 1..scores.size()-1 (scores[0] is ignored).
int64_t RankOfTarget(std::span<const float> scores, int32_t target,
                     std::span<const int32_t> excluded);

struct TopKMetrics {
  double hit_rate = 0;  // HR@K
  double ndcg = 0;      // NDCG@K
  int64_t users = 0;
};

class TopKAccumulator {
 public:
  explicit TopKAccumulator(int k) : k_(k) {}
  void AddRank(int64_t rank);
  TopKMetrics Result() const;

 private:
  int k_;
  int64_t users_ = 0;
  int64_t hits_ = 0;
  double dcg_ = 0;
};

// Scores a batch of histories: fills `scores` with histories.size() rows of (num_items + 1)
// floats (row-major; column 0 unused). Higher is better.
using BatchScorer = std::function<void(std::span<const std::span<const int32_t>> histories,
                                       std::vector<float>* scores)>;

// HR@k and NDCG@k of `scorer` on the validation or test case of every evaluated user.
// `progress(done, total)` is called after each batch when set.
TopKMetrics EvaluateHeldOut(const InteractionLog& log, HeldOut which, const BatchScorer& scorer,
                            int k = 10, int batch_users = 256,
                            const std::function<void(int64_t, int64_t)>& progress = {});

// Most-popular items by training-split counts.
class PopularityBaseline {
 public:
  explicit PopularityBaseline(const InteractionLog& log);
  void Score(std::span<const std::span<const int32_t>> histories, std::vector<float>* scores) const;
  const std::vector<int64_t>& counts() const { return counts_; }

 private:
  std::vector<int64_t> counts_;  // by dense item id
};

// Items that most often followed the user's last item in training sequences.
class TransitionBaseline {
 public:
  explicit TransitionBaseline(const InteractionLog& log);
  void Score(std::span<const std::span<const int32_t>> histories, std::vector<float>* scores) const;
  // Training count of the transition from -> to.
  int64_t Count(int32_t from, int32_t to) const;
  // Calls f(to, count) for every item that followed `from` in the training sequences.
  template <typename F>
  void ForEachNext(int32_t from, F&& f) const {
    const size_t i = static_cast<size_t>(from);
    if (from < 0 || i + 1 >= offsets_.size()) return;
    for (int64_t j = offsets_[i]; j < offsets_[i + 1]; ++j) {
      f(next_[static_cast<size_t>(j)], counts_[static_cast<size_t>(j)]);
    }
  }

 private:
  std::vector<int64_t> offsets_;  // CSR by `from`: next items and counts
  std::vector<int32_t> next_;
  std::vector<int32_t> counts_;
  std::vector<float> tie_break_;  // popularity / (max popularity + 1), in [0, 1)
};

}  // namespace cf
