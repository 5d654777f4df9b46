// Loader for the Complete Journey 2.0 retail data (84.51°, CC0): builds the marketplace catalogue,
// household shopping profiles and the data's own aggregates used to calibrate the simulator.
//
// Promises: LoadCompleteJourney reads products.csv, transactions_sample.csv, demographics.csv,
// campaigns.csv and coupon_redemptions.csv from `dir`; the result depends only on the files and
// LoadOptions (same inputs and seed → identical output). It prints nothing; data oddities that it
// works around are returned in RealData::warnings. A missing or malformed file throws CsvError
// whose message names the file (and the line for malformed content). Derivations are documented in
// docs/data-loading.md. Not thread-safe per call; concurrent calls are independent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/catalogue.h"
#include "common/csv.h"
#include "common/ids.h"

namespace cf {

struct HouseholdProfile {
  uint64_t household_id = 0;
  // Share of spend (sales_value) per catalogue category, sorted by share descending, sums to 1;
  // only categories present in the catalogue (spend on others is dropped before normalising).
  std::vector<std::pair<CategoryId, float>> category_shares;
  float baskets_per_week = 0;  // distinct baskets / weeks spanned by the whole data set
  float items_per_basket = 0;  // transaction lines per basket
  float mean_unit_price = 0;   // mean shelf unit price over the household's lines
  float discount_sensitivity =
      0;                         // share of lines bought with a loyalty discount (retail_disc > 0)
  float coupon_sensitivity = 0;  // campaigns redeemed / campaigns received (0 if none received)
  // catalogue type id → mean days between purchase occasions (distinct baskets) of that type, for
  // types bought on >= 2 occasions; sorted by type id.
  std::vector<std::pair<uint32_t, float>> repurchase_days;
  // Demographics when known (empty / -1 otherwise). "3+" kids and "5+" persons read as 3 and 5.
  std::string age, income;
  int kids_count = -1, household_size = -1;
};

// The data's own aggregates, for calibration (the market reproduces them). Computed over all
// transaction lines of the files, not over the selected catalogue.
struct DataStats {
  double median_unit_price = 0;  // shelf unit price (sales+retail_disc+coupon_match)/qty over lines
  double median_paid_unit_price = 0;  // sales_value/quantity over lines (the README's "1.94")
  std::vector<double> unit_price_quantiles;  // shelf unit price p10,p25,p50,p75,p90,p99
  // Department shares of sales_value and of transaction lines, sorted descending; lines whose
  // product is not in products.csv are left out of these two.
  std::vector<std::pair<std::string, double>> department_gmv_share, department_order_share;
  double repurchase_share = 0;  // share of lines that repeat an earlier (household, product) pair
  uint64_t repeated_pairs = 0;  // distinct (household, product) pairs on more than one line
  double items_per_basket = 0;  // mean lines per basket_id
  double coupon_redemption_rate = 0;  // redeemed (household, campaign) pairs / pairs received
  uint64_t transactions = 0, households = 0, distinct_products = 0;
};

struct LoadOptions {
  size_t max_products = 20000;
  double unsold_share = 0.15;  // share of the catalogue drawn from never-sold products
  size_t merchants = 200;
  uint64_t seed = 1;
};

struct RealData {
  Catalogue catalogue;
  std::vector<HouseholdProfile> households;  // every household in the transactions, by id
  DataStats stats;
  std::vector<std::string> warnings;
};

RealData LoadCompleteJourney(const std::filesystem::path& dir, const LoadOptions& options = {});

// $CHENGFANG_DATA if set and non-empty, else the compile-time CF_DEFAULT_DATA_DIR (../shared/data
// of the source tree). The Complete Journey files are in DefaultDataDir() / "completejourney".
std::filesystem::path DefaultDataDir();

// The folder LoadCompleteJourney reads by default: DefaultDataDir() / "completejourney".
std::filesystem::path DefaultCompleteJourneyDir();

}  // namespace cf
