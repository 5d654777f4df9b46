#include "insight/simhash.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "common/random.h"

namespace cf {

SimHasher::SimHasher(int dim, uint64_t seed) : dim_(dim) {
  if (dim <= 0) throw std::invalid_argument("SimHasher: dim must be positive");
  RandomStream rng(seed, "simhash-planes");
  planes_.resize(static_cast<size_t>(64) * dim);
  for (float& p : planes_) p = static_cast<float>(rng.Normal());
}

uint64_t SimHasher::Sign(const float* v) const {
  uint64_t s = 0;
  for (int b = 0; b < 64; ++b) {
    const float* p = &planes_[static_cast<size_t>(b) * dim_];
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // four lanes (one SIMD register), fixed order
    int i = 0;
    for (; i + 4 <= dim_; i += 4) {
      s0 += p[i] * v[i];
      s1 += p[i + 1] * v[i + 1];
      s2 += p[i + 2] * v[i + 2];
      s3 += p[i + 3] * v[i + 3];
    }
    for (; i < dim_; ++i) s0 += p[i] * v[i];
    if ((s0 + s1) + (s2 + s3) > 0) s |= uint64_t{1} << b;
  }
  return s;
}

float EstimatedCosine(int distance) {
  return static_cast<float>(std::cos(std::numbers::pi * distance / 64.0));
}

namespace {

// The whole search, compiled twice: with the POPCNT instruction and without (GCC's portable
// popcount); NearestSignatures picks one by the CPU.
__attribute__((always_inline)) inline int Distance(uint64_t a, uint64_t b) {
  return __builtin_popcountll(a ^ b);
}

// out gets the indexes i with Distance(sigs[i], query) <= t, in order; returns how many. `out`
// has room for n + 1 entries: the loop stores unconditionally and advances only on a hit, so it
// has no branch to mispredict.
__attribute__((always_inline)) inline size_t Collect(const uint64_t* sigs, size_t n, uint64_t query,
                                                     int t, uint32_t* out) {
  size_t c = 0;
  for (size_t i = 0; i < n; ++i) {
    out[c] = static_cast<uint32_t>(i);
    c += Distance(sigs[i], query) <= t;
  }
  return c;
}

// n > k > 0.
__attribute__((always_inline)) inline void NearestBody(const uint64_t* sigs, size_t n,
                                                       uint64_t query, size_t k,
                                                       std::vector<uint32_t>* scratch,
                                                       std::vector<uint32_t>* picked) {
  // Guess a threshold t that keeps about 2k of the n from a sample of at most 256 signatures.
  uint32_t sample_hist[65] = {};
  const size_t stride = std::max<size_t>(1, n / 256);
  size_t sampled = 0;
  for (size_t i = 0; i < n; i += stride, ++sampled) ++sample_hist[Distance(sigs[i], query)];
  const double want = std::max(2.0 * k * sampled / n, 3.0);
  int t = 0;
  for (double below = sample_hist[0]; t < 64 && below < want;) below += sample_hist[++t];
  scratch->resize(n + 1);
  uint32_t* collected = scratch->data();
  size_t c = Collect(sigs, n, query, t, collected);
  while (c < k) c = Collect(sigs, n, query, t = std::min(64, t + 6), collected);  // rare
  // The exact k-th smallest distance among the collected (which hold every distance <= t).
  uint32_t hist[65] = {};
  for (size_t j = 0; j < c; ++j) ++hist[Distance(sigs[collected[j]], query)];
  size_t below = 0;
  int kth = 0;
  while (below + hist[kth] < k) below += hist[kth++];
  size_t ties = k - below;
  for (size_t j = 0; j < c; ++j) {
    const uint32_t i = collected[j];
    const int d = Distance(sigs[i], query);
    if (d < kth || (d == kth && ties > 0)) {
      if (d == kth) --ties;
      picked->push_back(i);
    }
  }
}

void NearestPortable(const uint64_t* sigs, size_t n, uint64_t query, size_t k,
                     std::vector<uint32_t>* scratch, std::vector<uint32_t>* picked) {
  NearestBody(sigs, n, query, k, scratch, picked);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define CF_SIMHASH_POPCNT 1
__attribute__((target("popcnt"))) void NearestPopcnt(const uint64_t* sigs, size_t n, uint64_t query,
                                                     size_t k, std::vector<uint32_t>* scratch,
                                                     std::vector<uint32_t>* picked) {
  NearestBody(sigs, n, query, k, scratch, picked);
}
bool CpuHasPopcnt() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") != 0;
  }();
  return has;
}
#endif

}  // namespace

void NearestSignatures(const uint64_t* sigs, size_t n, uint64_t query, size_t k,
                       std::vector<uint32_t>* scratch, std::vector<uint32_t>* picked) {
  picked->clear();
  if (n <= k) {
    for (size_t i = 0; i < n; ++i) picked->push_back(static_cast<uint32_t>(i));
    return;
  }
  if (k == 0) return;
#ifdef CF_SIMHASH_POPCNT
  if (CpuHasPopcnt()) return NearestPopcnt(sigs, n, query, k, scratch, picked);
#endif
  NearestPortable(sigs, n, query, k, scratch, picked);
}

}  // namespace cf
