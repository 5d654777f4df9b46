// The real product catalogue and baskets the knowledge graph reaches and is mined from: Complete
// Journey's products.csv (department, product_category, product_type, brand, package_size) and
// transactions (basket_id, household_id, product_id, week), read with common/csv.h.
//
// Promises: loaders throw (CsvError or KgError) with "<file>:<line>:" and what to do on bad input;
// a missing file names the path and says where the shared data lives. Products keep file order;
// baskets are ordered by basket id and hold distinct product indices in first-seen order.
// Immutable after loading; safe to read from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace cf::kg {

struct RetailProduct {
  int64_t id = 0;
  std::string department, category, type, brand, size;  // "" when missing (NA)
  std::string manufacturer;                             // manufacturer_id as text; "" when absent
};

class RetailCatalogue {
 public:
  static RetailCatalogue Load(const std::filesystem::path& products_csv);
  void Add(RetailProduct p);  // for tests; a duplicate id throws

  const std::vector<RetailProduct>& products() const { return products_; }
  int Find(int64_t id) const;  // index or -1

 private:
  std::vector<RetailProduct> products_;
  std::unordered_map<int64_t, int> index_;
};

struct RetailBasket {
  int64_t basket_id = 0;
  int64_t household = 0;
  int week = 0;
  std::vector<int> items;  // distinct product indices
};

// Reads a transactions CSV (columns household_id, basket_id, product_id, week). Lines whose
// product id is not in `catalogue` are skipped and counted in `*skipped` when given (the Complete
// Journey sample has 222 such lines: coupon rows of 5 ids missing from products.csv).
std::vector<RetailBasket> LoadBaskets(const std::filesystem::path& transactions_csv,
                                      const RetailCatalogue& catalogue, size_t* skipped = nullptr);

// Each product's median shelf unit price over the transactions (sales_value + retail_disc +
// coupon_match_disc) / quantity, the discounts taken as magnitudes; 0 when never sold. Rows with
// a product outside the catalogue or a non-positive quantity are skipped.
std::vector<double> MedianShelfPrices(const std::filesystem::path& transactions_csv,
                                      const RetailCatalogue& catalogue);

// The catalogue's product categories (product_category, first-seen order) and each product's
// category index (-1 when the product has none).
struct CategoryIndex {
  std::vector<std::string> names;
  std::vector<int> of_product;
  int Find(const std::string& name) const;
};
CategoryIndex IndexCategories(const RetailCatalogue& catalogue);

// Each basket as its distinct category indices (products without a category dropped).
std::vector<std::vector<int>> CategoryBaskets(const std::vector<RetailBasket>& baskets,
                                              const CategoryIndex& categories);

// Number of baskets holding each product (index by product).
std::vector<int64_t> BasketCounts(const std::vector<RetailBasket>& baskets, size_t products);

// The folder of the shared data: $CHENGFANG_DATA if set, else the build's default
// (../shared/data next to the source tree).
std::filesystem::path DefaultKgDataDir();
// The committed curated graph, data/kg/curated.kg in the source tree.
std::filesystem::path DefaultCuratedGraph();

}  // namespace cf::kg
