// What one conversion of a product is worth under a super plan's value weights
// (common/ad_plan.h ValueWeights): GMV, gross profit, a long-tail bonus for products with little
// recent sales, and the expected repurchase value (LTV) of consumables. Pure functions.
#pragma once

#include "common/ad_plan.h"
#include "common/catalogue.h"

namespace cf {

struct ConversionFacts {
  double price = 0;             // current price, currency units
  double unit_cost = 0;         // currency units
  bool long_tail = false;       // sold little recently (observed)
  double repeat_purchases = 0;  // expected repurchases within the LTV horizon
};

inline constexpr double kLtvHorizonDays = 90;
inline constexpr double kRepeatProbability =
    0.3;  // share of buyers who come back (documented prior)

// Facts of product p at `price`; `long_tail`: it sold little recently (observed by the engine).
ConversionFacts FactsFor(const Product& p, double price, bool long_tail);

double ConversionValue(const ValueWeights& w, const ConversionFacts& f);

}  // namespace cf
