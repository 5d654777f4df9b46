// A test account: a real platform over a small catalogue (two merchants, eight products; the
// account is merchant 0, which owns the even ids) without a market. Super plans are registered as
// compiled (no pilot: tests set time and drive delivery themselves). For tests only.
#pragma once

#include <map>
#include <memory>

#include "action/account.h"
#include "common/event_log.h"

namespace cf::action::fixtures {

inline Catalogue TestCatalogue() {
  Catalogue c;
  c.departments = {"GROCERY", "DRUG GM"};
  c.categories = {"SOFT DRINKS", "SHAMPOO"};
  c.category_department = {0, 1};
  c.types = {"COLA", "SHAMPOO 12OZ"};
  c.type_category = {0, 1};
  c.merchants.resize(2);
  for (MerchantId m = 0; m < 2; ++m) {
    c.merchants[m].id = m;
    c.merchants[m].name = m == 0 ? "Fizz Co" : "Clean Co";
  }
  for (ProductId p = 0; p < 8; ++p) {
    Product prod;
    prod.id = p;
    prod.merchant = p % 2;
    prod.category = p < 4 ? 0 : 1;
    prod.department = prod.category;
    prod.type = prod.category;
    prod.shelf_price = Money::FromUnits(2.0 + p);
    prod.unit_cost = Money::FromUnits(1.0 + 0.5 * p);
    prod.price_observed = true;
    c.products.push_back(prod);
  }
  c.Reindex();
  return c;
}

class TestAccount : public Account {
 public:
  TestAccount()
      : cat_(TestCatalogue()),
        log_(EventLog::InMemory()),
        // One creative per product (the single-creative baseline): the action tests follow a
        // product's one live creative through rotations.
        platform_(
            cat_, *log_, 20,
            PlatformConfig{.reserve_cpm = 0.1, .even_delivery = false, .creatives = "single"}) {}
  Platform& platform() override { return platform_; }
  const Catalogue& catalogue() const override { return cat_; }
  MerchantId merchant() const override { return 0; }
  SimMinute now() const override { return now_; }
  SimMinute flight_start() const override { return 0; }
  PlanId AddSuperPlan(const SuperPlan& sp) override { return platform_.AddPlan(sp.plan); }
  void RetargetSuperPlan(PlanId id, double budget, double target) override {
    retargeted[id] = {budget, target};
  }
  double PilotAlpha(PlanId) const override { return 0.5; }
  // Marketing without a market: coupons are logged as the platform would see them; two creators
  // (0: followers 0-9 at fee 20, 1: followers 10-19 at fee 300) take orders.
  size_t users() const override { return 20; }
  void IssueCoupons(ProductId p, Money value, SimMinute, const std::vector<UserId>& to) override {
    for (UserId u : to) {
      Event e;
      e.type = EventType::kCouponReceived;
      e.minute = now_;
      e.user = u;
      e.product = p;
      e.money = value.micros();
      platform_.LogEvent(e);
      coupons.emplace_back(u, p);
    }
  }
  std::vector<InfluencerProfile> Influencers() const override {
    std::vector<InfluencerProfile> v(2);
    for (InfluencerId i = 0; i < 2; ++i) {
      v[i].id = i;
      v[i].fee_per_post = Money::FromUnits(i == 0 ? 20 : 300);
      v[i].followers = std::span<const UserId>(followers_).subspan(10 * i, 10);
      v[i].content_category = i;
      for (const InfluencerOrder& o : orders_) {
        if (o.influencer != i) continue;
        ++v[i].posts;
        v[i].busy |= now_ < o.end;
      }
    }
    return v;
  }
  InfluencerOrder OrderInfluencerPost(InfluencerId i, ProductId p, Money fee) override {
    InfluencerOrder o{i, p, fee, now_, now_ + kMinutesPerDay};
    orders_.push_back(o);
    return o;
  }
  std::vector<InfluencerOrder> InfluencerOrders() const override { return orders_; }

  SimMinute now_ = 10;
  std::map<PlanId, std::pair<double, double>> retargeted;
  std::vector<std::pair<UserId, ProductId>> coupons;

 private:
  Catalogue cat_;
  std::unique_ptr<EventLog> log_;
  Platform platform_;
  std::vector<UserId> followers_ = [] {
    std::vector<UserId> f(20);
    for (UserId u = 0; u < 20; ++u) f[u] = u;
    return f;
  }();
  std::vector<InfluencerOrder> orders_;
};

}  // namespace cf::action::fixtures
