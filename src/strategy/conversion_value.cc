#include "strategy/conversion_value.h"

#include <algorithm>

namespace cf {

ConversionFacts FactsFor(const Product& p, double price, bool long_tail) {
  ConversionFacts f;
  f.price = price;
  f.unit_cost = p.unit_cost.units();
  f.long_tail = long_tail;
  if (p.consumable && p.repurchase_days > 0) {
    f.repeat_purchases = kRepeatProbability * kLtvHorizonDays / std::max(7.0f, p.repurchase_days);
  }
  return f;
}

double ConversionValue(const ValueWeights& w, const ConversionFacts& f) {
  double v = w.gmv * f.price + w.profit * (f.price - f.unit_cost) + w.conversion;
  if (f.long_tail) v += w.long_tail * f.price;
  v += w.ltv * f.repeat_purchases * f.price;
  return std::max(0.0, v);
}

}  // namespace cf
