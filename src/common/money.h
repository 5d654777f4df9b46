// Money: an integer amount of micro-units (1 currency unit = 1,000,000 micros).
// Promises: all arithmetic is exact integer arithmetic; conversions to and from decimals round
// half away from zero; overflow is checked where amounts are combined (CheckedAdd/CheckedMul).
// A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace cf {

class Money {
 public:
  static constexpr int64_t kMicrosPerUnit = 1'000'000;

  constexpr Money() = default;
  static constexpr Money Micros(int64_t micros) { return Money(micros); }
  // Rounds to the nearest micro (half away from zero).
  static Money FromUnits(double units);
  static constexpr Money Zero() { return Money(0); }

  constexpr int64_t micros() const { return micros_; }
  double units() const { return static_cast<double>(micros_) / kMicrosPerUnit; }
  // "12.345678" style with trailing zeros trimmed to at least two decimals.
  std::string ToString() const;

  constexpr Money operator+(Money o) const { return Money(micros_ + o.micros_); }
  constexpr Money operator-(Money o) const { return Money(micros_ - o.micros_); }
  constexpr Money& operator+=(Money o) {
    micros_ += o.micros_;
    return *this;
  }
  constexpr Money& operator-=(Money o) {
    micros_ -= o.micros_;
    return *this;
  }
  constexpr Money operator-() const { return Money(-micros_); }
  constexpr auto operator<=>(const Money&) const = default;

  // Scales by a real factor, rounding to the nearest micro.
  Money Scale(double factor) const;
  // Integer multiply; throws std::overflow_error on overflow.
  Money CheckedMul(int64_t n) const;
  // Throws std::overflow_error on overflow.
  static Money CheckedAdd(Money a, Money b);

 private:
  constexpr explicit Money(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

}  // namespace cf
