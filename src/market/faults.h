// The fault injector: turns the config's fault specs into concrete, labelled events in time
// (absolute minutes, resolved targets). The labels are the ground truth that diagnosis is scored
// against; the World applies the world-side effects, the simulation driver the platform-side ones
// (budget exhaustion, competitor budget surges). Pure functions, thread-safe.
#pragma once

#include <vector>

#include "market/world.h"

namespace cf {

// Resolves each spec: fills automatic targets from our products (their main category), default
// magnitudes, and writes a plain-words description. Throws ConfigError for a target that names an
// unknown category or channel.
std::vector<FaultLabel> ResolveFaults(const WorldSpec& spec, const std::vector<FaultSpec>& faults,
                                      const std::vector<ProductId>& our_products);

// The category most of our products belong to (used for automatic targets).
CategoryId MainCategory(const Catalogue& catalogue, const std::vector<ProductId>& products);

}  // namespace cf
