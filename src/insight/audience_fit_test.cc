// Tests of audience fit and audience selection over observed interests: a group of category fans
// fits their category far better than a random group, users without observed interest never fit,
// and the top audience is ordered by observed share.
#include "insight/audience_fit.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"

namespace cf {
namespace {

Catalogue TwoCategoryCatalogue() {
  Catalogue c;
  c.departments = {"D"};
  c.categories = {"SOFT DRINKS", "SHAMPOO"};
  c.category_department = {0, 0};
  c.types = {"COLA", "SHAMPOO 12OZ"};
  c.type_category = {0, 1};
  c.merchants.resize(1);
  c.merchants[0].name = "M";
  for (ProductId p = 0; p < 4; ++p) {
    Product prod;
    prod.id = p;
    prod.merchant = 0;
    prod.category = p < 2 ? 0 : 1;
    prod.type = prod.category;
    prod.shelf_price = Money::FromUnits(3);
    c.products.push_back(prod);
  }
  c.Reindex();
  return c;
}

Event View(UserId u, ProductId p, EventType t = EventType::kOrganicView) {
  Event e;
  e.user = u;
  e.product = p;
  e.type = t;
  return e;
}

TEST(AudienceFit, FansOfACategoryFitItAndNotTheOther) {
  const Catalogue cat = TwoCategoryCatalogue();
  const size_t users = 100;
  UserAffinity a(cat, users);
  // Users 0-19 mostly watch soft drinks, 20-79 mostly shampoo, 80-99 did nothing.
  RandomStream rng(7);
  for (UserId u = 0; u < 80; ++u) {
    const bool drinks_fan = u < 20;
    for (int i = 0; i < 20; ++i) {
      const bool drinks = rng.Bernoulli(drinks_fan ? 0.9 : 0.1);
      a.Observe(View(u, drinks ? 0 : 2));
    }
  }
  const double base = PopulationShare(a, users, 0);
  EXPECT_GT(base, 0.2);
  EXPECT_LT(base, 0.35);
  std::vector<UserId> fans, random_group, silent;
  for (UserId u = 0; u < 20; ++u) fans.push_back(u);
  for (UserId u = 0; u < 100; u += 5) random_group.push_back(u);
  for (UserId u = 80; u < 100; ++u) silent.push_back(u);

  const AudienceFit f = ScoreAudienceFit(a, fans, 0, base);
  const AudienceFit r = ScoreAudienceFit(a, random_group, 0, base);
  const AudienceFit s = ScoreAudienceFit(a, silent, 0, base);
  EXPECT_GT(f.fit, 2.5);
  EXPECT_NEAR(r.fit, 1.0, 0.35);
  EXPECT_EQ(s.fit, 0.0);
  EXPECT_EQ(f.members, 20u);
  EXPECT_EQ(f.observed, 20u);
  EXPECT_EQ(f.interested, 20u);
  EXPECT_EQ(s.observed, 0u);
  // The same fans fit shampoo less than the average user does.
  const AudienceFit other = ScoreAudienceFit(a, fans, 1, PopulationShare(a, users, 1));
  EXPECT_LT(other.fit, 0.5);
  // An empty group and an unseen category fit nothing, without dividing by zero.
  EXPECT_EQ(ScoreAudienceFit(a, {}, 0, base).fit, 0.0);
  EXPECT_EQ(ScoreAudienceFit(a, fans, 1, 0.0).fit, 0.0);
}

TEST(AudienceFit, TopAudienceIsOrderedByObservedShareAndSkipsTheUninterested) {
  const Catalogue cat = TwoCategoryCatalogue();
  UserAffinity a(cat, 6);
  // Shares in soft drinks: user 0: 1/4, user 1: 3/4, user 2: 1, user 3: 0 (shampoo only),
  // users 4, 5: nothing observed.
  a.Observe(View(0, 0));
  for (int i = 0; i < 3; ++i) a.Observe(View(0, 2));
  for (int i = 0; i < 3; ++i) a.Observe(View(1, 1));
  a.Observe(View(1, 3));
  a.Observe(View(2, 0, EventType::kPurchase));
  a.Observe(View(3, 2, EventType::kPurchase));
  EXPECT_EQ(TopAudience(a, 6, 0, 10), (std::vector<UserId>{2, 1, 0}));
  EXPECT_EQ(TopAudience(a, 6, 0, 2), (std::vector<UserId>{2, 1}));
  EXPECT_EQ(TopAudience(a, 6, 1, 10), (std::vector<UserId>{3, 0, 1}));
  EXPECT_TRUE(TopAudience(a, 6, 0, 0).empty());
}

}  // namespace
}  // namespace cf
