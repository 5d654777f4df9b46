#include "insight/long_history_bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <numeric>
#include <stdexcept>

namespace cf {

SyntheticCatalogue MakeSyntheticCatalogue(const SyntheticCatalogueSpec& spec) {
  if (spec.categories == 0 || spec.parents == 0 || spec.parents > spec.categories ||
      spec.items < spec.categories) {
    throw std::invalid_argument("synthetic catalogue: need 1 <= parents <= categories <= items");
  }
  std::vector<uint32_t> parent(spec.categories);
  for (uint32_t c = 0; c < spec.categories; ++c) {
    parent[c] = static_cast<uint32_t>(uint64_t{c} * spec.parents / spec.categories);
  }
  std::vector<CategoryId> category(spec.items);
  std::vector<std::vector<ProductId>> members(spec.categories);
  for (size_t i = 0; i < spec.items; ++i) {
    category[i] = static_cast<CategoryId>(i % spec.categories);
    members[category[i]].push_back(static_cast<ProductId>(i));
  }
  RandomStream rng(spec.seed, "synthetic-catalogue-popularity");
  for (auto& m : members) {  // popularity order: a shuffle, so it is unrelated to ids
    for (size_t i = m.size(); i > 1; --i) std::swap(m[i - 1], m[rng.Below(i)]);
  }
  CategoryEmbeddingSpec es;
  es.dim = spec.dim;
  es.seed = spec.seed;
  std::vector<float> rows = MakeCategoryEmbeddings(category, parent, es);
  return SyntheticCatalogue{
      std::move(parent), std::move(members),
      ItemEmbeddingTable(spec.dim, std::move(rows), std::move(category), spec.seed)};
}

namespace {

// Zipf(1) over ranks 0..n-1, by inversion of a cached CDF.
class ZipfRanks {
 public:
  size_t Draw(size_t n, RandomStream& rng) {
    std::vector<double>& cdf = cdf_[n];
    if (cdf.empty()) {
      cdf.resize(n);
      double s = 0;
      for (size_t r = 0; r < n; ++r) cdf[r] = (s += 1.0 / (r + 1));
      for (double& x : cdf) x /= s;
    }
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), rng.Uniform());
    return std::min(static_cast<size_t>(it - cdf.begin()), n - 1);
  }

 private:
  std::map<size_t, std::vector<double>> cdf_;
};

EventType DrawAction(RandomStream& rng) {
  const double u = rng.Uniform();
  if (u < 0.55) return EventType::kOrganicView;
  if (u < 0.80) return EventType::kClick;
  if (u < 0.88) return EventType::kLike;
  if (u < 0.95) return EventType::kAddToCart;
  return EventType::kPurchase;
}

}  // namespace

SyntheticUser MakeSyntheticUser(const SyntheticCatalogue& catalogue,
                                const SyntheticUserSpec& spec) {
  RandomStream rng(spec.seed, "synthetic-user");
  const uint32_t categories = static_cast<uint32_t>(catalogue.items_of_category.size());
  const size_t items = catalogue.table.size();
  SyntheticUser user;
  // Interests: distinct categories with weights 1, 1/2, 1/3, ...
  const int k = std::min<int>(spec.interests, static_cast<int>(categories));
  while (static_cast<int>(user.interests.size()) < k) {
    const CategoryId c = static_cast<CategoryId>(rng.Below(categories));
    if (std::find(user.interests.begin(), user.interests.end(), c) == user.interests.end()) {
      user.interests.push_back(c);
    }
  }
  std::vector<double> cum(k);
  double s = 0;
  for (int i = 0; i < k; ++i) cum[i] = (s += 1.0 / (i + 1));
  for (double& x : cum) x /= s;

  std::vector<ProductId> pool;  // all_distinct: a shuffled prefix of all items
  if (spec.all_distinct) {
    if (spec.events > items) {
      throw std::invalid_argument(fmt::format(
          "synthetic user: {} distinct events need as many items (the catalogue has {})",
          spec.events, items));
    }
    pool.resize(items);
    std::iota(pool.begin(), pool.end(), 0u);
    for (size_t i = 0; i < spec.events; ++i) std::swap(pool[i], pool[i + rng.Below(items - i)]);
  }
  ZipfRanks zipf;
  user.history.reserve(spec.events);
  double minute = 1000;
  for (size_t e = 0; e < spec.events; ++e) {
    ProductId item;
    if (spec.all_distinct) {
      item = pool[e];
    } else {
      CategoryId c;
      if (k == 0 || rng.Uniform() < spec.noise) {
        c = static_cast<CategoryId>(rng.Below(categories));
      } else {
        c = user.interests[std::min<size_t>(
            std::upper_bound(cum.begin(), cum.end(), rng.Uniform()) - cum.begin(), k - 1)];
      }
      const auto& m = catalogue.items_of_category[c];
      item = m[zipf.Draw(m.size(), rng)];
    }
    minute += rng.Exponential(spec.mean_gap_minutes);
    user.history.push_back({item, DrawAction(rng), static_cast<SimMinute>(minute)});
  }
  return user;
}

std::vector<ProductId> MakeSyntheticRequest(const SyntheticCatalogue& catalogue,
                                            const SyntheticUser& user, size_t n,
                                            RandomStream& rng) {
  std::vector<ProductId> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i % 2 == 0 && !user.interests.empty()) {
      const auto& m = catalogue.items_of_category[user.interests[rng.Below(user.interests.size())]];
      out.push_back(m[rng.Below(m.size())]);
    } else {
      out.push_back(static_cast<ProductId>(rng.Below(catalogue.table.size())));
    }
  }
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double q) {
  const size_t n = sorted.size();
  const size_t rank = static_cast<size_t>(std::ceil(q * n));
  return sorted[std::clamp<size_t>(rank, 1, n) - 1];
}

// CPU time of the calling thread, ms: on a machine shared with other jobs it leaves out the time
// the thread waited for a core.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct Latency {
  double p50 = 0, p99 = 0, mean = 0;
  double cpu_p50 = 0, cpu_p99 = 0;
};

Latency TimeRequests(TargetAttention& attention, const UserBehaviours& user,
                     const ItemEmbeddingTable& table,
                     const std::vector<std::vector<ProductId>>& requests, SimMinute now) {
  TargetAttentionResult result;
  for (size_t w = 0; w < std::min<size_t>(3, requests.size()); ++w) {  // warm caches
    attention.Score(&user, table, requests[w], now, &result);
  }
  std::vector<double> ms, cpu;
  ms.reserve(requests.size());
  cpu.reserve(requests.size());
  for (const auto& r : requests) {
    const double c0 = ThreadCpuMs();
    const auto t0 = Clock::now();
    attention.Score(&user, table, r, now, &result);
    ms.push_back(Ms(Clock::now() - t0));
    cpu.push_back(ThreadCpuMs() - c0);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  Latency l;
  l.p50 = Percentile(ms, 0.50);
  l.p99 = Percentile(ms, 0.99);
  l.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
  l.cpu_p50 = Percentile(cpu, 0.50);
  l.cpu_p99 = Percentile(cpu, 0.99);
  return l;
}

double Round3(double x) { return std::round(x * 1000) / 1000; }

}  // namespace

nlohmann::json RunLongHistoryBench(const LongHistoryBenchOptions& options) {
  const auto start = Clock::now();
  SyntheticCatalogueSpec cs;
  SyntheticCatalogue catalogue = MakeSyntheticCatalogue(cs);
  const int requests = options.requests > 0 ? options.requests : (options.quick ? 15 : 300);
  const std::vector<size_t> lengths = {100, 1000, 10000, 100000};

  TargetAttentionOptions soft_options = options.attention;
  soft_options.search = BehaviourSearch::kSoft;
  soft_options.keep_selected = false;
  TargetAttentionOptions hard_options = soft_options;
  hard_options.search = BehaviourSearch::kHard;
  TargetAttention soft(soft_options), hard(hard_options);

  nlohmann::json out;
  out["candidates"] = options.candidates;
  out["requests_per_length"] = requests;
  out["dim"] = catalogue.table.dim();
  out["catalogue_items"] = catalogue.table.size();
  out["top_k"] = soft_options.top_k;
  out["shortlist"] = soft_options.shortlist;
  out["threads"] = 1;
  out["latency"] = nlohmann::json::array();
  out["latency_all_distinct"] = nlohmann::json::array();
  for (const bool all_distinct : {false, true}) {
    for (size_t len : lengths) {
      SyntheticUserSpec us;
      us.events = len;
      us.all_distinct = all_distinct;
      us.seed = options.seed + len;
      const SyntheticUser user = MakeSyntheticUser(catalogue, us);
      BehaviourStore store(catalogue.table);
      const auto t0 = Clock::now();
      for (const Behaviour& b : user.history) store.Append(0, b.item, b.action, b.minute);
      const double append_ns =
          std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / len;
      const UserBehaviours& u = *store.Find(0);
      RandomStream rng(options.seed + len, "bench-requests");
      std::vector<std::vector<ProductId>> reqs;
      for (int r = 0; r < requests; ++r) {
        reqs.push_back(MakeSyntheticRequest(catalogue, user, options.candidates, rng));
      }
      const SimMinute now = u.last_minute() + 5;
      const Latency ls = TimeRequests(soft, u, catalogue.table, reqs, now);
      nlohmann::json row = {{"history", len},
                            {"p50_ms", Round3(ls.p50)},
                            {"p99_ms", Round3(ls.p99)},
                            {"mean_ms", Round3(ls.mean)},
                            {"cpu_p50_ms", Round3(ls.cpu_p50)},
                            {"cpu_p99_ms", Round3(ls.cpu_p99)},
                            {"distinct_items", u.distinct()},
                            {"append_ns", std::round(append_ns)},
                            {"bytes_per_event", std::round(double(u.MemoryBytes()) / len)}};
      if (!all_distinct) {
        const Latency lh = TimeRequests(hard, u, catalogue.table, reqs, now);
        row["hard_p50_ms"] = Round3(lh.p50);
        row["hard_p99_ms"] = Round3(lh.p99);
        row["hard_cpu_p50_ms"] = Round3(lh.cpu_p50);
        row["hard_cpu_p99_ms"] = Round3(lh.cpu_p99);
      }
      if (options.progress) {
        fmt::print(stderr,
                   "bench insight: {} history {:>6}: p50 {:.3f} ms, p99 {:.3f} ms ({:.1f} s)\n",
                   all_distinct ? "all-distinct" : "typical", len, ls.p50, ls.p99,
                   std::chrono::duration<double>(Clock::now() - start).count());
      }
      out[all_distinct ? "latency_all_distinct" : "latency"].push_back(row);
      if (!all_distinct && len == lengths.back()) out["append_ns"] = row["append_ns"];
    }
  }
  out["wall_seconds"] = Round3(std::chrono::duration<double>(Clock::now() - start).count());
  return out;
}

std::string FormatLongHistoryBench(const nlohmann::json& r) {
  std::string s = fmt::format(
      "long-history scoring: one user, {} candidates, d={}, top_k={}, shortlist={}, 1 thread, {} "
      "requests per length; wall and thread-CPU ms per request\n",
      r["candidates"].get<size_t>(), r["dim"].get<int>(), r["top_k"].get<int>(),
      r["shortlist"].get<int>(), r["requests_per_length"].get<int>());
  s += fmt::format("{:<13} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>7} {:>5}\n",
                   "history", "events", "distinct", "p50", "p99", "cpu p50", "cpu p99", "hard p50",
                   "hard p99", "app ns", "B/ev");
  for (const char* key : {"latency", "latency_all_distinct"}) {
    for (const auto& row : r[key]) {
      const bool hard = row.contains("hard_p50_ms");
      auto opt = [&](const char* k) {
        return hard ? fmt::format("{:.3f}", row[k].get<double>()) : std::string("-");
      };
      s += fmt::format(
          "{:<13} {:>7} {:>8} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>9} {:>9} {:>7} {:>5}\n",
          key == std::string("latency") ? "typical" : "all distinct", row["history"].get<size_t>(),
          row["distinct_items"].get<size_t>(), row["p50_ms"].get<double>(),
          row["p99_ms"].get<double>(), row["cpu_p50_ms"].get<double>(),
          row["cpu_p99_ms"].get<double>(), opt("hard_p50_ms"), opt("hard_p99_ms"),
          row["append_ns"].get<double>(), row["bytes_per_event"].get<double>());
    }
  }
  return s;
}

}  // namespace cf
