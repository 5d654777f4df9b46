#include "common/money.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace cf {
namespace {

TEST(MoneyTest, FromUnitsRoundsToNearestMicro) {
  EXPECT_EQ(Money::FromUnits(1.94).micros(), 1'940'000);
  EXPECT_EQ(Money::FromUnits(0.0000005).micros(), 1);
  EXPECT_EQ(Money::FromUnits(-0.0000005).micros(), -1);
  EXPECT_EQ(Money::FromUnits(-2.5).micros(), -2'500'000);
}

TEST(MoneyTest, ArithmeticIsExact) {
  Money sum;
  for (int i = 0; i < 10; ++i) sum += Money::FromUnits(0.1);
  EXPECT_EQ(sum, Money::FromUnits(1.0));  // would fail with doubles summed naively
  EXPECT_EQ((Money::Micros(7) - Money::Micros(10)).micros(), -3);
}

TEST(MoneyTest, ToStringTrimsButKeepsCents) {
  EXPECT_EQ(Money::FromUnits(12.5).ToString(), "12.50");
  EXPECT_EQ(Money::Micros(1).ToString(), "0.000001");
  EXPECT_EQ(Money::FromUnits(-3.25).ToString(), "-3.25");
  EXPECT_EQ(Money::Zero().ToString(), "0.00");
}

TEST(MoneyTest, CheckedOperationsDetectOverflow) {
  const Money big = Money::Micros(std::numeric_limits<int64_t>::max() - 5);
  EXPECT_THROW(Money::CheckedAdd(big, Money::Micros(10)), std::overflow_error);
  EXPECT_EQ(Money::CheckedAdd(big, Money::Micros(5)).micros(), std::numeric_limits<int64_t>::max());
  EXPECT_THROW(big.CheckedMul(2), std::overflow_error);
  EXPECT_EQ(Money::Micros(3).CheckedMul(4).micros(), 12);
  EXPECT_THROW(Money::FromUnits(1e20), std::overflow_error);
}

TEST(MoneyTest, ScaleRounds) {
  EXPECT_EQ(Money::Micros(3).Scale(0.5).micros(), 2);  // 1.5 -> 2
  EXPECT_EQ(Money::FromUnits(10).Scale(0.9), Money::FromUnits(9));
}

}  // namespace
}  // namespace cf
