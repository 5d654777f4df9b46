#include "insight/user_affinity.h"

#include <algorithm>

namespace cf {
namespace {

float Weight(EventType t) {
  switch (t) {
    case EventType::kOrganicView:
      return 1.0f;
    case EventType::kImpression:
      return 0.0f;  // being shown an ad says nothing about the user
    case EventType::kLike:
      return 2.0f;
    case EventType::kComment:
      return 2.0f;
    case EventType::kShare:
      return 3.0f;
    case EventType::kClick:
      return 3.0f;
    case EventType::kAddToCart:
      return 5.0f;
    case EventType::kPurchase:
      return 10.0f;
    default:
      return 0.0f;
  }
}

}  // namespace

UserAffinity::UserAffinity(const Catalogue& catalogue, size_t users)
    : catalogue_(catalogue), rows_(users) {}

void UserAffinity::Observe(const Event& e) {
  if (e.product == kNoId || e.user >= rows_.size() || e.product >= catalogue_.products.size())
    return;
  const float w = Weight(e.type);
  if (w <= 0) return;
  const CategoryId c = catalogue_.products[e.product].category;
  Row& r = rows_[e.user];
  r.total += w;
  for (int i = 0; i < kSlots; ++i) {
    if (r.e[i].category == c) {
      r.e[i].score += w;
      // Keep the slots sorted by score (one bubble step suffices per increment).
      while (i > 0 && r.e[i].score > r.e[i - 1].score) {
        std::swap(r.e[i], r.e[i - 1]);
        --i;
      }
      return;
    }
  }
  // Space-saving replacement: the new category inherits the weakest slot's score.
  Entry& slot = r.e[kSlots - 1];
  slot.category = c;
  slot.score += w;
  int i = kSlots - 1;
  while (i > 0 && r.e[i].score > r.e[i - 1].score) {
    std::swap(r.e[i], r.e[i - 1]);
    --i;
  }
}

void UserAffinity::Warm(const EventLog& log) {
  for (UserId u = 0; u < rows_.size(); ++u) {
    log.History(u).ForEach([this](const Event& e) { Observe(e); });
  }
}

int UserAffinity::Top(UserId u, int k, CategoryId* out) const {
  if (u >= rows_.size()) return 0;
  const Row& r = rows_[u];
  int n = 0;
  for (int i = 0; i < kSlots && n < k; ++i) {
    if (r.e[i].category != kNoId) out[n++] = r.e[i].category;
  }
  return n;
}

double UserAffinity::Share(UserId u, CategoryId c) const {
  if (u >= rows_.size()) return 0;
  const Row& r = rows_[u];
  if (r.total <= 0) return 0;
  for (const Entry& e : r.e) {
    if (e.category == c) return e.score / r.total;
  }
  return 0;
}

}  // namespace cf
