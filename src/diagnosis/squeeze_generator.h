// A generator of synthetic root-cause cases in the squeeze layout (case_loaders.h), with known
// injected causes, for tests and for checking that the search generalises beyond one data set.
//
// Each case: `dims` dimensions with `values_per_dim` values each (names d0..dN, values d0_v0..);
// every combination is a leaf with a log-normal forecast; the actual value is the forecast times
// (1 + noise) with Gaussian relative noise; then 1..max_causes elements of one random cuboid of
// 1..max_depth dimensions (disjoint, as in the Squeeze benchmark) get a common relative change of
// `min_magnitude`..`max_magnitude` in one direction (a drop or a rise).
//
// Promises: deterministic given the seed; WriteSqueezeCases writes `<timestamp>.csv` per case
// (timestamps 1000, 1001, ...) plus `injection_info.csv` (timestamp,set) and returns the cases as
// generated (with their truth). Throws std::runtime_error naming the path if it cannot write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "diagnosis/rca_case.h"

namespace cf::diagnosis {

struct SqueezeGeneratorParams {
  size_t cases = 20;
  size_t dims = 4;
  size_t values_per_dim = 5;
  size_t max_depth = 3;
  size_t max_causes = 2;
  double noise = 0.05;         // relative sd per leaf
  double min_magnitude = 0.3;  // relative change of a cause's leaves
  double max_magnitude = 0.9;
  uint64_t seed = 1;
};

std::vector<RcaCase> GenerateSqueezeCases(const SqueezeGeneratorParams& params);
std::vector<RcaCase> WriteSqueezeCases(const std::filesystem::path& dir,
                                       const SqueezeGeneratorParams& params);

}  // namespace cf::diagnosis
