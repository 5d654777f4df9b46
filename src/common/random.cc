#include "common/random.h"

#include <algorithm>

namespace cf {

uint32_t RandomStream::Poisson(double mean) {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const double x = std::round(Normal(mean, std::sqrt(mean)));
    return x < 0 ? 0 : static_cast<uint32_t>(x);
  }
  const double limit = std::exp(-mean);
  double p = Uniform();
  uint32_t k = 0;
  while (p > limit) {
    p *= Uniform();
    ++k;
  }
  return k;
}

double RandomStream::Gamma(double shape) {
  if (shape < 1.0) {
    const double u = std::max(Uniform(), 1e-300);
    return Gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0, v = 0;
    do {
      x = Normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = Uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace cf
