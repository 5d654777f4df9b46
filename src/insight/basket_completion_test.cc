#include "insight/basket_completion.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace cf::kg {
namespace {

TEST(BasketCompletion, HitAtK) {
  EXPECT_EQ(HitAtK({5, 3, 9}, 3, 10), 1.0);
  EXPECT_EQ(HitAtK({5, 3, 9}, 9, 2), 0.0);
  EXPECT_EQ(HitAtK({5, 3, 9}, 9, 3), 1.0);
  EXPECT_EQ(HitAtK({}, 1, 10), 0.0);
}

TEST(BasketCompletion, TinyCaseArithmetic) {
  // Products 0..11, one category each except 10 and 11 (category of 0's complement).
  RetailCatalogue cat;
  for (int i = 0; i < 12; ++i) {
    cat.Add({i, "G", "C" + std::to_string(i == 11 ? 10 : i), "T", "National", ""});
  }
  // Training households: products 1..9 and 10 are popular alone; 0 is bought with 11.
  std::vector<RetailBasket> baskets;
  int64_t id = 1;
  int64_t hh = 0;
  auto next_train_hh = [&] {
    do ++hh;
    while (IsTestHousehold(hh, 5));
    return hh;
  };
  for (int p = 1; p <= 10; ++p) {
    for (int r = 0; r < 20; ++r) baskets.push_back({id++, next_train_hh(), 1, {p}});
  }
  for (int r = 0; r < 6; ++r) baskets.push_back({id++, next_train_hh(), 1, {0, 11}});
  // Test baskets {0, 11} from test households, 4 of them.
  int64_t th = 1000;
  size_t tests = 0;
  while (tests < 4) {
    if (IsTestHousehold(++th, 5)) {
      baskets.push_back({id, th, 1, {0, 11}});
      ++id;
      ++tests;
    }
  }
  CompletionOptions o;
  o.miner.min_support = 3;
  const CompletionReport r = EvaluateBasketCompletion(cat, baskets, nullptr, o);
  EXPECT_EQ(r.test_baskets, 4u);
  EXPECT_EQ(r.train_baskets, 206u);
  EXPECT_EQ(r.mined_pairs, 1u);
  // Popularity ranks 1..10 (20 baskets each) above 0 and 11 (6 each): never a hit.
  EXPECT_EQ(r.popularity_hits, 0.0);
  // The mined pair C0 ~ C10 lifts the held-out product to the top: always a hit.
  EXPECT_EQ(r.mined_hits, 4.0);
  EXPECT_EQ(r.kg_hits, 4.0);
  const auto j = r.ToJson();
  EXPECT_DOUBLE_EQ(j["kg"]["hit@10"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["popularity"]["hit@10"].get<double>(), 0.0);
}

}  // namespace
}  // namespace cf::kg
