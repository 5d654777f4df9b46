#include "common/random.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cf {
namespace {

TEST(RandomTest, SameSeedSameComponentSameDraws) {
  RandomStream a(42, "traffic"), b(42, "traffic");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b.Next());
}

TEST(RandomTest, ComponentsAreIndependentStreams) {
  RandomStream a(42, "traffic"), b(42, "responses"), c(43, "traffic");
  int equal_ab = 0, equal_ac = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    equal_ab += x == b.Next();
    equal_ac += x == c.Next();
  }
  EXPECT_EQ(equal_ab, 0);
  EXPECT_EQ(equal_ac, 0);
}

TEST(RandomTest, CounterUniformIsKeyedNotSequential) {
  const double u = CounterUniform(7, 1, 2, 3);
  EXPECT_EQ(u, CounterUniform(7, 1, 2, 3));
  EXPECT_NE(u, CounterUniform(7, 1, 2, 4));
  EXPECT_NE(u, CounterUniform(8, 1, 2, 3));
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double v = CounterUniform(1, i);
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
    sum += v;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(RandomTest, DistributionsHaveTheRightMoments) {
  RandomStream r(1, "moments");
  const int n = 200000;
  double s_norm = 0, s2_norm = 0, s_pois = 0, s_gamma = 0, s_below = 0;
  for (int i = 0; i < n; ++i) {
    const double z = r.Normal();
    s_norm += z;
    s2_norm += z * z;
    s_pois += r.Poisson(4.0);
    s_gamma += r.Gamma(2.5);
    s_below += static_cast<double>(r.Below(10));
  }
  EXPECT_NEAR(s_norm / n, 0.0, 0.01);
  EXPECT_NEAR(s2_norm / n, 1.0, 0.02);
  EXPECT_NEAR(s_pois / n, 4.0, 0.03);
  EXPECT_NEAR(s_gamma / n, 2.5, 0.03);
  EXPECT_NEAR(s_below / n, 4.5, 0.03);
}

}  // namespace
}  // namespace cf
