#include "common/money.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace cf {

Money Money::FromUnits(double units) {
  const double micros = units * static_cast<double>(kMicrosPerUnit);
  if (!std::isfinite(micros) || std::fabs(micros) > 9.2e18) {
    throw std::overflow_error(fmt::format("money amount {} is out of range", units));
  }
  return Money(static_cast<int64_t>(std::llround(micros)));
}

Money Money::Scale(double factor) const { return FromUnits(units() * factor); }

Money Money::CheckedMul(int64_t n) const {
  int64_t out = 0;
  if (__builtin_mul_overflow(micros_, n, &out)) {
    throw std::overflow_error("money multiplication overflows");
  }
  return Money(out);
}

Money Money::CheckedAdd(Money a, Money b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a.micros_, b.micros_, &out)) {
    throw std::overflow_error("money addition overflows");
  }
  return Money(out);
}

std::string Money::ToString() const {
  const int64_t abs = micros_ < 0 ? -micros_ : micros_;
  std::string frac = fmt::format("{:06d}", abs % kMicrosPerUnit);
  while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
  return fmt::format("{}{}.{}", micros_ < 0 ? "-" : "", abs / kMicrosPerUnit, frac);
}

}  // namespace cf
