// Seeded, reproducible randomness.
//
// RandomStream: a xoshiro256** generator whose seed is derived from (master seed, component
// name), so each component owns an independent stream and adding a component never shifts another
// component's draws. Not thread-safe; give each thread its own stream.
//
// CounterUniform: a stateless, counter-based draw u(seed, a, b, c) in [0,1). The same key always
// gives the same number, whatever was drawn before; the simulator keys response draws by
// (opportunity, slot) so two runs of the same world face the same luck (common random numbers).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace cf {

// SplitMix64 finaliser: a good 64-bit mixing function.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a of a name, for deriving per-component seeds.
constexpr uint64_t HashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

constexpr uint64_t DeriveSeed(uint64_t master, std::string_view component) {
  return Mix64(master ^ Mix64(HashName(component)));
}

inline double ToUnit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

inline double CounterUniform(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return ToUnit(Mix64(Mix64(Mix64(seed ^ a) ^ b) + c));
}

class RandomStream {
 public:
  RandomStream(uint64_t master_seed, std::string_view component) {
    Reseed(DeriveSeed(master_seed, component));
  }
  explicit RandomStream(uint64_t seed) { Reseed(seed); }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return ToUnit(Next()); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0. Lemire's method, negligible bias ignored for n << 2^64.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  double Normal() {
    // Box-Muller, one value per call (simple and deterministic).
    double u1 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  double LogNormal(double mu, double sigma) { return std::exp(Normal(mu, sigma)); }
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  // Poisson by inversion for small means, normal approximation above 30.
  uint32_t Poisson(double mean);
  // Gamma(shape, 1) by Marsaglia-Tsang.
  double Gamma(double shape);
  double Beta(double a, double b) {
    const double x = Gamma(a);
    return x / (x + Gamma(b));
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  void Reseed(uint64_t seed) {
    for (auto& s : s_) {
      seed = Mix64(seed);
      s = seed;
    }
  }
  uint64_t s_[4];
};

}  // namespace cf
