#include "insight/user_affinity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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

constexpr uint32_t kMaxWindow = 256;  // platform.user_history_events' limit (sim_config.cc)

}  // namespace

UserAffinity::UserAffinity(const Catalogue& catalogue, size_t users, uint32_t window_events,
                           uint32_t half_life_events)
    : catalogue_(catalogue), rows_(users), window_(window_events) {
  if (half_life_events > 0 && window_ > 0) {
    throw std::invalid_argument(
        "user affinity: a window of the last N events and a half-life are two different user "
        "states; use one");
  }
  if (half_life_events > 0) decay_ = static_cast<float>(std::exp2(-1.0 / half_life_events));
  if (window_ > kMaxWindow) {
    throw std::invalid_argument("user affinity: a window of " + std::to_string(window_) +
                                " events; at most " + std::to_string(kMaxWindow));
  }
  if (window_ > 0) {
    ring_.assign(users * window_, {kNoId, 0.0f});
    ring_count_.assign(users, 0);
  }
}

void UserAffinity::Add(Row& r, CategoryId c, float w) {
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

void UserAffinity::ObserveWindowed(UserId u, CategoryId c, float w) {
  std::pair<CategoryId, float>* ring = ring_.data() + size_t{u} * window_;
  ring[ring_count_[u] % window_] = {c, w};
  ++ring_count_[u];
  // Rebuild the user's table from the events in the window, exactly: sum per category, then keep
  // the strongest kSlots.
  std::pair<CategoryId, float> sums[kMaxWindow];  // at most one per event in the window
  int n = 0;
  float total = 0;
  const uint32_t held = std::min(ring_count_[u], window_);
  for (uint32_t k = 0; k < held; ++k) {
    const auto [cat, weight] = ring[k];
    total += weight;
    int j = 0;
    while (j < n && sums[j].first != cat) ++j;
    if (j == n) sums[n++] = {cat, 0.0f};
    sums[j].second += weight;
  }
  const int keep = std::min(n, kSlots);
  std::partial_sort(sums, sums + keep, sums + n, [](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  });
  Row& r = rows_[u];
  r = Row{};
  for (int i = 0; i < keep; ++i) r.e[i] = Entry{sums[i].first, sums[i].second};
  r.total = total;
}

void UserAffinity::Observe(const Event& e) {
  if (e.product == kNoId || e.user >= rows_.size() || e.product >= catalogue_.products.size())
    return;
  const float w = Weight(e.type);
  if (w <= 0) return;
  const CategoryId c = catalogue_.products[e.product].category;
  if (window_ > 0) {
    ObserveWindowed(e.user, c, w);
    return;
  }
  Row& r = rows_[e.user];
  if (decay_ < 1.0f) {
    for (Entry& x : r.e) x.score *= decay_;
    r.total *= decay_;
  }
  Add(r, c, w);
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
