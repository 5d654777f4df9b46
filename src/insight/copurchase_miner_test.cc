#include "insight/copurchase_miner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/random.h"
#include "insight/knowledge_graph_products.h"

namespace cf::kg {
namespace {

TEST(CopurchaseMiner, FindsPlantedPairNotIndependentOne) {
  // Keys: 0 and 1 are bought together (planted complement); 2 and 3 are each bought independently
  // with probability 0.3; 4 is filler so every basket has something.
  const auto dir = std::filesystem::temp_directory_path() / "cf_kg_miner_test";
  std::filesystem::create_directories(dir);
  {
    // A small synthetic transactions file in the Complete Journey layout.
    std::ofstream p(dir / "products.csv");
    p << "product_id,manufacturer_id,department,brand,product_category,product_type,package_size\n";
    const char* cats[] = {"HOT DOGS", "BUNS", "SOAP", "BATTERIES", "MILK"};
    for (int i = 0; i < 5; ++i) p << 100 + i << ",1,GROCERY,National," << cats[i] << ",X,NA\n";
    std::ofstream t(dir / "transactions.csv");
    t << "household_id,store_id,basket_id,product_id,quantity,sales_value,retail_disc,coupon_disc,"
         "coupon_match_disc,week,transaction_timestamp\n";
    uint64_t s = 12345;
    auto uniform = [&s] {  // a small LCG: the test's own fixed stream
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<double>(s >> 11) / 9007199254740992.0;
    };
    for (int b = 0; b < 2000; ++b) {
      auto line = [&](int product) {
        t << b % 50 << ",1," << 9000 + b << "," << product << ",1,1,0,0,0,1,2017-01-01 10:00:00\n";
      };
      line(104);
      if (uniform() < 0.15) {
        line(100);
        line(101);
      }
      if (uniform() < 0.3) line(102);
      if (uniform() < 0.3) line(103);
    }
  }
  const RetailCatalogue cat = RetailCatalogue::Load(dir / "products.csv");
  const auto baskets = LoadBaskets(dir / "transactions.csv", cat);
  ASSERT_EQ(baskets.size(), 2000u);
  const CategoryIndex ci = IndexCategories(cat);
  const auto pairs = MineComplements(CategoryBaskets(baskets, ci), ci.names.size(), {});
  const int hot = ci.Find("HOT DOGS"), buns = ci.Find("BUNS"), soap = ci.Find("SOAP"),
            bat = ci.Find("BATTERIES");
  bool planted = false, independent = false;
  for (const MinedPair& p : pairs) {
    if ((p.a == hot && p.b == buns) || (p.a == buns && p.b == hot)) {
      planted = true;
      EXPECT_GT(p.lift, 5.0);
      EXPECT_NEAR(p.pmi, std::log(p.lift), 1e-12);
      EXPECT_NEAR(p.ConfAB(), 1.0, 1e-12);
      EXPECT_GT(p.npmi, 0.9);
    }
    if ((p.a == soap && p.b == bat) || (p.a == bat && p.b == soap)) independent = true;
  }
  EXPECT_TRUE(planted);
  EXPECT_FALSE(independent);
  std::filesystem::remove_all(dir);
}

TEST(CopurchaseMiner, StatisticsAndThresholds) {
  // 10 baskets: {0,1} x 4, {0} x 1, {1} x 1, {2} x 4.
  std::vector<std::vector<int>> b;
  for (int i = 0; i < 4; ++i) b.push_back({0, 1, 1});  // duplicates count once
  b.push_back({0});
  b.push_back({1});
  for (int i = 0; i < 4; ++i) b.push_back({2});
  MinerOptions o;
  o.min_support = 4;
  auto pairs = MineComplements(b, 3, o);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].support, 4);
  EXPECT_EQ(pairs[0].count_a, 5);
  EXPECT_EQ(pairs[0].baskets, 10);
  EXPECT_DOUBLE_EQ(pairs[0].lift, 10.0 * 4 / 25);
  EXPECT_NEAR(pairs[0].npmi, std::log(1.6) / -std::log(0.4), 1e-12);
  o.min_support = 5;
  EXPECT_TRUE(MineComplements(b, 3, o).empty());
  o.min_support = 1;
  o.min_lift = 2.0;
  EXPECT_TRUE(MineComplements(b, 3, o).empty());
  EXPECT_THROW(MineComplements({{0, 7}}, 3, {}), std::invalid_argument);
}

}  // namespace
}  // namespace cf::kg
