#include "insight/knowledge_graph_products.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "common/csv.h"
#include "insight/knowledge_graph.h"

#ifndef CF_KG_DEFAULT_DATA_DIR
#define CF_KG_DEFAULT_DATA_DIR "../shared/data"
#endif
#ifndef CF_KG_SOURCE_DIR
#define CF_KG_SOURCE_DIR "."
#endif

namespace cf::kg {

namespace {
constexpr std::string_view kHint =
    "the Complete Journey files ship in ../shared/data/completejourney/ (pass --data DIR or set "
    "CHENGFANG_DATA)";
}

void RetailCatalogue::Add(RetailProduct p) {
  if (!index_.emplace(p.id, static_cast<int>(products_.size())).second) {
    throw KgError(fmt::format("duplicate product id {}", p.id));
  }
  products_.push_back(std::move(p));
}

int RetailCatalogue::Find(int64_t id) const {
  const auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

RetailCatalogue RetailCatalogue::Load(const std::filesystem::path& path) {
  CsvReader r(path, kHint);
  const int c_id = r.Column("product_id"), c_dep = r.Column("department"),
            c_cat = r.Column("product_category"), c_type = r.Column("product_type"),
            c_brand = r.Column("brand"), c_size = r.Column("package_size"),
            c_maker = r.FindColumn("manufacturer_id");
  RetailCatalogue c;
  while (r.Next()) {
    RetailProduct p;
    p.id = r.GetInt(c_id);
    p.department = r.GetOptString(c_dep).value_or("");
    p.category = r.GetOptString(c_cat).value_or("");
    p.type = r.GetOptString(c_type).value_or("");
    p.brand = r.GetOptString(c_brand).value_or("");
    p.size = r.GetOptString(c_size).value_or("");
    if (c_maker >= 0) p.manufacturer = r.GetOptString(c_maker).value_or("");
    if (c.Find(p.id) >= 0) r.Fail(c_id, fmt::format("duplicate product id {}", p.id));
    c.Add(std::move(p));
  }
  return c;
}

std::vector<RetailBasket> LoadBaskets(const std::filesystem::path& path,
                                      const RetailCatalogue& catalogue, size_t* skipped) {
  CsvReader r(path, kHint);
  const int c_hh = r.Column("household_id"), c_b = r.Column("basket_id"),
            c_p = r.Column("product_id"), c_w = r.Column("week");
  std::map<int64_t, RetailBasket> by_id;
  while (r.Next()) {
    const int64_t pid = r.GetInt(c_p);
    const int idx = catalogue.Find(pid);
    if (idx < 0) {
      if (skipped != nullptr) ++*skipped;
      continue;
    }
    const int64_t bid = r.GetInt(c_b);
    RetailBasket& b = by_id[bid];
    if (b.items.empty()) {
      b.basket_id = bid;
      b.household = r.GetInt(c_hh);
      b.week = static_cast<int>(r.GetInt(c_w));
    }
    if (std::find(b.items.begin(), b.items.end(), idx) == b.items.end()) b.items.push_back(idx);
  }
  std::vector<RetailBasket> out;
  out.reserve(by_id.size());
  for (auto& [id, b] : by_id) out.push_back(std::move(b));
  return out;
}

std::vector<double> MedianShelfPrices(const std::filesystem::path& path,
                                      const RetailCatalogue& catalogue) {
  CsvReader r(path, kHint);
  const int c_p = r.Column("product_id"), c_q = r.Column("quantity"),
            c_sales = r.Column("sales_value"), c_disc = r.Column("retail_disc"),
            c_match = r.Column("coupon_match_disc");
  std::vector<std::vector<double>> seen(catalogue.products().size());
  while (r.Next()) {
    const int idx = catalogue.Find(r.GetInt(c_p));
    if (idx < 0) continue;
    const double q = r.GetDouble(c_q);
    if (!(q > 0)) continue;  // returns and zero-quantity rows say nothing about the price
    // Missing discounts mean no discount.
    const double price = (r.GetDouble(c_sales) + std::abs(r.GetOptDouble(c_disc).value_or(0.0)) +
                          std::abs(r.GetOptDouble(c_match).value_or(0.0))) /
                         q;
    if (price > 0 && std::isfinite(price)) seen[static_cast<size_t>(idx)].push_back(price);
  }
  std::vector<double> out(seen.size(), 0.0);
  for (size_t i = 0; i < seen.size(); ++i) {
    auto& v = seen[i];
    if (v.empty()) continue;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    out[i] = v[v.size() / 2];
  }
  return out;
}

int CategoryIndex::Find(const std::string& name) const {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

CategoryIndex IndexCategories(const RetailCatalogue& catalogue) {
  CategoryIndex ci;
  std::unordered_map<std::string, int> seen;
  for (const auto& p : catalogue.products()) {
    if (p.category.empty()) {
      ci.of_product.push_back(-1);
      continue;
    }
    const auto [it, fresh] = seen.emplace(p.category, static_cast<int>(ci.names.size()));
    if (fresh) ci.names.push_back(p.category);
    ci.of_product.push_back(it->second);
  }
  return ci;
}

std::vector<std::vector<int>> CategoryBaskets(const std::vector<RetailBasket>& baskets,
                                              const CategoryIndex& categories) {
  std::vector<std::vector<int>> out;
  out.reserve(baskets.size());
  for (const auto& b : baskets) {
    std::vector<int> cats;
    for (int i : b.items) {
      const int c = categories.of_product[static_cast<size_t>(i)];
      if (c >= 0 && std::find(cats.begin(), cats.end(), c) == cats.end()) cats.push_back(c);
    }
    out.push_back(std::move(cats));
  }
  return out;
}

std::vector<int64_t> BasketCounts(const std::vector<RetailBasket>& baskets, size_t products) {
  std::vector<int64_t> n(products, 0);
  for (const auto& b : baskets) {
    for (int i : b.items) ++n[static_cast<size_t>(i)];
  }
  return n;
}

std::filesystem::path DefaultKgDataDir() {
  if (const char* env = std::getenv("CHENGFANG_DATA"); env != nullptr && *env != '\0') return env;
  return CF_KG_DEFAULT_DATA_DIR;
}

std::filesystem::path DefaultCuratedGraph() {
  return std::filesystem::path(CF_KG_SOURCE_DIR) / "data" / "kg" / "curated.kg";
}

}  // namespace cf::kg
