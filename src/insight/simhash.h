// SimHash: 64-bit random-hyperplane signatures of dense vectors (Charikar 2002), and the Hamming
// kernels the long-history search runs on (as in ETA / TWIN: compare a candidate with every past
// behaviour by XOR + popcount instead of a dot product).
//
// Promises: Sign() is a pure function of (dim, seed, vector) and does not depend on the vector's
// length (only on its direction). For unit vectors u, v the expected Hamming distance of their
// signatures is 64 * angle(u, v) / pi, so EstimatedCosine(distance) estimates u . v. The kernels
// use the CPU's POPCNT instruction when it has one (checked once at run time) and are exact either
// way. Thread-safe: everything here is const after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cf {

class SimHasher {
 public:
  SimHasher(int dim, uint64_t seed);
  int dim() const { return dim_; }
  // Bit i is set when the i-th random hyperplane has v on its positive side. `v` holds dim()
  // floats.
  uint64_t Sign(const float* v) const;

 private:
  int dim_;
  std::vector<float> planes_;  // 64 x dim, standard normal entries
};

// cos(pi * distance / 64): the cosine a Hamming distance of two 64-bit signatures stands for.
float EstimatedCosine(int distance);

// Writes to `picked` (cleared first) the indexes of the k signatures in sigs[0..n) closest to
// `query` in Hamming distance (all n when n <= k), in increasing index order: every index closer
// than the k-th smallest distance, then indexes at exactly that distance, lowest first, until
// there are k. Exact. Cost: one pass of XOR + popcount over `sigs` (its threshold guessed from a
// sample, then checked; a wrong guess costs a second pass) plus O(k) work. `scratch` is reused.
void NearestSignatures(const uint64_t* sigs, size_t n, uint64_t query, size_t k,
                       std::vector<uint32_t>* scratch, std::vector<uint32_t>* picked);

}  // namespace cf
