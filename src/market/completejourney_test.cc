#include "market/completejourney.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>

namespace cf {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Small fixture files.

const char* kProducts =
    "\"product_id\",\"manufacturer_id\",\"department\",\"brand\",\"product_category\","
    "\"product_type\",\"package_size\"\n"
    "\"1\",\"10\",\"GROCERY\",\"National\",\"SOUP\",\"CANNED SOUP\",\"10 OZ\"\n"
    "\"2\",\"10\",\"GROCERY\",\"Private\",\"SOUP\",\"CANNED SOUP\",NA\n"
    "\"3\",\"20\",\"PRODUCE\",\"National\",\"FRUIT\",\"APPLES\",NA\n"
    "\"4\",\"30\",\"MISCELLANEOUS\",\"National\",NA,NA,NA\n"
    "\"5\",\"40\",\"GROCERY\",\"National\",\"SOUP\",\"CANNED SOUP\",\"12 OZ\"\n"
    "\"6\",\"50\",\"PRODUCE\",\"National\",\"FRUIT\",\"PEARS\",NA\n";

const char* kTransactionsHeader =
    "\"household_id\",\"store_id\",\"basket_id\",\"product_id\",\"quantity\",\"sales_value\","
    "\"retail_disc\",\"coupon_disc\",\"coupon_match_disc\",\"week\",\"transaction_timestamp\"\n";

const char* kTransactionsBody =
    "\"100\",\"1\",\"1000\",\"1\",1,1.5,0.5,0,0,1,2017-01-01 10:00:00\n"
    "\"100\",\"1\",\"1000\",\"3\",2,3,0,0,0,1,2017-01-01 10:00:00\n"
    "\"100\",\"1\",\"1001\",\"1\",1,2,0,0,0,2,2017-01-08 10:00:00\n"
    "\"100\",\"1\",\"1002\",\"2\",1,1,0,0,0,3,2017-01-15 10:00:00\n"
    "\"200\",\"1\",\"2000\",\"3\",1,1.2,0.3,0,0,1,2017-01-02 09:00:00\n"
    "\"200\",\"1\",\"2001\",\"999\",1,5,0,0,0,1,2017-01-03 09:00:00\n"
    "\"200\",\"1\",\"2002\",\"4\",0,0,0,0,0,1,2017-01-04 09:00:00\n";

const char* kDemographics =
    "\"household_id\",\"age\",\"income\",\"home_ownership\",\"marital_status\",\"household_size\","
    "\"household_comp\",\"kids_count\"\n"
    "\"100\",\"45-54\",\"50-74K\",\"Homeowner\",NA,\"5+\",\"2 Adults Kids\",\"3+\"\n";

const char* kCampaigns =
    "\"campaign_id\",\"household_id\"\n\"1\",\"100\"\n\"2\",\"100\"\n\"1\",\"200\"\n";

const char* kRedemptions =
    "\"household_id\",\"coupon_upc\",\"campaign_id\",\"redemption_date\"\n"
    "\"100\",\"51380041013\",\"1\",2017-01-05\n"
    "\"100\",\"51380041014\",\"1\",2017-01-06\n";

class FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("cf_cj_test_") + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
    files_ = {{"products.csv", kProducts},
              {"transactions_sample.csv", std::string(kTransactionsHeader) + kTransactionsBody},
              {"demographics.csv", kDemographics},
              {"campaigns.csv", kCampaigns},
              {"coupon_redemptions.csv", kRedemptions}};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void WriteAll() {
    for (const auto& [name, content] : files_) std::ofstream(dir_ / name) << content;
  }
  std::string LoadError(const LoadOptions& o = {}) {
    WriteAll();
    try {
      LoadCompleteJourney(dir_, o);
    } catch (const CsvError& e) {
      return e.what();
    }
    return "";
  }
  static LoadOptions Small() {
    LoadOptions o;
    o.max_products = 6;
    o.unsold_share = 0.5;
    o.merchants = 2;
    o.seed = 7;
    return o;
  }
  fs::path dir_;
  std::map<std::string, std::string> files_;
};

const Product* BySource(const Catalogue& c, uint64_t source_id) {
  for (const Product& p : c.products) {
    if (p.source_id == source_id) return &p;
  }
  return nullptr;
}

TEST_F(FixtureTest, LoadsSmallFilesWithDocumentedDerivations) {
  WriteAll();
  const RealData d = LoadCompleteJourney(dir_, Small());
  const Catalogue& c = d.catalogue;

  // Stats over all lines (including the line of unknown product 999).
  EXPECT_EQ(d.stats.transactions, 7u);
  EXPECT_EQ(d.stats.households, 2u);
  EXPECT_EQ(d.stats.distinct_products, 5u);
  EXPECT_EQ(d.stats.repeated_pairs, 1u);  // (100, product 1)
  EXPECT_NEAR(d.stats.repurchase_share, 1.0 / 7, 1e-12);
  EXPECT_NEAR(d.stats.items_per_basket, 7.0 / 6, 1e-12);
  // Shelf prices of priced lines: 2, 1.5, 2, 1, 1.5, 5 → median 1.75.
  EXPECT_NEAR(d.stats.median_unit_price, 1.75, 1e-12);
  EXPECT_NEAR(d.stats.coupon_redemption_rate, 1.0 / 3, 1e-12);
  ASSERT_EQ(d.stats.unit_price_quantiles.size(), 6u);
  EXPECT_NEAR(d.stats.unit_price_quantiles[2], 1.75, 1e-12);

  // Catalogue: all six products, dense ids, sorted by source id.
  ASSERT_EQ(c.products.size(), 6u);
  for (size_t i = 0; i < c.products.size(); ++i) {
    EXPECT_EQ(c.products[i].id, i);
    EXPECT_EQ(c.products[i].source_id, i + 1);
  }
  EXPECT_EQ(BySource(c, 1)->shelf_price, Money::FromUnits(2.0));  // (1.5+0.5)/1 and 2/1
  EXPECT_TRUE(BySource(c, 1)->price_observed);
  EXPECT_EQ(BySource(c, 3)->shelf_price, Money::FromUnits(1.5));
  EXPECT_FALSE(BySource(c, 2)->national_brand);
  EXPECT_EQ(BySource(c, 1)->package_size, "10 OZ");
  // Product 4 only has a quantity-0 line: no price, treated as never sold.
  EXPECT_FALSE(BySource(c, 4)->price_observed);
  // Product 6 (PEARS) has no observed type peers: drawn from its category FRUIT = {1.5}.
  EXPECT_EQ(BySource(c, 6)->shelf_price, Money::FromUnits(1.5));
  // Product 5 (CANNED SOUP): drawn from {2.0, 1.0}.
  const Money p5 = BySource(c, 5)->shelf_price;
  EXPECT_TRUE(p5 == Money::FromUnits(2.0) || p5 == Money::FromUnits(1.0)) << p5.ToString();
  for (const Product& p : c.products) {
    EXPECT_GT(p.unit_cost, Money::Zero());
    EXPECT_LT(p.unit_cost, p.shelf_price);
  }
  // CANNED SOUP occasions of household 100 at days 0, 7, 14 → intervals 7, 7.
  EXPECT_FLOAT_EQ(BySource(c, 1)->repurchase_days, 7.0f);
  EXPECT_FALSE(BySource(c, 1)->consumable);  // fewer than 5 intervals
  EXPECT_EQ(BySource(c, 3)->repurchase_days, 0.0f);

  // Hierarchy: UNKNOWN category and type within MISCELLANEOUS.
  const Product& p4 = *BySource(c, 4);
  EXPECT_EQ(c.departments[p4.department], "MISCELLANEOUS");
  EXPECT_EQ(c.categories[p4.category], "UNKNOWN");
  EXPECT_EQ(c.types[p4.type], "UNKNOWN");
  EXPECT_EQ(c.category_department[p4.category], p4.department);
  EXPECT_EQ(c.type_category[p4.type], p4.category);
  EXPECT_EQ(c.departments.size(), 3u);
  EXPECT_EQ(c.categories.size(), 3u);
  EXPECT_EQ(c.types.size(), 4u);

  // Merchants: manufacturer 10 (2 products) and 20 (ties broken by smaller id).
  ASSERT_EQ(c.merchants.size(), 2u);
  EXPECT_EQ(c.merchants[0].source_id, 10u);
  EXPECT_EQ(c.merchants[0].name, "M10");
  EXPECT_EQ(c.merchants[1].source_id, 20u);
  size_t listed = 0;
  for (const Merchant& m : c.merchants) listed += m.products.size();
  EXPECT_EQ(listed, 6u);
  EXPECT_EQ(BySource(c, 1)->merchant, 0u);
  EXPECT_EQ(BySource(c, 3)->merchant, 1u);

  // Households.
  ASSERT_EQ(d.households.size(), 2u);
  const HouseholdProfile& h = d.households[0];
  EXPECT_EQ(h.household_id, 100u);
  EXPECT_NEAR(h.items_per_basket, 4.0f / 3, 1e-6);
  EXPECT_NEAR(h.discount_sensitivity, 0.25f, 1e-6);
  EXPECT_NEAR(h.coupon_sensitivity, 0.5f, 1e-6);  // redeemed campaign 1 of {1, 2}
  EXPECT_NEAR(h.mean_unit_price, (2.0 + 1.5 + 2.0 + 1.0) / 4, 1e-6);
  EXPECT_EQ(h.age, "45-54");
  EXPECT_EQ(h.income, "50-74K");
  EXPECT_EQ(h.household_size, 5);
  EXPECT_EQ(h.kids_count, 3);
  // Spend: SOUP 1.5 + 2 + 1 = 4.5, FRUIT 3 → 0.6 / 0.4.
  ASSERT_EQ(h.category_shares.size(), 2u);
  EXPECT_EQ(c.categories[h.category_shares[0].first], "SOUP");
  EXPECT_NEAR(h.category_shares[0].second, 0.6f, 1e-6);
  EXPECT_NEAR(h.category_shares[1].second, 0.4f, 1e-6);
  ASSERT_EQ(h.repurchase_days.size(), 1u);
  EXPECT_EQ(c.types[h.repurchase_days[0].first], "CANNED SOUP");
  EXPECT_NEAR(h.repurchase_days[0].second, 7.0f, 1e-5);
  const HouseholdProfile& g = d.households[1];
  EXPECT_EQ(g.household_id, 200u);
  EXPECT_EQ(g.age, "");
  EXPECT_EQ(g.kids_count, -1);
  EXPECT_EQ(g.coupon_sensitivity, 0.0f);

  // Warnings: the UNKNOWN hierarchy, the unknown product, the unpriced line.
  auto has = [&](const std::string& s) {
    return std::any_of(d.warnings.begin(), d.warnings.end(),
                       [&](const std::string& w) { return w.find(s) != std::string::npos; });
  };
  EXPECT_TRUE(has("1 products without product_category and 1 without product_type"));
  EXPECT_TRUE(has("1 lines (1 distinct product ids) reference products absent"));
  EXPECT_TRUE(has("1 lines with quantity <= 0"));
}

TEST_F(FixtureTest, SelectionFillsFromTheOtherKindAndIsDeterministic) {
  WriteAll();
  LoadOptions o = Small();
  o.max_products = 4;
  o.unsold_share = 0.0;  // wants 4 sold, only 3 exist → one never-sold product fills in
  RealData a = LoadCompleteJourney(dir_, o);
  ASSERT_EQ(a.catalogue.products.size(), 4u);
  EXPECT_EQ(std::count_if(a.catalogue.products.begin(), a.catalogue.products.end(),
                          [](const Product& p) { return p.price_observed; }),
            3);
  RealData b = LoadCompleteJourney(dir_, o);
  ASSERT_EQ(b.catalogue.products.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.catalogue.products[i].source_id, b.catalogue.products[i].source_id);
    EXPECT_EQ(a.catalogue.products[i].unit_cost, b.catalogue.products[i].unit_cost);
  }
  o.merchants = 0;  // no merchants: products have none
  const RealData none = LoadCompleteJourney(dir_, o);
  EXPECT_TRUE(none.catalogue.merchants.empty());
  EXPECT_EQ(none.catalogue.products[0].merchant, kNoId);
  // More merchants than manufacturers: one per manufacturer of the 4 selected products, i.e.
  // 1 and 2 (maker 10), 3 (maker 20) and one of 4-6 (its own maker).
  o.merchants = 50;
  EXPECT_EQ(LoadCompleteJourney(dir_, o).catalogue.merchants.size(), 3u);
  o.max_products = 100;  // more than exist
  RealData all = LoadCompleteJourney(dir_, o);
  EXPECT_EQ(all.catalogue.products.size(), 6u);
  EXPECT_TRUE(std::any_of(all.warnings.begin(), all.warnings.end(), [](const std::string& w) {
    return w.find("only 6 products available") != std::string::npos;
  }));
}

TEST_F(FixtureTest, MalformedQuantityNamesFileAndLine) {
  files_["transactions_sample.csv"] =
      std::string(kTransactionsHeader) +
      "\"100\",\"1\",\"1000\",\"1\",1,1.5,0.5,0,0,1,2017-01-01 10:00:00\n"
      "\"100\",\"1\",\"1000\",\"3\",two,3,0,0,0,1,2017-01-01 10:00:00\n";
  const std::string msg = LoadError();
  EXPECT_NE(
      msg.find("transactions_sample.csv:3: column 'quantity': cannot parse 'two' as a number"),
      std::string::npos)
      << msg;
  EXPECT_NE(msg.find(dir_.string()), std::string::npos) << msg;
}

TEST_F(FixtureTest, MalformedTimestampBrandAndFieldCount) {
  files_["transactions_sample.csv"] =
      std::string(kTransactionsHeader) +
      "\"100\",\"1\",\"1000\",\"1\",1,1.5,0.5,0,0,1,2017-13-01 10:00:00\n";
  std::string msg = LoadError();
  EXPECT_NE(msg.find("transactions_sample.csv:2: column 'transaction_timestamp': cannot parse "
                     "'2017-13-01 10:00:00' as a timestamp"),
            std::string::npos)
      << msg;

  SetUp();
  files_["products.csv"] =
      std::string(kProducts) + "\"7\",\"1\",\"GROCERY\",\"Generic\",NA,NA,NA\n";
  msg = LoadError();
  EXPECT_NE(msg.find("products.csv:8: column 'brand'"), std::string::npos) << msg;

  SetUp();
  files_["demographics.csv"] = std::string(kDemographics) + "\"200\",\"45-54\"\n";
  msg = LoadError();
  EXPECT_NE(msg.find("demographics.csv:3: expected 8 fields"), std::string::npos) << msg;

  SetUp();
  files_["products.csv"] =
      std::string(kProducts) + "\"1\",\"1\",\"GROCERY\",\"National\",NA,NA,NA\n";
  msg = LoadError();
  EXPECT_NE(msg.find("products.csv:8: column 'product_id': duplicate product_id 1"),
            std::string::npos)
      << msg;

  SetUp();
  files_["campaigns.csv"] = "\"campaign\",\"household_id\"\n\"1\",\"100\"\n";
  msg = LoadError();
  EXPECT_NE(
      msg.find("campaigns.csv: no column 'campaign_id'; columns found: campaign, household_id"),
      std::string::npos)
      << msg;
}

TEST_F(FixtureTest, MissingFileGivesPathAndWhatToDo) {
  files_.erase("demographics.csv");
  const std::string msg = LoadError();
  EXPECT_NE(msg.find("cannot open " + (dir_ / "demographics.csv").string()), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("CHENGFANG_DATA"), std::string::npos) << msg;
  // A folder that does not exist at all fails on the first file.
  try {
    LoadCompleteJourney(dir_ / "absent");
    ADD_FAILURE() << "no error for a missing folder";
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "absent" / "products.csv").string()),
              std::string::npos)
        << e.what();
  }
}

TEST(DefaultDataDir, HonoursEnvironment) {
  const char* old = std::getenv("CHENGFANG_DATA");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  ::setenv("CHENGFANG_DATA", "/some/where", 1);
  EXPECT_EQ(DefaultDataDir(), fs::path("/some/where"));
  EXPECT_EQ(DefaultCompleteJourneyDir(), fs::path("/some/where/completejourney"));
  ::unsetenv("CHENGFANG_DATA");
  EXPECT_FALSE(DefaultDataDir().empty());
  if (saved) ::setenv("CHENGFANG_DATA", saved->c_str(), 1);
}

// ---------------------------------------------------------------------------------------------
// The real files.

fs::path RealDir() { return fs::path(CF_TEST_DATA_DIR) / "completejourney"; }

class RealDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(RealDir() / "transactions_sample.csv")) return;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      data_ = new RealData(LoadCompleteJourney(RealDir()));
    } catch (const std::exception& e) {
      error_ = new std::string(e.what());
      return;
    }
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ info ] LoadCompleteJourney(%s) took %.3f s\n", RealDir().c_str(), seconds_);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
    delete error_;
    error_ = nullptr;
  }
  void SetUp() override {
    if (error_ != nullptr) GTEST_FAIL() << "loading the real data failed: " << *error_;
    if (data_ == nullptr) {
      GTEST_SKIP() << "Complete Journey data not found at " << RealDir().string()
                   << "; put the shared data in ../shared/data (or set CF_DEFAULT_DATA_DIR at "
                      "configure time) to run the real-data tests";
    }
  }
  static RealData* data_;
  static std::string* error_;
  static double seconds_;
};
RealData* RealDataTest::data_ = nullptr;
std::string* RealDataTest::error_ = nullptr;
double RealDataTest::seconds_ = 0;

TEST_F(RealDataTest, StatsMatchTheDataDescription) {
  const DataStats& s = data_->stats;
  EXPECT_EQ(s.transactions, 75000u);
  EXPECT_EQ(s.households, 2377u);
  EXPECT_EQ(s.distinct_products, 20902u);
  EXPECT_EQ(s.repeated_pairs, 4432u);
  EXPECT_NEAR(s.repurchase_share, 5746.0 / 75000, 1e-9);
  EXPECT_NEAR(s.median_paid_unit_price, 1.94, 0.005);  // the README's "about 1.94"
  EXPECT_NEAR(s.median_unit_price, 2.19, 0.005);       // shelf price, before discounts
  ASSERT_EQ(s.unit_price_quantiles.size(), 6u);
  EXPECT_TRUE(std::is_sorted(s.unit_price_quantiles.begin(), s.unit_price_quantiles.end()));
  EXPECT_DOUBLE_EQ(s.unit_price_quantiles[2], s.median_unit_price);
  EXPECT_NEAR(s.items_per_basket, 75000.0 / 47243, 1e-9);
  EXPECT_NEAR(s.coupon_redemption_rate, 792.0 / 6589, 1e-9);
  for (const auto* shares : {&s.department_gmv_share, &s.department_order_share}) {
    ASSERT_FALSE(shares->empty());
    double sum = 0;
    for (const auto& [name, share] : *shares) sum += share;
    EXPECT_NEAR(sum, 1.0, 1e-9);
    EXPECT_EQ(shares->front().first, "GROCERY");
    EXPECT_TRUE(std::is_sorted(shares->begin(), shares->end(),
                               [](const auto& a, const auto& b) { return a.second > b.second; }));
  }
  EXPECT_LT(seconds_, 3.0 * 10) << "far slower than the ~3 s budget";
}

TEST_F(RealDataTest, CatalogueIsDenseAndConsistent) {
  const Catalogue& c = data_->catalogue;
  ASSERT_EQ(c.products.size(), 20000u);
  size_t observed = 0;
  std::set<uint64_t> sources;
  for (size_t i = 0; i < c.products.size(); ++i) {
    const Product& p = c.products[i];
    EXPECT_EQ(p.id, i);
    sources.insert(p.source_id);
    EXPECT_GT(p.shelf_price, Money::Zero()) << p.source_id;
    EXPECT_GT(p.unit_cost, Money::Zero()) << p.source_id;
    EXPECT_LT(p.unit_cost, p.shelf_price) << p.source_id;
    ASSERT_LT(p.department, c.departments.size());
    ASSERT_LT(p.category, c.categories.size());
    ASSERT_LT(p.type, c.types.size());
    EXPECT_EQ(c.type_category[p.type], p.category);
    EXPECT_EQ(c.category_department[p.category], p.department);
    ASSERT_LT(p.merchant, c.merchants.size());
    observed += p.price_observed;
  }
  EXPECT_EQ(sources.size(), c.products.size());
  EXPECT_EQ(observed, 17000u);  // (1 - 0.15) * 20000
  EXPECT_EQ(c.merchants.size(), 200u);
  size_t by_merchant = 0, by_category = 0;
  for (const Merchant& m : c.merchants) {
    EXPECT_FALSE(m.products.empty()) << m.name;
    by_merchant += m.products.size();
  }
  for (const auto& v : c.products_by_category) by_category += v.size();
  EXPECT_EQ(by_merchant, c.products.size());
  EXPECT_EQ(by_category, c.products.size());
  // Every table entry is used.
  std::vector<bool> used_type(c.types.size());
  for (const Product& p : c.products) used_type[p.type] = true;
  EXPECT_TRUE(std::all_of(used_type.begin(), used_type.end(), [](bool b) { return b; }));
  for (const auto& v : c.products_by_category) EXPECT_FALSE(v.empty());
  // Margins are plausible on average.
  double margin = 0;
  for (const Product& p : c.products) margin += c.Margin(p.id);
  margin /= static_cast<double>(c.products.size());
  EXPECT_GT(margin, 0.25);
  EXPECT_LT(margin, 0.45);
  EXPECT_GT(std::count_if(c.products.begin(), c.products.end(),
                          [](const Product& p) { return p.consumable; }),
            0);
}

TEST_F(RealDataTest, HouseholdProfiles) {
  const auto& hs = data_->households;
  ASSERT_EQ(hs.size(), 2377u);
  EXPECT_TRUE(std::is_sorted(hs.begin(), hs.end(), [](const auto& a, const auto& b) {
    return a.household_id < b.household_id;
  }));
  size_t with_demo = 0, with_shares = 0, with_repurchase = 0;
  for (const HouseholdProfile& h : hs) {
    with_demo += !h.age.empty();
    EXPECT_GT(h.baskets_per_week, 0.0f);
    EXPECT_GE(h.items_per_basket, 1.0f);
    EXPECT_GE(h.discount_sensitivity, 0.0f);
    EXPECT_LE(h.discount_sensitivity, 1.0f);
    EXPECT_GE(h.coupon_sensitivity, 0.0f);
    EXPECT_LE(h.coupon_sensitivity, 1.0f);
    if (!h.category_shares.empty()) {
      ++with_shares;
      float sum = 0;
      for (const auto& [c, share] : h.category_shares) {
        EXPECT_LT(c, data_->catalogue.categories.size());
        sum += share;
      }
      EXPECT_NEAR(sum, 1.0f, 1e-4);
      EXPECT_TRUE(std::is_sorted(h.category_shares.begin(), h.category_shares.end(),
                                 [](const auto& a, const auto& b) { return a.second > b.second; }));
    }
    with_repurchase += !h.repurchase_days.empty();
    for (const auto& [t, days] : h.repurchase_days) {
      EXPECT_LT(t, data_->catalogue.types.size());
      EXPECT_GE(days, 0.0f);
    }
  }
  EXPECT_EQ(with_demo, 801u);
  EXPECT_GT(with_shares, 2300u);
  EXPECT_GT(with_repurchase, 500u);
}

TEST_F(RealDataTest, SameSeedSameCatalogueOtherSeedOtherSubset) {
  LoadOptions o;
  const RealData again = LoadCompleteJourney(RealDir(), o);
  const Catalogue& a = data_->catalogue;
  const Catalogue& b = again.catalogue;
  ASSERT_EQ(a.products.size(), b.products.size());
  for (size_t i = 0; i < a.products.size(); ++i) {
    const Product &x = a.products[i], &y = b.products[i];
    ASSERT_EQ(x.source_id, y.source_id) << i;
    EXPECT_EQ(x.shelf_price, y.shelf_price) << i;
    EXPECT_EQ(x.unit_cost, y.unit_cost) << i;
    EXPECT_EQ(x.merchant, y.merchant) << i;
    EXPECT_EQ(x.category, y.category) << i;
  }
  EXPECT_EQ(a.categories, b.categories);
  EXPECT_EQ(data_->warnings, again.warnings);

  o.seed = 2;
  const RealData other = LoadCompleteJourney(RealDir(), o);
  ASSERT_EQ(other.catalogue.products.size(), a.products.size());
  size_t different = 0;
  for (size_t i = 0; i < a.products.size(); ++i) {
    different += a.products[i].source_id != other.catalogue.products[i].source_id;
  }
  EXPECT_GT(different, 1000u);
  // Data statistics do not depend on the seed.
  EXPECT_EQ(other.stats.repeated_pairs, data_->stats.repeated_pairs);
}

}  // namespace
}  // namespace cf
