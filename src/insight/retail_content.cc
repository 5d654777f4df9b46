#include "insight/retail_content.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace cf::content {

ItemContent RetailItemContent(const kg::RetailProduct& p, double price) {
  ItemContent c;
  for (const std::string* level : {&p.department, &p.category, &p.type}) {
    if (!level->empty()) c.category_path.push_back(*level);
  }
  c.title = p.type;
  if (!p.manufacturer.empty()) c.brand = "maker " + p.manufacturer;
  if (!p.brand.empty()) c.attributes.emplace_back("brand_type", p.brand);
  c.package_size = p.size;
  c.price = price > 0 ? price : 0.0;
  return c;
}

std::vector<std::vector<int>> HouseholdItemSets(const ColdStartData& data) {
  std::vector<std::vector<int>> sets;
  sets.reserve(data.households.size());
  for (const auto& hh : data.households) {
    std::vector<int> s;
    for (const auto& b : hh) {
      for (int i : b) {
        if (std::find(s.begin(), s.end(), i) == s.end()) s.push_back(i);
      }
    }
    sets.push_back(std::move(s));
  }
  return sets;
}

ColdStartData RetailColdStartData(const kg::RetailCatalogue& catalogue,
                                  const std::vector<kg::RetailBasket>& baskets,
                                  const std::vector<double>& prices) {
  const auto& products = catalogue.products();
  if (!prices.empty() && prices.size() != products.size()) {
    throw std::invalid_argument("retail content: " + std::to_string(prices.size()) +
                                " prices for " + std::to_string(products.size()) + " products");
  }
  ColdStartData d;
  d.items.reserve(products.size());
  for (size_t i = 0; i < products.size(); ++i) {
    d.items.push_back(RetailItemContent(products[i], prices.empty() ? 0.0 : prices[i]));
  }
  std::map<int64_t, std::vector<const kg::RetailBasket*>> by_household;
  for (const auto& b : baskets) by_household[b.household].push_back(&b);
  for (auto& [hh, list] : by_household) {
    std::sort(list.begin(), list.end(), [](const kg::RetailBasket* a, const kg::RetailBasket* b) {
      return std::tie(a->week, a->basket_id) < std::tie(b->week, b->basket_id);
    });
    std::vector<std::vector<int>> seq;
    seq.reserve(list.size());
    for (const auto* b : list) seq.push_back(b->items);
    d.households.push_back(std::move(seq));
  }
  return d;
}

}  // namespace cf::content
