// For tests: a catalogue of `products` products of one type, category and department (COLA, SOFT
// DRINKS, GROCERY), each at 2.00, from one merchant.
#pragma once

#include "common/catalogue.h"

namespace cf {

inline Catalogue OneCategoryCatalogue(int products) {
  Catalogue c;
  c.departments = {"GROCERY"};
  c.categories = {"SOFT DRINKS"};
  c.category_department = {0};
  c.types = {"COLA"};
  c.type_category = {0};
  c.merchants.resize(1);
  for (ProductId p = 0; p < static_cast<ProductId>(products); ++p) {
    Product prod;
    prod.id = p;
    prod.shelf_price = Money::FromUnits(2);
    c.products.push_back(prod);
  }
  return c;
}

}  // namespace cf
