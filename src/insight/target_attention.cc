#include "insight/target_attention.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "insight/simhash.h"

namespace cf {

void TargetAttentionOptions::Validate() const {
  if (top_k < 1 || shortlist < top_k || !std::isfinite(beta)) {
    throw BehaviourError(fmt::format(
        "target attention: top_k {} shortlist {} beta {}; need top_k >= 1, shortlist >= top_k "
        "and a finite beta",
        top_k, shortlist, beta));
  }
}

namespace {

// Four partial sums: the same order every call, so results are reproducible bit for bit.
inline float Dot(const float* a, const float* b, int d) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int k = 0;
  for (; k + 4 <= d; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (; k < d; ++k) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

// y += a * x, four lanes at a time (the compiler turns each group into one SIMD operation).
inline void Axpy(float a, const float* __restrict x, float* __restrict y, int d) {
  int k = 0;
  for (; k + 4 <= d; k += 4) {
    y[k] += a * x[k];
    y[k + 1] += a * x[k + 1];
    y[k + 2] += a * x[k + 2];
    y[k + 3] += a * x[k + 3];
  }
  for (; k < d; ++k) y[k] += a * x[k];
}

}  // namespace

TargetAttention::TargetAttention(TargetAttentionOptions options) : options_(options) {
  options_.Validate();
}

void TargetAttention::Score(const UserBehaviours* user, const ItemEmbeddingTable& table,
                            std::span<const ProductId> candidates, SimMinute now,
                            TargetAttentionResult* out) {
  for (ProductId c : candidates) table.Check(c, "target attention candidate");
  if (user && &user->table() != &table) {
    throw BehaviourError(
        "target attention: the user's history was built on another embedding table; score with "
        "the table the store was built on");
  }
  const size_t C = candidates.size();
  const int d = table.dim();
  out->dim = d;
  out->candidates.assign(C, CandidateInterest{});
  out->interest.assign(C * d, 0.0f);
  out->selected_offsets.clear();
  out->selected_items.clear();
  out->selected_weights.clear();
  if (options_.keep_selected) out->selected_offsets.push_back(0);

  const size_t n = user ? user->distinct() : 0;
  if (n == 0) {
    for (size_t i = 0; i < C; ++i) {
      out->candidates[i].log_mass = -std::numeric_limits<float>::infinity();
      if (options_.keep_selected) out->selected_offsets.push_back(0);
    }
    return;
  }

  // The profile as a unit vector (its scale is only the recency decay).
  const std::span<const float> profile = user->profile();
  double norm2 = 0;
  for (float x : profile) norm2 += static_cast<double>(x) * x;
  profile_unit_.assign(d, 0.0f);
  if (norm2 > 0) {
    const double inv = 1.0 / std::sqrt(norm2);
    for (int k = 0; k < d; ++k) profile_unit_[k] = static_cast<float>(profile[k] * inv);
  }

  const size_t shortlist = static_cast<size_t>(options_.shortlist);
  for (size_t i = 0; i < C && options_.search == BehaviourSearch::kSoft; ++i) {
    const ProductId c = candidates[i];
    NearestSignatures(user->slot_signatures().data(), n, table.Signature(c), shortlist, &scratch_,
                      &picked_);
    Attend(*user, table, c, picked_.data(), picked_.size(), now, i, out);
  }
  if (options_.search == BehaviourSearch::kSoft) return;
  // Hard search: only the items of the candidate's category.
  for (size_t i = 0; i < C; ++i) {
    const ProductId c = candidates[i];
    const UserBehaviours::CategoryIndex* list = user->Category(table.Category(c));
    if (!list) {
      Attend(*user, table, c, nullptr, 0, now, i, out);
      continue;
    }
    NearestSignatures(list->signatures.data(), list->signatures.size(), table.Signature(c),
                      shortlist, &scratch_, &picked_);
    for (uint32_t& p : picked_) p = list->slots[p];
    Attend(*user, table, c, picked_.data(), picked_.size(), now, i, out);
  }
}

void TargetAttention::Attend(const UserBehaviours& user, const ItemEmbeddingTable& table,
                             ProductId candidate, const uint32_t* slots, size_t n, SimMinute now,
                             size_t i, TargetAttentionResult* out) {
  const int d = table.dim();
  const float* ec = table.Row(candidate);
  CandidateInterest& r = out->candidates[i];
  r.profile_cosine = Dot(profile_unit_.data(), ec, d);
  if (n == 0) {
    r.log_mass = -std::numeric_limits<float>::infinity();
    if (options_.keep_selected) out->selected_offsets.push_back(out->selected_items.size());
    return;
  }
  const std::span<const ProductId> items = user.slot_items();
  scored_.resize(n);
  for (size_t k = 0; k < n; ++k) scored_[k] = {Dot(ec, table.Row(items[slots[k]]), d), slots[k]};
  size_t k_keep = n;
  if (n > static_cast<size_t>(options_.top_k)) {
    // Re-rank the shortlist by exact cosine: keep the top_k closest, in slot order (ties: the
    // earlier slot). Slot order also fixes the order of the float sums below.
    k_keep = static_cast<size_t>(options_.top_k);
    cos_.resize(n);
    for (size_t k = 0; k < n; ++k) cos_[k] = scored_[k].cos;
    std::nth_element(cos_.begin(), cos_.begin() + (k_keep - 1), cos_.end(), std::greater<>());
    const float kth = cos_[k_keep - 1];
    size_t above = 0;
    for (size_t k = 0; k < n; ++k) above += scored_[k].cos > kth;
    size_t ties = k_keep - above, w = 0;
    for (size_t k = 0; k < n; ++k) {
      if (scored_[k].cos > kth || (scored_[k].cos == kth && ties > 0)) {
        if (scored_[k].cos == kth) --ties;
        scored_[w++] = scored_[k];
      }
    }
    scored_.resize(k_keep);
  }

  const double inv_tau = 1.0 / user.config().TauMinutes();
  const std::span<const float> log_mass = user.slot_log_mass();
  const std::span<const SimMinute> last = user.slot_last_minute();
  logits_.resize(k_keep);
  float m = -std::numeric_limits<float>::infinity();
  for (size_t k = 0; k < k_keep; ++k) {
    const uint32_t s = scored_[k].slot;
    const double age = now > last[s] ? static_cast<double>(now - last[s]) : 0.0;
    logits_[k] = static_cast<float>(options_.beta * scored_[k].cos + log_mass[s] - age * inv_tau);
    m = std::max(m, logits_[k]);
  }
  float z = 0;
  for (size_t k = 0; k < k_keep; ++k) {
    logits_[k] = std::exp(logits_[k] - m);  // now unnormalised weights
    z += logits_[k];
  }
  const float inv_z = 1.0f / z;
  float* interest = &out->interest[i * d];
  float score = 0;
  for (size_t k = 0; k < k_keep; ++k) {
    const float a = logits_[k] * inv_z;
    logits_[k] = a;
    score += a * scored_[k].cos;
    Axpy(a, table.Row(items[scored_[k].slot]), interest, d);
  }
  r.score = score;
  r.log_mass = m + std::log(z);
  r.behaviours = static_cast<uint32_t>(k_keep);
  if (options_.keep_selected) {
    std::vector<uint32_t> by_weight(k_keep);
    std::iota(by_weight.begin(), by_weight.end(), 0u);
    std::stable_sort(by_weight.begin(), by_weight.end(),
                     [&](uint32_t a, uint32_t b) { return logits_[a] > logits_[b]; });
    for (uint32_t k : by_weight) {
      out->selected_items.push_back(items[scored_[k].slot]);
      out->selected_weights.push_back(logits_[k]);
    }
    out->selected_offsets.push_back(static_cast<uint32_t>(out->selected_items.size()));
  }
}

}  // namespace cf
