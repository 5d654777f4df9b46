#include "serving/auction.h"

#include <algorithm>
#include <numeric>

namespace cf {

std::vector<AuctionWinner> RunGsp(std::span<const ScoredAd> ads, size_t slots, double reserve_cpm) {
  std::vector<size_t> order;
  order.reserve(ads.size());
  for (size_t i = 0; i < ads.size(); ++i) {
    if (ads[i].ecpm >= reserve_cpm && ads[i].ecpm > 0) order.push_back(i);
  }
  const size_t take = std::min(slots, order.size());
  // Stable partial sort: higher eCPM first, lower index on ties.
  std::partial_sort(order.begin(), order.begin() + take, order.end(), [&](size_t a, size_t b) {
    return ads[a].ecpm != ads[b].ecpm ? ads[a].ecpm > ads[b].ecpm : a < b;
  });
  // The runner-up after the last winner sets the last winner's price.
  double after_last = reserve_cpm;
  if (order.size() > take) {
    for (size_t k = take; k < order.size(); ++k)
      after_last = std::max(after_last, ads[order[k]].ecpm);
  }
  std::vector<AuctionWinner> out;
  out.reserve(take);
  for (size_t r = 0; r < take; ++r) {
    const ScoredAd& ad = ads[order[r]];
    const double next = r + 1 < take ? std::max(reserve_cpm, ads[order[r + 1]].ecpm) : after_last;
    AuctionWinner w;
    w.index = order[r];
    w.next_ecpm = next;
    Money price = ad.per_mille ? Money::FromUnits(next)
                               : Money::FromUnits(ad.p_ctr > 0 ? next / (1000.0 * ad.p_ctr) : 0.0);
    if (price > ad.bid) price = ad.bid;
    if (price.micros() < 1) price = Money::Micros(1);
    w.price = price;
    out.push_back(w);
  }
  return out;
}

}  // namespace cf
