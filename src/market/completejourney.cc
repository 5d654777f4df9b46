#include "market/completejourney.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/random.h"

#ifndef CF_DEFAULT_DATA_DIR
#define CF_DEFAULT_DATA_DIR "../shared/data"
#endif

namespace cf {

std::filesystem::path DefaultDataDir() {
  const char* env = std::getenv("CHENGFANG_DATA");
  if (env != nullptr && *env != '\0') return std::filesystem::path(env);
  return std::filesystem::path(CF_DEFAULT_DATA_DIR).lexically_normal();
}

std::filesystem::path DefaultCompleteJourneyDir() { return DefaultDataDir() / "completejourney"; }

namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr double kMarginConcentration = 20.0;  // Beta(a, b) with a + b = 20
constexpr double kPrivateLabelMarginBonus = 0.07;
constexpr double kMinMargin = 0.05, kMaxMargin = 0.8;
constexpr size_t kConsumableMinIntervals = 5;

// Mean gross margin by department (see docs/data-loading.md).
double DepartmentMargin(std::string_view dept) {
  struct Entry {
    std::string_view name;
    double margin;
  };
  static constexpr Entry kTable[] = {
      {"GROCERY", 0.28},        {"PRODUCE", 0.40},       {"MEAT", 0.25},       {"MEAT-PCKGD", 0.25},
      {"SEAFOOD", 0.30},        {"SEAFOOD-PCKGD", 0.30}, {"DELI", 0.40},       {"PASTRY", 0.50},
      {"DRUG GM", 0.38},        {"COSMETICS", 0.55},     {"NUTRITION", 0.40},  {"KIOSK-GAS", 0.08},
      {"FUEL", 0.08},           {"FLORAL", 0.45},        {"SALAD BAR", 0.45},  {"SPIRITS", 0.25},
      {"FROZEN GROCERY", 0.28}, {"CHEF SHOPPE", 0.40},   {"RESTAURANT", 0.40},
  };
  for (const Entry& e : kTable) {
    if (e.name == dept) return e.margin;
  }
  return 0.32;
}

// Strings to dense indexes, in order of first appearance.
class Interner {
 public:
  uint32_t Get(std::string_view key) {
    auto it = index_.find(std::string(key));
    if (it != index_.end()) return it->second;
    const auto id = static_cast<uint32_t>(keys_.size());
    keys_.emplace_back(key);
    index_.emplace(keys_.back(), id);
    return id;
  }
  size_t size() const { return keys_.size(); }

 private:
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<std::string> keys_;
};

struct SrcProduct {
  uint64_t id = 0;
  uint64_t manufacturer = 0;
  uint32_t dept = 0, cat = 0, type = 0;  // source-space indexes
  bool national = true;
  std::string package_size;
  bool observed = false;  // has a valid price line
  double price = 0;       // median shelf unit price when observed
};

// Source-space hierarchy: categories are keyed by (department, name) and types by (category,
// name) because the same names occur under several departments / categories in the data.
struct SrcHierarchy {
  std::vector<std::string> dept_names;
  std::vector<std::string> cat_names;
  std::vector<uint32_t> cat_dept;
  std::vector<std::string> type_names;
  std::vector<uint32_t> type_cat;
};

struct Line {
  uint32_t hh = 0;        // household index (order of first appearance)
  uint32_t prod = kNoId;  // SrcProduct index, kNoId when absent from products.csv
  uint64_t basket = 0;
  int64_t ts = 0;  // seconds since 1970-01-01 (UTC-agnostic)
  double qty = 0, sales = 0, retail = 0, match = 0;
  uint64_t product_id = 0;
  bool has_price() const { return qty > 0 && (sales + retail + match) > 0; }
  double shelf_price() const { return (sales + retail + match) / qty; }
};

std::string CjHint() {
  return fmt::format("the Complete Journey data is expected in {} (set CHENGFANG_DATA or --data)",
                     DefaultCompleteJourneyDir().string());
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS" → seconds; false if malformed.
bool ParseTimestamp(std::string_view s, int64_t& out) {
  auto digits = [&](size_t pos, size_t n, int& v) {
    if (pos + n > s.size()) return false;
    v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() != 10 && s.size() != 19) return false;
  if (!digits(0, 4, y) || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (s.size() == 19) {
    if ((s[10] != ' ' && s[10] != 'T') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) ||
        s[16] != ':' || !digits(17, 2, se)) {
      return false;
    }
    if (h > 23 || mi > 59 || se > 60) return false;
  }
  out = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
        mi * 60 + se;
  return true;
}

// Median of `v` (average of the two middle values for an even count); reorders v. v non-empty.
double Median(std::vector<double>& v) {
  const size_t n = v.size();
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double hi = *mid;
  if (n % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), mid);
  return (lo + hi) / 2;
}

// Quantile with linear interpolation between order statistics (R type 7); `sorted` ascending.
double Quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Seeded random subset of `k` elements of `items` (partial Fisher-Yates), returned sorted.
std::vector<uint32_t> Sample(std::vector<uint32_t> items, size_t k, RandomStream& rng) {
  k = std::min(k, items.size());
  for (size_t i = 0; i < k; ++i) {
    const size_t j = i + rng.Below(items.size() - i);
    std::swap(items[i], items[j]);
  }
  items.resize(k);
  std::sort(items.begin(), items.end());
  return items;
}

std::vector<std::pair<std::string, double>> SortedShares(const std::vector<std::string>& names,
                                                         const std::vector<double>& amounts) {
  const double total = std::accumulate(amounts.begin(), amounts.end(), 0.0);
  std::vector<std::pair<std::string, double>> out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (amounts[i] > 0 && total > 0) out.emplace_back(names[i], amounts[i] / total);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

void ReadProducts(const std::filesystem::path& dir, std::vector<SrcProduct>& products,
                  std::unordered_map<uint64_t, uint32_t>& index, SrcHierarchy& h,
                  std::vector<std::string>& warnings) {
  CsvReader r(dir / "products.csv", CjHint());
  const int c_id = r.Column("product_id"), c_man = r.Column("manufacturer_id"),
            c_dept = r.Column("department"), c_brand = r.Column("brand"),
            c_cat = r.Column("product_category"), c_type = r.Column("product_type"),
            c_size = r.Column("package_size");
  Interner depts, cats, types;
  uint64_t no_cat = 0, no_type = 0, no_dept = 0, no_brand = 0, no_man = 0;
  std::string key;
  while (r.Next()) {
    SrcProduct p;
    p.id = r.GetUInt(c_id);
    if (r.IsMissing(c_man)) {
      ++no_man;
    } else {
      p.manufacturer = r.GetUInt(c_man);
    }
    std::string_view dept = "UNKNOWN", cat = "UNKNOWN", type = "UNKNOWN";
    if (r.IsMissing(c_dept)) {
      ++no_dept;
    } else {
      dept = r.Field(c_dept);
    }
    if (r.IsMissing(c_cat)) {
      ++no_cat;
    } else {
      cat = r.Field(c_cat);
    }
    if (r.IsMissing(c_type)) {
      ++no_type;
    } else {
      type = r.Field(c_type);
    }
    p.dept = depts.Get(dept);
    if (p.dept == h.dept_names.size()) h.dept_names.emplace_back(dept);
    key = fmt::format("{}\x1f{}", p.dept, cat);
    p.cat = cats.Get(key);
    if (p.cat == h.cat_names.size()) {
      h.cat_names.emplace_back(cat);
      h.cat_dept.push_back(p.dept);
    }
    key = fmt::format("{}\x1f{}", p.cat, type);
    p.type = types.Get(key);
    if (p.type == h.type_names.size()) {
      h.type_names.emplace_back(type);
      h.type_cat.push_back(p.cat);
    }
    if (r.IsMissing(c_brand)) {
      ++no_brand;
    } else {
      const std::string_view brand = r.Field(c_brand);
      if (brand == "Private") {
        p.national = false;
      } else if (brand != "National") {
        r.Fail(c_brand, fmt::format("expected 'National' or 'Private', found '{}'", brand));
      }
    }
    if (!r.IsMissing(c_size)) p.package_size = std::string(r.Field(c_size));
    const auto [it, fresh] = index.emplace(p.id, static_cast<uint32_t>(products.size()));
    if (!fresh) {
      r.Fail(c_id,
             fmt::format("duplicate product_id {} (first on data row {})", p.id, it->second + 1));
    }
    products.push_back(std::move(p));
  }
  if (no_cat + no_type > 0) {
    warnings.push_back(fmt::format(
        "products.csv: {} products without product_category and {} without product_type were "
        "filed under 'UNKNOWN' within their department",
        no_cat, no_type));
  }
  if (no_dept > 0) {
    warnings.push_back(fmt::format(
        "products.csv: {} products without department were filed under 'UNKNOWN'", no_dept));
  }
  if (no_brand > 0) {
    warnings.push_back(fmt::format(
        "products.csv: {} products without brand were treated as national brands", no_brand));
  }
  if (no_man > 0) {
    warnings.push_back(fmt::format(
        "products.csv: {} products without manufacturer_id were given manufacturer 0", no_man));
  }
}

void ReadTransactions(const std::filesystem::path& dir,
                      const std::unordered_map<uint64_t, uint32_t>& product_index,
                      std::vector<Line>& lines, std::vector<uint64_t>& household_ids) {
  CsvReader r(dir / "transactions_sample.csv", CjHint());
  const int c_hh = r.Column("household_id"), c_basket = r.Column("basket_id"),
            c_prod = r.Column("product_id"), c_qty = r.Column("quantity"),
            c_sales = r.Column("sales_value"), c_retail = r.Column("retail_disc"),
            c_match = r.Column("coupon_match_disc"), c_ts = r.Column("transaction_timestamp");
  std::unordered_map<uint64_t, uint32_t> hh_index;
  while (r.Next()) {
    Line l;
    const uint64_t hh = r.GetUInt(c_hh);
    const auto [it, fresh] = hh_index.emplace(hh, static_cast<uint32_t>(household_ids.size()));
    if (fresh) household_ids.push_back(hh);
    l.hh = it->second;
    l.basket = r.GetUInt(c_basket);
    l.product_id = r.GetUInt(c_prod);
    const auto p = product_index.find(l.product_id);
    if (p != product_index.end()) l.prod = p->second;
    l.qty = r.GetDouble(c_qty);
    l.sales = r.GetDouble(c_sales);
    // Missing discounts mean no discount.
    l.retail = r.GetOptDouble(c_retail).value_or(0.0);
    l.match = r.GetOptDouble(c_match).value_or(0.0);
    const std::string_view ts = r.Field(c_ts);
    if (!ParseTimestamp(ts, l.ts)) {
      if (r.IsMissing(c_ts)) r.Fail(c_ts, "missing value");
      r.Fail(c_ts, fmt::format("cannot parse '{}' as a timestamp (YYYY-MM-DD HH:MM:SS)", ts));
    }
    lines.push_back(l);
  }
}

// (household_id, campaign_id) pairs of a two-column file, sorted and unique.
std::vector<std::pair<uint64_t, uint64_t>> ReadCampaignPairs(const std::filesystem::path& path) {
  CsvReader r(path, CjHint());
  const int c_hh = r.Column("household_id"), c_campaign = r.Column("campaign_id");
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  while (r.Next()) pairs.emplace_back(r.GetUInt(c_hh), r.GetUInt(c_campaign));
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

// "3", "3+" → 3; missing → -1.
int ReadCount(const CsvReader& r, int col) {
  if (r.IsMissing(col)) return -1;
  std::string_view f = r.Field(col);
  if (!f.empty() && f.back() == '+') f.remove_suffix(1);
  int v = 0;
  if (f.empty() || f.size() > 6)
    r.Fail(col, fmt::format("cannot parse '{}' as a count", r.Field(col)));
  for (char c : f) {
    if (c < '0' || c > '9') {
      r.Fail(col, fmt::format("cannot parse '{}' as a count", r.Field(col)));
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

RealData LoadCompleteJourney(const std::filesystem::path& dir, const LoadOptions& options) {
  if (!(options.unsold_share >= 0.0 && options.unsold_share <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("LoadOptions::unsold_share must be in [0, 1], got {}", options.unsold_share));
  }
  RealData out;
  std::vector<std::string>& warnings = out.warnings;
  DataStats& stats = out.stats;

  // ---- Read the files. -------------------------------------------------------------------
  std::vector<SrcProduct> products;
  std::unordered_map<uint64_t, uint32_t> product_index;
  SrcHierarchy src;
  ReadProducts(dir, products, product_index, src, warnings);

  std::vector<Line> lines;
  std::vector<uint64_t> household_ids;  // by first appearance
  ReadTransactions(dir, product_index, lines, household_ids);

  // Demographics, keyed by household id.
  struct Demo {
    std::string age, income;
    int kids = -1, size = -1;
  };
  std::unordered_map<uint64_t, Demo> demographics;
  {
    CsvReader r(dir / "demographics.csv", CjHint());
    const int c_hh = r.Column("household_id"), c_age = r.Column("age"),
              c_income = r.Column("income"), c_size = r.Column("household_size"),
              c_kids = r.Column("kids_count");
    while (r.Next()) {
      Demo d;
      d.age = r.GetOptString(c_age).value_or("");
      d.income = r.GetOptString(c_income).value_or("");
      d.size = ReadCount(r, c_size);
      d.kids = ReadCount(r, c_kids);
      demographics[r.GetUInt(c_hh)] = std::move(d);
    }
  }
  const auto receipts = ReadCampaignPairs(dir / "campaigns.csv");
  const auto redemptions = ReadCampaignPairs(dir / "coupon_redemptions.csv");

  // Households in id order; remap line household indexes to that order.
  const size_t n_households = household_ids.size();
  std::vector<uint32_t> hh_order(n_households);
  std::iota(hh_order.begin(), hh_order.end(), 0u);
  std::sort(hh_order.begin(), hh_order.end(),
            [&](uint32_t a, uint32_t b) { return household_ids[a] < household_ids[b]; });
  {
    std::vector<uint32_t> rank(n_households);
    for (size_t i = 0; i < n_households; ++i) rank[hh_order[i]] = static_cast<uint32_t>(i);
    for (Line& l : lines) l.hh = rank[l.hh];
    std::vector<uint64_t> sorted(n_households);
    for (size_t i = 0; i < n_households; ++i) sorted[i] = household_ids[hh_order[i]];
    household_ids = std::move(sorted);
  }

  // ---- Data-level statistics (over all lines). ---------------------------------------------
  stats.transactions = lines.size();
  stats.households = n_households;
  {
    std::vector<uint64_t> ids;
    ids.reserve(lines.size());
    for (const Line& l : lines) ids.push_back(l.product_id);
    std::sort(ids.begin(), ids.end());
    stats.distinct_products =
        static_cast<uint64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());

    std::vector<uint64_t> baskets;
    baskets.reserve(lines.size());
    for (const Line& l : lines) baskets.push_back(l.basket);
    std::sort(baskets.begin(), baskets.end());
    const auto n_baskets = std::unique(baskets.begin(), baskets.end()) - baskets.begin();
    stats.items_per_basket =
        n_baskets > 0 ? static_cast<double>(lines.size()) / static_cast<double>(n_baskets) : 0.0;

    std::vector<std::pair<uint32_t, uint64_t>> pairs;
    pairs.reserve(lines.size());
    for (const Line& l : lines) pairs.emplace_back(l.hh, l.product_id);
    std::sort(pairs.begin(), pairs.end());
    uint64_t repeats = 0;
    for (size_t i = 0; i < pairs.size();) {
      size_t j = i + 1;
      while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
      if (j - i > 1) {
        ++stats.repeated_pairs;
        repeats += j - i - 1;
      }
      i = j;
    }
    stats.repurchase_share =
        lines.empty() ? 0.0 : static_cast<double>(repeats) / static_cast<double>(lines.size());

    std::vector<double> shelf, paid;
    shelf.reserve(lines.size());
    paid.reserve(lines.size());
    for (const Line& l : lines) {
      if (l.has_price()) shelf.push_back(l.shelf_price());
      if (l.qty > 0) paid.push_back(l.sales / l.qty);
    }
    std::sort(shelf.begin(), shelf.end());
    if (!shelf.empty()) stats.median_unit_price = Quantile(shelf, 0.5);
    for (double p : {0.10, 0.25, 0.50, 0.75, 0.90, 0.99}) {
      stats.unit_price_quantiles.push_back(Quantile(shelf, p));
    }
    if (!paid.empty()) stats.median_paid_unit_price = Median(paid);
    const size_t no_price = lines.size() - shelf.size();
    if (no_price > 0) {
      warnings.push_back(fmt::format(
          "transactions_sample.csv: {} lines with quantity <= 0 or a non-positive shelf value "
          "give no unit price",
          no_price));
    }

    std::vector<double> gmv(src.dept_names.size(), 0.0), orders(src.dept_names.size(), 0.0);
    uint64_t unknown_lines = 0;
    std::unordered_set<uint64_t> unknown_ids;
    for (const Line& l : lines) {
      if (l.prod == kNoId) {
        ++unknown_lines;
        unknown_ids.insert(l.product_id);
        continue;
      }
      const uint32_t d = products[l.prod].dept;
      gmv[d] += std::max(l.sales, 0.0);
      orders[d] += 1;
    }
    stats.department_gmv_share = SortedShares(src.dept_names, gmv);
    stats.department_order_share = SortedShares(src.dept_names, orders);
    if (unknown_lines > 0) {
      warnings.push_back(fmt::format(
          "transactions_sample.csv: {} lines ({} distinct product ids) reference products absent "
          "from products.csv; they are skipped for prices, categories and repurchase intervals",
          unknown_lines, unknown_ids.size()));
    }

    size_t redeemed = 0;
    for (const auto& p : redemptions) {
      redeemed += std::binary_search(receipts.begin(), receipts.end(), p);
    }
    stats.coupon_redemption_rate =
        receipts.empty() ? 0.0
                         : static_cast<double>(redeemed) / static_cast<double>(receipts.size());
    if (redeemed < redemptions.size()) {
      warnings.push_back(fmt::format(
          "coupon_redemptions.csv: {} (household, campaign) redemptions have no matching receipt "
          "in campaigns.csv and are not counted",
          redemptions.size() - redeemed));
    }
  }

  // ---- Observed shelf prices per product. ------------------------------------------------------
  {
    std::vector<std::pair<uint32_t, double>> prices;
    prices.reserve(lines.size());
    for (const Line& l : lines) {
      if (l.prod != kNoId && l.has_price()) prices.emplace_back(l.prod, l.shelf_price());
    }
    std::sort(prices.begin(), prices.end());
    std::vector<double> v;
    for (size_t i = 0; i < prices.size();) {
      size_t j = i;
      v.clear();
      while (j < prices.size() && prices[j].first == prices[i].first)
        v.push_back(prices[j++].second);
      SrcProduct& p = products[prices[i].first];
      p.observed = true;
      p.price = Median(v);
      i = j;
    }
  }

  // ---- Repurchase intervals by product type. ---------------------------------------------------
  // Occasions are distinct baskets; intervals are days between consecutive occasions of the same
  // (household, type).
  std::vector<std::vector<double>> type_intervals(src.type_names.size());
  struct HouseholdTypeMean {
    uint32_t hh, type;
    double mean_days;
  };
  std::vector<HouseholdTypeMean> hh_type_means;
  {
    struct Occ {
      uint32_t type, hh;
      int64_t ts;
      uint64_t basket;
      auto operator<=>(const Occ&) const = default;
    };
    std::vector<Occ> occ;
    occ.reserve(lines.size());
    for (const Line& l : lines) {
      if (l.prod != kNoId) occ.push_back({products[l.prod].type, l.hh, l.ts, l.basket});
    }
    std::sort(occ.begin(), occ.end());
    for (size_t i = 0; i < occ.size();) {
      size_t j = i + 1;
      while (j < occ.size() && occ[j].type == occ[i].type && occ[j].hh == occ[i].hh) ++j;
      double sum = 0;
      size_t n = 0;
      for (size_t k = i + 1; k < j; ++k) {
        if (occ[k].basket == occ[k - 1].basket) continue;
        const double days = static_cast<double>(occ[k].ts - occ[k - 1].ts) / kSecondsPerDay;
        type_intervals[occ[i].type].push_back(days);
        sum += days;
        ++n;
      }
      if (n > 0) hh_type_means.push_back({occ[i].hh, occ[i].type, sum / static_cast<double>(n)});
      i = j;
    }
  }
  std::vector<float> type_repurchase_days(src.type_names.size(), 0.0f);
  std::vector<bool> type_consumable(src.type_names.size(), false);
  for (size_t t = 0; t < type_intervals.size(); ++t) {
    if (type_intervals[t].empty()) continue;
    type_consumable[t] = type_intervals[t].size() >= kConsumableMinIntervals;
    type_repurchase_days[t] = static_cast<float>(Median(type_intervals[t]));
  }

  // ---- Catalogue selection. --------------------------------------------------------------------
  std::vector<uint32_t> sold, unsold;  // source indexes in product-id order
  {
    std::vector<uint32_t> by_id(products.size());
    std::iota(by_id.begin(), by_id.end(), 0u);
    std::sort(by_id.begin(), by_id.end(),
              [&](uint32_t a, uint32_t b) { return products[a].id < products[b].id; });
    for (uint32_t i : by_id) (products[i].observed ? sold : unsold).push_back(i);
  }
  std::vector<uint32_t> selected;
  {
    const size_t total = std::min(options.max_products, products.size());
    size_t want_unsold = static_cast<size_t>(
        std::llround(static_cast<double>(options.max_products) * options.unsold_share));
    want_unsold = std::min(want_unsold, total);
    size_t want_sold = total - want_unsold;
    if (want_sold > sold.size()) {
      want_unsold += want_sold - sold.size();
      want_sold = sold.size();
    }
    if (want_unsold > unsold.size()) {
      want_sold += want_unsold - unsold.size();
      want_unsold = unsold.size();
    }
    RandomStream rng(options.seed, "loader.selection");
    const auto a = Sample(sold, want_sold, rng);
    const auto b = Sample(unsold, want_unsold, rng);
    selected.resize(a.size() + b.size());
    std::merge(a.begin(), a.end(), b.begin(), b.end(), selected.begin(),
               [&](uint32_t x, uint32_t y) { return products[x].id < products[y].id; });
    if (total < options.max_products) {
      warnings.push_back(fmt::format("catalogue: only {} products available, fewer than {}", total,
                                     options.max_products));
    }
  }

  // ---- Catalogue tables: only the departments, categories and types in use. ---------------------
  Catalogue& cat = out.catalogue;
  std::vector<uint32_t> dept_map(src.dept_names.size(), kNoId),
      cat_map(src.cat_names.size(), kNoId), type_map(src.type_names.size(), kNoId);
  {
    std::vector<uint32_t> used_types;
    for (uint32_t i : selected) used_types.push_back(products[i].type);
    std::sort(used_types.begin(), used_types.end());
    used_types.erase(std::unique(used_types.begin(), used_types.end()), used_types.end());
    std::vector<uint32_t> used_cats, used_depts;
    for (uint32_t t : used_types) used_cats.push_back(src.type_cat[t]);
    std::sort(used_cats.begin(), used_cats.end());
    used_cats.erase(std::unique(used_cats.begin(), used_cats.end()), used_cats.end());
    for (uint32_t c : used_cats) used_depts.push_back(src.cat_dept[c]);
    std::sort(used_depts.begin(), used_depts.end());
    used_depts.erase(std::unique(used_depts.begin(), used_depts.end()), used_depts.end());

    // Order by name (departments), then (department, name), then (category, name).
    std::sort(used_depts.begin(), used_depts.end(),
              [&](uint32_t a, uint32_t b) { return src.dept_names[a] < src.dept_names[b]; });
    for (uint32_t d : used_depts) {
      dept_map[d] = static_cast<uint32_t>(cat.departments.size());
      cat.departments.push_back(src.dept_names[d]);
    }
    std::sort(used_cats.begin(), used_cats.end(), [&](uint32_t a, uint32_t b) {
      const uint32_t da = dept_map[src.cat_dept[a]], db = dept_map[src.cat_dept[b]];
      return da != db ? da < db : src.cat_names[a] < src.cat_names[b];
    });
    for (uint32_t c : used_cats) {
      cat_map[c] = static_cast<uint32_t>(cat.categories.size());
      cat.categories.push_back(src.cat_names[c]);
      cat.category_department.push_back(dept_map[src.cat_dept[c]]);
    }
    std::sort(used_types.begin(), used_types.end(), [&](uint32_t a, uint32_t b) {
      const uint32_t ca = cat_map[src.type_cat[a]], cb = cat_map[src.type_cat[b]];
      return ca != cb ? ca < cb : src.type_names[a] < src.type_names[b];
    });
    for (uint32_t t : used_types) {
      type_map[t] = static_cast<uint32_t>(cat.types.size());
      cat.types.push_back(src.type_names[t]);
      cat.type_category.push_back(cat_map[src.type_cat[t]]);
    }
  }

  // ---- Products: prices, costs, repurchase cycle. ----------------------------------------------
  {
    // Empirical price pools (observed per-product median prices) by type, category, department.
    std::vector<std::vector<double>> by_type(src.type_names.size()), by_cat(src.cat_names.size()),
        by_dept(src.dept_names.size());
    std::vector<double> all;
    for (uint32_t i : sold) {  // product-id order: draws do not depend on the file's row order
      const SrcProduct& p = products[i];
      by_type[p.type].push_back(p.price);
      by_cat[p.cat].push_back(p.price);
      by_dept[p.dept].push_back(p.price);
      all.push_back(p.price);
    }
    RandomStream price_rng(options.seed, "loader.prices");
    RandomStream margin_rng(options.seed, "loader.margins");
    cat.products.reserve(selected.size());
    for (uint32_t i : selected) {
      const SrcProduct& s = products[i];
      Product p;
      p.id = static_cast<ProductId>(cat.products.size());
      p.source_id = s.id;
      p.department = dept_map[s.dept];
      p.category = cat_map[s.cat];
      p.type = type_map[s.type];
      p.national_brand = s.national;
      p.package_size = s.package_size;
      double price = s.price;
      p.price_observed = s.observed;
      if (!s.observed) {
        const std::vector<double>* pool = &by_type[s.type];
        if (pool->empty()) pool = &by_cat[s.cat];
        if (pool->empty()) pool = &by_dept[s.dept];
        if (pool->empty()) pool = &all;
        price = pool->empty() ? 1.0 : (*pool)[price_rng.Below(pool->size())];
      }
      p.shelf_price = Money::FromUnits(price);
      if (p.shelf_price.micros() < 1000) p.shelf_price = Money::Micros(1000);  // >= 0.001
      const double mean = std::clamp(
          DepartmentMargin(src.dept_names[s.dept]) + (s.national ? 0.0 : kPrivateLabelMarginBonus),
          0.01, 0.99);
      double margin =
          margin_rng.Beta(mean * kMarginConcentration, (1 - mean) * kMarginConcentration);
      margin = std::clamp(margin, kMinMargin, kMaxMargin);
      Money cost = p.shelf_price.Scale(1.0 - margin);
      cost = std::clamp(cost, Money::Micros(1), p.shelf_price - Money::Micros(1));
      p.unit_cost = cost;
      p.consumable = type_consumable[s.type];
      p.repurchase_days = type_repurchase_days[s.type];
      cat.products.push_back(std::move(p));
    }
  }

  // ---- Merchants from manufacturers. -----------------------------------------------------------
  {
    std::unordered_map<uint64_t, size_t> counts;
    for (uint32_t i : selected) ++counts[products[i].manufacturer];
    std::vector<std::pair<uint64_t, size_t>> ranked(counts.begin(), counts.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    const size_t k = std::min(options.merchants, ranked.size());
    std::unordered_map<uint64_t, MerchantId> merchant_of;
    for (size_t m = 0; m < k; ++m) {
      Merchant merchant;
      merchant.id = static_cast<MerchantId>(m);
      merchant.source_id = ranked[m].first;
      merchant.name = fmt::format("M{}", ranked[m].first);
      cat.merchants.push_back(std::move(merchant));
      merchant_of[ranked[m].first] = static_cast<MerchantId>(m);
    }
    for (size_t n = 0; k > 0 && n < cat.products.size(); ++n) {  // merchants = 0: none
      const uint64_t man = products[selected[n]].manufacturer;
      const auto it = merchant_of.find(man);
      cat.products[n].merchant =
          it != merchant_of.end() ? it->second : static_cast<MerchantId>(Mix64(man) % k);
    }
  }
  cat.Reindex();

  // ---- Household profiles. ---------------------------------------------------------------------
  {
    int64_t t_min = 0, t_max = 0;
    if (!lines.empty()) {
      const auto [lo, hi] = std::minmax_element(
          lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.ts < b.ts; });
      t_min = lo->ts;
      t_max = hi->ts;
    }
    const double weeks = std::max(1.0, static_cast<double>(t_max - t_min) / (7.0 * kSecondsPerDay));

    struct Acc {
      uint64_t lines = 0, discounted = 0, priced = 0;
      double price_sum = 0;
      std::vector<uint64_t> baskets;
      std::vector<std::pair<uint32_t, double>> spend;  // catalogue category, sales
    };
    std::vector<Acc> acc(n_households);
    double spend_total = 0, spend_dropped = 0;
    for (const Line& l : lines) {
      Acc& a = acc[l.hh];
      ++a.lines;
      a.discounted += l.retail > 0;
      if (l.has_price()) {
        ++a.priced;
        a.price_sum += l.shelf_price();
      }
      a.baskets.push_back(l.basket);
      if (l.prod == kNoId) continue;
      const double s = std::max(l.sales, 0.0);
      spend_total += s;
      const uint32_t c = cat_map[products[l.prod].cat];
      if (c == kNoId) {
        spend_dropped += s;
      } else {
        a.spend.emplace_back(c, s);
      }
    }
    if (spend_dropped > 0) {
      warnings.push_back(fmt::format(
          "households: {:.2f}% of spend is on categories absent from the selected catalogue and "
          "was left out of category_shares",
          100.0 * spend_dropped / spend_total));
    }

    std::vector<uint64_t> received(n_households, 0), redeemed(n_households, 0);
    auto hh_rank = [&](uint64_t id) -> int64_t {
      const auto it = std::lower_bound(household_ids.begin(), household_ids.end(), id);
      return it != household_ids.end() && *it == id ? it - household_ids.begin() : -1;
    };
    for (const auto& p : receipts) {
      if (const int64_t h = hh_rank(p.first); h >= 0) ++received[h];
    }
    for (const auto& p : redemptions) {
      if (!std::binary_search(receipts.begin(), receipts.end(), p)) continue;
      if (const int64_t h = hh_rank(p.first); h >= 0) ++redeemed[h];
    }

    out.households.resize(n_households);
    for (size_t h = 0; h < n_households; ++h) {
      HouseholdProfile& hp = out.households[h];
      Acc& a = acc[h];
      hp.household_id = household_ids[h];
      std::sort(a.baskets.begin(), a.baskets.end());
      const auto n_baskets =
          static_cast<size_t>(std::unique(a.baskets.begin(), a.baskets.end()) - a.baskets.begin());
      hp.baskets_per_week = static_cast<float>(static_cast<double>(n_baskets) / weeks);
      hp.items_per_basket =
          n_baskets > 0
              ? static_cast<float>(static_cast<double>(a.lines) / static_cast<double>(n_baskets))
              : 0.0f;
      hp.mean_unit_price =
          a.priced > 0 ? static_cast<float>(a.price_sum / static_cast<double>(a.priced)) : 0.0f;
      hp.discount_sensitivity =
          a.lines > 0
              ? static_cast<float>(static_cast<double>(a.discounted) / static_cast<double>(a.lines))
              : 0.0f;
      hp.coupon_sensitivity = received[h] > 0
                                  ? static_cast<float>(static_cast<double>(redeemed[h]) /
                                                       static_cast<double>(received[h]))
                                  : 0.0f;
      std::sort(a.spend.begin(), a.spend.end());
      double total = 0;
      for (const auto& [c, s] : a.spend) total += s;
      if (total > 0) {
        for (size_t i = 0; i < a.spend.size();) {
          double sum = 0;
          size_t j = i;
          while (j < a.spend.size() && a.spend[j].first == a.spend[i].first)
            sum += a.spend[j++].second;
          if (sum > 0)
            hp.category_shares.emplace_back(a.spend[i].first, static_cast<float>(sum / total));
          i = j;
        }
        std::sort(hp.category_shares.begin(), hp.category_shares.end(),
                  [](const auto& x, const auto& y) {
                    return x.second != y.second ? x.second > y.second : x.first < y.first;
                  });
      }
      a = Acc{};  // release memory early
      if (const auto it = demographics.find(hp.household_id); it != demographics.end()) {
        hp.age = it->second.age;
        hp.income = it->second.income;
        hp.kids_count = it->second.kids;
        hp.household_size = it->second.size;
      }
    }
    for (const HouseholdTypeMean& m : hh_type_means) {
      const uint32_t t = type_map[m.type];
      if (t == kNoId) continue;
      out.households[m.hh].repurchase_days.emplace_back(t, static_cast<float>(m.mean_days));
    }
    for (HouseholdProfile& hp : out.households) {
      std::sort(hp.repurchase_days.begin(), hp.repurchase_days.end());
    }
    size_t unmatched = 0;
    for (const auto& [id, d] : demographics) unmatched += hh_rank(id) < 0;
    if (unmatched > 0) {
      warnings.push_back(fmt::format(
          "demographics.csv: {} households do not appear in the transactions and are ignored",
          unmatched));
    }
  }
  return out;
}

}  // namespace cf
