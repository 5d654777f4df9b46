// Dense integer ids for every entity. Promises: ids are indexes into the owning table
// (0..n-1); kNoId marks "none". Distinct typedefs document intent; they are plain integers so
// events stay compact (see event.h).
#pragma once

#include <cstdint>
#include <limits>

namespace cf {

using UserId = uint32_t;
using ProductId = uint32_t;
using MerchantId = uint32_t;
using PlanId = uint32_t;
using CreativeId = uint32_t;
using ContentId = uint32_t;
using InfluencerId = uint32_t;
using CategoryId = uint32_t;  // index of a product_category in the catalogue
using QueryId = uint32_t;     // index into a query-text table

inline constexpr uint32_t kNoId = std::numeric_limits<uint32_t>::max();

}  // namespace cf
