// What the creative factory knows about one product: the facts a merchant or the catalogue
// provides, and (optionally) the needs insight attaches to it. Plain data; display values only
// (prices are for the script and the cards, not for accounting).
#pragma once

#include <string>
#include <vector>

#include "common/ids.h"

namespace cf {

struct ProductFacts {
  ProductId id = kNoId;  // catalogue id, kNoId for an ad-hoc product (--images/--title)
  std::string title;     // shown and spoken; required
  std::string category;  // e.g. "camping gear"; may be empty
  std::string brand;     // may be empty
  std::string package_size;
  bool national_brand = false;
  bool consumable = false;          // bought again on a cycle: "stock up" selling points
  double price = 0;                 // shelf price, > 0
  double coupon = 0;                // coupon amount off (0 = none)
  std::string currency;             // "¥", "$"...; empty = by language (zh ¥, en $)
  std::vector<std::string> facts;   // free-text selling facts, most important first
  std::vector<std::string> needs;   // needs from insight's knowledge graph, may be empty
  std::vector<std::string> images;  // image files; empty = a generated product card
  double final_price() const { return coupon > 0 && coupon < price ? price - coupon : price; }
};

}  // namespace cf
