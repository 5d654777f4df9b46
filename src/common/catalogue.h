// The product catalogue and merchants: what every participant of the platform can see.
// Promises: ProductId and MerchantId are indexes into products/merchants; category ids index
// `categories`; departments index `departments`. Immutable after construction; safe to share
// read-only between threads. Prices are shelf prices; unit_cost is the merchant's cost (known to
// the merchant that owns the product, used for profit and break-even ROI).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/ids.h"
#include "common/money.h"

namespace cf {

struct Product {
  ProductId id = kNoId;
  uint64_t source_id = 0;  // product_id in the source data
  MerchantId merchant = kNoId;
  uint32_t department = 0;  // index into Catalogue::departments
  CategoryId category = 0;  // index into Catalogue::categories (product_category)
  uint32_t type = 0;        // index into Catalogue::types (product_type)
  bool national_brand = true;
  std::string package_size;  // as in the source, may be empty
  Money shelf_price;
  Money unit_cost;
  bool price_observed = false;  // price measured from transactions (else drawn from its type)
  bool consumable = false;      // bought again on a cycle
  float repurchase_days = 0;    // median inter-purchase interval of its type (0 = unknown)
};

struct Merchant {
  MerchantId id = kNoId;
  uint64_t source_id = 0;  // manufacturer_id in the source data
  std::string name;
  std::vector<ProductId> products;
};

struct Catalogue {
  std::vector<Product> products;
  std::vector<Merchant> merchants;
  std::vector<std::string> departments;
  std::vector<std::string> categories;
  std::vector<uint32_t> category_department;  // department of each category
  std::vector<std::string> types;
  std::vector<CategoryId> type_category;  // category of each product type
  std::vector<std::vector<ProductId>> products_by_category;

  const Product& product(ProductId id) const { return products.at(id); }
  // Human-readable name: "<type> (<category>)" with the package size when known.
  std::string ProductName(ProductId id) const;
  // Gross margin (price - cost) / price in [0,1).
  double Margin(ProductId id) const;
  // Rebuilds products_by_category and merchants' product lists from products.
  void Reindex();
};

}  // namespace cf
