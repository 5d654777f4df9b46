#include "diagnosis/squeeze_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "common/random.h"

namespace cf::diagnosis {

namespace fs = std::filesystem;

std::vector<RcaCase> GenerateSqueezeCases(const SqueezeGeneratorParams& params) {
  if (params.dims == 0 || params.dims > 8 || params.values_per_dim < 2 || params.max_depth == 0 ||
      params.max_causes == 0) {
    throw std::invalid_argument("squeeze generator: need 1..8 dims, >= 2 values, depth and causes");
  }
  RandomStream rng(params.seed, "diagnosis.squeeze_generator");
  std::vector<RcaCase> cases;
  size_t leaves_n = 1;
  for (size_t d = 0; d < params.dims; ++d) leaves_n *= params.values_per_dim;
  for (size_t k = 0; k < params.cases; ++k) {
    RcaCase c;
    c.name = fmt::format("{}", 1000 + k);
    for (size_t d = 0; d < params.dims; ++d) {
      c.dims.push_back(fmt::format("d{}", d));
      for (size_t v = 0; v < params.values_per_dim; ++v) {
        c.Intern(d, fmt::format("d{}_v{}", d, v));
      }
    }
    for (size_t i = 0; i < leaves_n; ++i) {
      Leaf leaf;
      size_t rest = i;
      for (size_t d = 0; d < params.dims; ++d) {
        leaf.attrs.push_back(static_cast<uint32_t>(rest % params.values_per_dim));
        rest /= params.values_per_dim;
      }
      leaf.predict = std::round(rng.LogNormal(4.0, 1.0) * 100) / 100;
      leaf.real = std::max(0.0, leaf.predict * (1 + rng.Normal(0, params.noise)));
      c.leaves.push_back(std::move(leaf));
    }
    // The cuboid: `depth` distinct dimensions.
    const size_t depth = 1 + rng.Below(std::min(params.max_depth, params.dims));
    std::vector<size_t> dims(params.dims);
    for (size_t d = 0; d < dims.size(); ++d) dims[d] = d;
    for (size_t d = 0; d < depth; ++d) std::swap(dims[d], dims[d + rng.Below(dims.size() - d)]);
    dims.resize(depth);
    std::sort(dims.begin(), dims.end());
    const size_t n_causes = 1 + rng.Below(params.max_causes);
    const double direction = rng.Bernoulli(0.5) ? -1.0 : 1.0;
    std::vector<std::vector<uint32_t>> chosen;
    for (size_t tries = 0; chosen.size() < n_causes && tries < 100; ++tries) {
      std::vector<uint32_t> vals;
      for (size_t d = 0; d < depth; ++d) {
        vals.push_back(static_cast<uint32_t>(rng.Below(params.values_per_dim)));
      }
      if (std::find(chosen.begin(), chosen.end(), vals) == chosen.end()) chosen.push_back(vals);
    }
    for (const auto& vals : chosen) {
      const double m = rng.Uniform(params.min_magnitude, params.max_magnitude);
      Element e;
      for (size_t d = 0; d < depth; ++d) {
        e.items.emplace_back(c.dims[dims[d]], c.values[dims[d]][vals[d]]);
      }
      e.Normalise();
      c.truth.push_back(std::move(e));
      for (Leaf& leaf : c.leaves) {
        bool in = true;
        for (size_t d = 0; d < depth && in; ++d) in = leaf.attrs[dims[d]] == vals[d];
        if (in) leaf.real = std::max(0.0, leaf.real * (1 + direction * m));
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<RcaCase> WriteSqueezeCases(const fs::path& dir, const SqueezeGeneratorParams& params) {
  std::vector<RcaCase> cases = GenerateSqueezeCases(params);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const auto open = [](const fs::path& p) {
    std::ofstream out(p, std::ios::binary);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", p.string()));
    return out;
  };
  std::ofstream info = open(dir / "injection_info.csv");
  info << "timestamp,set,kind\n";
  for (const RcaCase& c : cases) {
    info << c.name << "," << FormatElementSet(c.truth) << ",synthetic\n";
    std::ofstream out = open(dir / (c.name + ".csv"));
    for (const std::string& d : c.dims) out << d << ",";
    out << "real,predict\n";
    for (const Leaf& leaf : c.leaves) {
      for (size_t d = 0; d < c.dims.size(); ++d) out << c.values[d][leaf.attrs[d]] << ",";
      out << fmt::format("{:.4f},{:.4f}\n", leaf.real, leaf.predict);
    }
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", (dir / c.name).string()));
  }
  // One unlabelled CSV: the labelled rows, not the files, define the cases.
  std::ofstream extra = open(dir / "999999.csv");
  extra << "d0,real,predict\nx,1,1\n";
  if (!info) throw std::runtime_error(fmt::format("cannot write {}", dir.string()));
  return cases;
}

}  // namespace cf::diagnosis
