// TargetAttention: scores one request (one user, hundreds of candidate items) against the user's
// whole behaviour history in the SIM / TWIN style, reading only the caches of UserBehaviours.
//
// For each candidate c:
//   1. Search (the "general search unit"): a shortlist of the user's distinct items most
//      relevant to c. kSoft: Hamming distance of SimHash signatures (XOR + popcount, a proxy for
//      the embedding angle) over all the user's items; kHard: the same, but only over the items
//      of c's category (SIM's hard search by category).
//   2. Optional exact re-rank (shortlist > top_k): the top_k of the shortlist by exact cosine
//      with c (ties: the earlier-seen item first). By default shortlist == top_k, as in TWIN:
//      the search's top k are attended.
//   3. Attention (the "exact search unit") over those k items b:
//        logit_b = beta * cos(c, b) + logA_b - max(0, now - last_b) / tau
//      where logA_b (UserBehaviours) folds in every event on b with its action weight and
//      recency; a_b = softmax(logit)_b; interest(c) = sum_b a_b * embedding(b);
//      score = interest(c) . embedding(c) = sum_b a_b cos(c, b)   (in [-1, 1]);
//      log_mass = log sum_b exp(logit_b): how much recent, strong, similar behaviour there is
//      (-infinity when none was found).
//   profile_cosine = cos(profile, c), the mean-pooling baseline (no search).
//
// Cost per request: C candidates x n distinct items popcounts (kSoft; kHard: the items of the
// candidate's category), plus C x shortlist x d multiply-adds; nothing is proportional to the
// number of events. The result for one candidate does not depend on the other candidates, on item
// id values, on other users, or on a common shift of every minute (only differences count).
//
// Not thread-safe: holds scratch buffers; use one TargetAttention per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/ids.h"
#include "common/sim_clock.h"
#include "insight/behaviour_store.h"

namespace cf {

enum class BehaviourSearch { kSoft, kHard };

struct TargetAttentionOptions {
  int top_k = 64;      // behaviours attended per candidate
  int shortlist = 64;  // found by signature; when > top_k, re-ranked by exact cosine to top_k
  float beta = 8.0f;   // sharpness of attention on similarity
  BehaviourSearch search = BehaviourSearch::kSoft;
  bool keep_selected = false;  // record each candidate's attended items and weights
  // Throws BehaviourError when top_k < 1, shortlist < top_k or beta is not finite.
  void Validate() const;
};

struct CandidateInterest {
  float score = 0;           // attention-weighted cosine with the candidate
  float log_mass = 0;        // log sum exp(logit)
  float profile_cosine = 0;  // cosine of the profile with the candidate
  uint32_t behaviours = 0;   // items attended (<= top_k)
};

struct TargetAttentionResult {
  int dim = 0;
  std::vector<CandidateInterest> candidates;  // one per candidate, request order
  std::vector<float> interest;                // candidates x dim, the interest vectors
  // With keep_selected: candidate i attended selected_items[offsets[i] .. offsets[i+1]) with the
  // attention weights at the same positions, strongest first.
  std::vector<uint32_t> selected_offsets;
  std::vector<ProductId> selected_items;
  std::vector<float> selected_weights;

  const float* Interest(size_t i) const { return &interest[i * dim]; }
  std::span<const ProductId> Selected(size_t i) const {
    return std::span(selected_items)
        .subspan(selected_offsets[i], selected_offsets[i + 1] - selected_offsets[i]);
  }
};

class TargetAttention {
 public:
  explicit TargetAttention(TargetAttentionOptions options = {});

  // Scores `candidates` for `user` (nullptr: a user with no history) at minute `now`. Throws
  // ItemEmbeddingError, before writing anything, when a candidate is not in the user's table.
  void Score(const UserBehaviours* user, const ItemEmbeddingTable& table,
             std::span<const ProductId> candidates, SimMinute now, TargetAttentionResult* out);

  const TargetAttentionOptions& options() const { return options_; }

 private:
  void Attend(const UserBehaviours& user, const ItemEmbeddingTable& table, ProductId candidate,
              const uint32_t* slots, size_t n, SimMinute now, size_t i, TargetAttentionResult* out);

  TargetAttentionOptions options_;
  // Scratch, reused across calls.
  std::vector<uint32_t> scratch_;
  std::vector<uint32_t> picked_;
  struct Scored {
    float cos;
    uint32_t slot;
  };
  std::vector<Scored> scored_;
  std::vector<float> cos_;
  std::vector<float> logits_;
  std::vector<float> profile_unit_;
};

}  // namespace cf
