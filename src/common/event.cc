#include "common/event.h"

namespace cf {

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kImpression:
      return "impression";
    case EventType::kClick:
      return "click";
    case EventType::kLike:
      return "like";
    case EventType::kComment:
      return "comment";
    case EventType::kShare:
      return "share";
    case EventType::kFollow:
      return "follow";
    case EventType::kSearch:
      return "search";
    case EventType::kOrganicView:
      return "organic_view";
    case EventType::kAddToCart:
      return "add_to_cart";
    case EventType::kPurchase:
      return "purchase";
    case EventType::kCouponReceived:
      return "coupon_received";
  }
  return "?";
}

}  // namespace cf
