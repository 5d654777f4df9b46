#include "common/catalogue.h"

#include <fmt/format.h>

namespace cf {

std::string Catalogue::ProductName(ProductId id) const {
  const Product& p = product(id);
  std::string name = types.empty() ? std::string("product") : types.at(p.type);
  if (!p.package_size.empty()) name += " " + p.package_size;
  return name;
}

double Catalogue::Margin(ProductId id) const {
  const Product& p = product(id);
  if (p.shelf_price.micros() <= 0) return 0.0;
  return 1.0 - static_cast<double>(p.unit_cost.micros()) / p.shelf_price.micros();
}

void Catalogue::Reindex() {
  products_by_category.assign(categories.size(), {});
  for (auto& m : merchants) m.products.clear();
  for (const Product& p : products) {
    products_by_category.at(p.category).push_back(p.id);
    if (p.merchant != kNoId) merchants.at(p.merchant).products.push_back(p.id);
  }
}

}  // namespace cf
