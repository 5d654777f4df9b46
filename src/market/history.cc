#include "market/history.h"

#include <algorithm>
#include <cmath>

#include "common/random.h"

namespace cf {
namespace {}  // namespace

HistoryStats GenerateHistory(const WorldSpec& spec, EventLog& log, std::vector<QueryId>* query_ids,
                             const ProgressFn& progress) {
  HistoryStats stats;
  std::vector<QueryId> qids;
  for (const std::string& q : spec.query_texts()) qids.push_back(log.InternQuery(q));
  if (query_ids) *query_ids = qids;

  const auto& users = spec.users();
  const Catalogue& cat = spec.catalogue();
  const MarketConfig& mc = spec.config();
  const PopulationConfig& pc = mc.population;
  const ResponseConfig& rc = mc.response;
  const auto& needs = SceneNeeds();
  std::vector<double> curve(mc.traffic.hourly_curve.begin(), mc.traffic.hourly_curve.end());
  const AliasTable hours(curve);
  const SimMinute span = spec.flight_start();

  log.ReserveUsers(users.size());
  std::vector<SimMinute> starts;
  std::vector<Event> buffer;
  const uint64_t base_seed = DeriveSeed(spec.seed(), "market.history");
  for (UserId u = 0; u < users.size(); ++u) {
    if (progress && u % 5000 == 0) progress("history", static_cast<double>(u) / users.size());
    const UserTraits& t = users[u];
    RandomStream rng(Mix64(base_seed ^ Mix64(u)));
    const uint32_t target = t.history_events;
    log.Reserve(u, target + 16);
    // Session start times over the history window, following the daily curve.
    const uint32_t sessions = std::max<uint32_t>(1, target / 4);
    starts.clear();
    for (uint32_t i = 0; i < sessions; ++i) {
      const SimMinute day = static_cast<SimMinute>(rng.Below(pc.history_days));
      const SimMinute hour = hours.Sample(rng.Uniform(), rng.Uniform());
      starts.push_back(day * kMinutesPerDay + hour * 60 + static_cast<SimMinute>(rng.Below(60)));
    }
    std::sort(starts.begin(), starts.end());
    uint32_t written = 0;
    SimMinute last = 0;
    for (size_t si = 0; si < starts.size() && written < target; ++si) {
      SimMinute m = std::max(starts[si], last);
      if (m >= span) break;
      double total = 0;
      for (float p : t.channel_pref) total += p;
      double x = rng.Uniform() * total;
      int c = 0;
      while (c < kNumChannels - 1 && x >= t.channel_pref[c]) x -= t.channel_pref[c++];
      const Channel ch = static_cast<Channel>(c);
      // Topic of the session.
      CategoryId topic;
      if (rng.Uniform() < pc.long_term_share && t.num_interests > 0) {
        double y = rng.Uniform();
        int i = 0;
        while (i < t.num_interests - 1 && y >= t.weight[i]) y -= t.weight[i++];
        topic = t.interest[i];
      } else {
        topic = spec.DriftTopic(u, m);
      }
      buffer.clear();
      auto emit = [&](EventType type, ProductId p, uint32_t ref, int64_t money = 0, uint8_t q = 0,
                      uint8_t flags = 0) {
        Event e;
        e.type = type;
        e.user = u;
        e.minute = m;
        e.channel = ch;
        e.product = p;
        e.ref = ref;
        e.money = money;
        e.quantity = q;
        e.flags = flags;
        buffer.push_back(e);
      };
      if (ch == Channel::kSearch) {
        int need = spec.scenes().category_need[topic];
        if (need < 0) need = static_cast<int>(rng.Below(needs.size()));
        const auto& nc = spec.scenes().need_categories[need];
        if (!nc.empty()) topic = nc[rng.Below(nc.size())];
        emit(EventType::kSearch, kNoId,
             qids[spec.QueryIndex(need, t.zh, static_cast<uint32_t>(rng.Below(3)))]);
      }
      const auto& items = spec.contents_by_category()[topic];
      const auto& products = cat.products_by_category[topic];
      if (products.empty()) continue;
      const uint32_t slots = 2 + static_cast<uint32_t>(rng.Below(8));
      const double interest = t.Interest(topic);
      for (uint32_t k = 0; k < slots; ++k) {
        m += static_cast<SimMinute>(rng.Below(2));
        if (m >= span) break;
        ProductId p;
        uint32_t content = kNoId;
        if ((ch == Channel::kFeed || ch == Channel::kLive) && !items.empty()) {
          content = items[rng.Below(items.size())];
          p = spec.contents()[content].product;
        } else {
          p = products[spec.product_sampler_by_category()[topic].Sample(rng.Uniform(),
                                                                        rng.Uniform())];
        }
        emit(EventType::kOrganicView, p, content);
        const double engage = 0.3 + 3.0 * interest;
        if (rng.Uniform() < rc.like_rate * engage) emit(EventType::kLike, p, content);
        if (rng.Uniform() < rc.comment_rate * engage) emit(EventType::kComment, p, content);
        if (rng.Uniform() < rc.share_rate * engage) emit(EventType::kShare, p, content);
        if (rng.Uniform() < rc.organic_click_rate * engage * (ch == Channel::kSearch ? 4 : 1)) {
          emit(EventType::kClick, p, content, 0, 0, kFlagOrganic);
          const double price = std::max(0.01, cat.product(p).shelf_price.units());
          const double buy = BaseConversion(rc, price) * (0.4 + 2.5 * interest) *
                             std::sqrt(t.buy_propensity) * spec.products()[p].quality;
          if (rng.Uniform() < buy) {
            const uint8_t q = static_cast<uint8_t>(1 + rng.Poisson(rc.quantity_extra_mean));
            emit(EventType::kPurchase, p, content,
                 cat.product(p).shelf_price.CheckedMul(q).micros(), q, kFlagOrganic);
            ++stats.purchases;
          } else if (rng.Uniform() < rc.cart_rate) {
            emit(EventType::kAddToCart, p, content);
          }
        }
      }
      for (const Event& e : buffer) {
        if (written >= target) break;
        log.Append(e);
        ++written;
      }
      last = m;
    }
    stats.events += written;
    if (written >= 10000) ++stats.users_with_10k;
  }
  if (progress) progress("history", 1.0);
  return stats;
}

}  // namespace cf
