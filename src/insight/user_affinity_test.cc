// Tests of the user's observed category affinity: the whole history keeps a long-term interest
// that recent behaviour does not show, and the last-N window (the ablation) sees exactly the
// weighted events of the last N behaviours and nothing older.
#include "insight/user_affinity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace cf {
namespace {

// Three categories (0, 1, 2), one product each (product id = category id).
Catalogue ThreeCategories() {
  Catalogue c;
  c.departments = {"D"};
  c.categories = {"COFFEE", "TEA", "JUICE"};
  c.category_department = {0, 0, 0};
  c.types = c.categories;
  c.type_category = {0, 1, 2};
  c.merchants.resize(1);
  for (ProductId p = 0; p < 3; ++p) {
    Product prod;
    prod.id = p;
    prod.category = p;
    prod.type = p;
    prod.shelf_price = Money::FromUnits(2);
    c.products.push_back(prod);
  }
  c.Reindex();
  return c;
}

void Feed(UserAffinity& a, UserId u, ProductId p, EventType t, int times) {
  for (int i = 0; i < times; ++i) {
    Event e;
    e.user = u;
    e.product = p;
    e.type = t;
    a.Observe(e);
  }
}

TEST(UserAffinity, TheWholeHistoryKeepsALongTermInterestTheLastFiftyEventsMiss) {
  const Catalogue cat = ThreeCategories();
  UserAffinity full(cat, 1), last50(cat, 1, 50);
  for (UserAffinity* a : {&full, &last50}) {
    Feed(*a, 0, 0, EventType::kPurchase, 20);     // long ago: 20 coffee purchases (weight 200)
    Feed(*a, 0, 1, EventType::kOrganicView, 60);  // lately: 60 tea views (weight 60)
  }
  CategoryId top[UserAffinity::kSlots];
  ASSERT_EQ(full.Top(0, 1, top), 1);
  EXPECT_EQ(top[0], 0u);
  EXPECT_NEAR(full.Share(0, 0), 200.0 / 260.0, 1e-6);
  EXPECT_NEAR(full.Share(0, 1), 60.0 / 260.0, 1e-6);
  // The window holds the last 50 views of tea only.
  ASSERT_EQ(last50.Top(0, UserAffinity::kSlots, top), 1);
  EXPECT_EQ(top[0], 1u);
  EXPECT_EQ(last50.Share(0, 0), 0.0);
  EXPECT_NEAR(last50.Share(0, 1), 1.0, 1e-6);
}

TEST(UserAffinity, TheWindowSeesExactlyTheWeightedEventsOfTheLastN) {
  const Catalogue cat = ThreeCategories();
  UserAffinity a(cat, 2, 4);
  Feed(a, 0, 2, EventType::kPurchase, 3);     // pushed out below
  Feed(a, 0, 0, EventType::kClick, 1);        // 3
  Feed(a, 0, 1, EventType::kImpression, 10);  // weight 0: not a behaviour, takes no place
  Feed(a, 0, 1, EventType::kAddToCart, 2);    // 5 + 5
  Feed(a, 0, 2, EventType::kOrganicView, 1);  // 1; the window is now click, cart, cart, view
  EXPECT_NEAR(a.Share(0, 0), 3.0 / 14.0, 1e-6);
  EXPECT_NEAR(a.Share(0, 1), 10.0 / 14.0, 1e-6);
  EXPECT_NEAR(a.Share(0, 2), 1.0 / 14.0, 1e-6);
  CategoryId top[UserAffinity::kSlots];
  ASSERT_EQ(a.Top(0, UserAffinity::kSlots, top), 3);
  EXPECT_EQ(top[0], 1u);
  EXPECT_EQ(top[1], 0u);
  EXPECT_EQ(top[2], 2u);
  // Another user's window is their own.
  EXPECT_EQ(a.Share(1, 1), 0.0);
  Feed(a, 1, 2, EventType::kLike, 1);
  EXPECT_NEAR(a.Share(1, 2), 1.0, 1e-6);
  EXPECT_NEAR(a.Share(0, 1), 10.0 / 14.0, 1e-6);
  EXPECT_THROW(UserAffinity(cat, 1, 257), std::invalid_argument);
}

TEST(UserAffinity, AHalfLifeLetsTheCurrentInterestLeadAndKeepsTheLastingOne) {
  const Catalogue cat = ThreeCategories();
  UserAffinity decayed(cat, 1, 0, /*half_life_events=*/20);
  Feed(decayed, 0, 0, EventType::kPurchase, 20);     // long ago: weight 200
  Feed(decayed, 0, 1, EventType::kOrganicView, 60);  // lately: weight 60
  // Coffee decays over the 60 tea views: 200 x 2^-3 = 25 (of the purchases' own decay, exactly
  // sum_k 10 x 2^-(k+60)/20 over k = 0..19); tea's views sum to sum_k 2^-k/20, k = 0..59.
  double coffee = 0, tea = 0;
  for (int k = 0; k < 20; ++k) coffee += 10 * std::exp2(-(k + 60) / 20.0);
  for (int k = 0; k < 60; ++k) tea += std::exp2(-k / 20.0);
  CategoryId top[UserAffinity::kSlots];
  ASSERT_EQ(decayed.Top(0, UserAffinity::kSlots, top), 2);
  EXPECT_EQ(top[0], 1u);  // the current interest leads (the whole history put coffee first)
  EXPECT_EQ(top[1], 0u);  // and the lasting one is still there (the last 50 lost it)
  EXPECT_NEAR(decayed.Share(0, 1), tea / (tea + coffee), 1e-4);
  EXPECT_THROW(UserAffinity(cat, 1, 50, 20), std::invalid_argument);
}

}  // namespace
}  // namespace cf
