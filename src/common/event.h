// Events: what a real platform observes about its users. Promises: a fixed 32-byte POD record
// (written verbatim into the event log, see docs/event-log.md), so the numeric values of EventType
// and the field layout are part of the on-disk format and never change meaning.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "common/channel.h"
#include "common/ids.h"
#include "common/sim_clock.h"

namespace cf {

enum class EventType : uint8_t {
  kImpression = 0,  // an ad was shown: plan, product, creative; money = charge (CPM plans)
  kClick = 1,       // an ad was clicked; money = charge (CPC / target-ROI plans)
  kLike = 2,        // organic content (ref = content id) or ad creative liked
  kComment = 3,
  kShare = 4,
  kFollow = 5,       // followed the creator / merchant of the content
  kSearch = 6,       // ref = query id (text in the log's query table)
  kOrganicView = 7,  // ref = content id, product = linked product
  kAddToCart = 8,    // product
  kPurchase = 9,     // product, quantity, money = amount paid; flags kCouponUsed; plan = attributed
  kCouponReceived = 10,  // ref = coupon id, product, money = face value
};
inline constexpr int kNumEventTypes = 11;
std::string_view EventTypeName(EventType t);

// Flags bits.
inline constexpr uint8_t kFlagCouponUsed = 1;  // purchase used a coupon
inline constexpr uint8_t kFlagOrganic = 2;     // purchase / click came from organic content

struct Event {
  int64_t money = 0;  // micro-units; see EventType for meaning
  SimMinute minute = 0;
  UserId user = kNoId;
  ProductId product = kNoId;
  PlanId plan = kNoId;
  uint32_t ref = kNoId;  // creative id, content id, query id or coupon id, by type
  EventType type = EventType::kImpression;
  Channel channel = Channel::kFeed;
  uint8_t quantity = 0;  // purchase quantity; slot position for impressions
  uint8_t flags = 0;
};
static_assert(sizeof(Event) == 32, "Event is part of the on-disk format");
static_assert(std::is_trivially_copyable_v<Event>);

}  // namespace cf
