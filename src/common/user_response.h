// What a user did after being shown an ad, as the platform learns it. Plain data.
#pragma once

#include <cstdint>

#include "common/money.h"

namespace cf {

struct UserResponse {
  bool clicked = false;
  bool liked = false, commented = false, shared = false, followed = false;
  bool added_to_cart = false;
  uint8_t quantity = 0;  // > 0: purchased
  Money paid;            // what the user paid in total
  bool coupon_used = false;
  bool tracked = true;  // false: the purchase happened but conversion tracking missed it
};

}  // namespace cf
