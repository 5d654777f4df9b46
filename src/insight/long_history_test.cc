// Tests of the long-history serving path: SimHash kernels, BehaviourStore (incremental caches),
// TargetAttention (search + attention), the synthetic data and the benchmark's JSON shape.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <set>

#include "common/random.h"
#include "insight/behaviour_store.h"
#include "insight/item_embedding_table.h"
#include "insight/long_history_bench.h"
#include "insight/simhash.h"
#include "insight/target_attention.h"

namespace cf {
namespace {

const SyntheticCatalogue& Catalogue() {
  static const SyntheticCatalogue* c = [] {
    SyntheticCatalogueSpec spec;
    spec.items = 20000;
    spec.categories = 200;
    spec.parents = 20;
    spec.dim = 32;
    return new SyntheticCatalogue(MakeSyntheticCatalogue(spec));
  }();
  return *c;
}

std::vector<ProductId> Iota(size_t n) {
  std::vector<ProductId> v(n);
  std::iota(v.begin(), v.end(), 0u);
  return v;
}

// Bit-for-bit equality of two results.
void ExpectIdentical(const TargetAttentionResult& a, const TargetAttentionResult& b) {
  ASSERT_EQ(a.candidates.size(), b.candidates.size());
  for (size_t i = 0; i < a.candidates.size(); ++i) {
    const auto &x = a.candidates[i], &y = b.candidates[i];
    ASSERT_EQ(std::memcmp(&x.score, &y.score, sizeof(float)), 0) << "candidate " << i;
    ASSERT_EQ(std::memcmp(&x.log_mass, &y.log_mass, sizeof(float)), 0) << "candidate " << i;
    ASSERT_EQ(std::memcmp(&x.profile_cosine, &y.profile_cosine, sizeof(float)), 0);
    ASSERT_EQ(x.behaviours, y.behaviours);
  }
  ASSERT_EQ(a.interest.size(), b.interest.size());
  ASSERT_EQ(std::memcmp(a.interest.data(), b.interest.data(), a.interest.size() * sizeof(float)),
            0);
}

// ---- SimHash ------------------------------------------------------------------------------------

TEST(SimHash, DistanceTracksAngleAndIgnoresLength) {
  const int d = 32;
  SimHasher h(d, 3);
  RandomStream rng(5);
  std::vector<float> u(d), v(d), w(d);
  for (int k = 0; k < d; ++k) u[k] = static_cast<float>(rng.Normal());
  for (int k = 0; k < d; ++k) v[k] = 7.5f * u[k];
  for (int k = 0; k < d; ++k) w[k] = -u[k];
  EXPECT_EQ(h.Sign(u.data()), h.Sign(v.data()));  // length does not matter
  EXPECT_EQ(__builtin_popcountll(h.Sign(u.data()) ^ h.Sign(w.data())), 64);  // opposite
  // Mean distance over random pairs at cosine ~0.8 is near 64 * acos(0.8) / pi = 13.
  double sum = 0, cos_sum = 0;
  const int pairs = 400;
  for (int p = 0; p < pairs; ++p) {
    std::vector<float> a(d), b(d);
    for (int k = 0; k < d; ++k) {
      a[k] = static_cast<float>(rng.Normal());
      b[k] = 0.8f * a[k] + 0.6f * static_cast<float>(rng.Normal());
    }
    double ab = 0, aa = 0, bb = 0;
    for (int k = 0; k < d; ++k) ab += a[k] * b[k], aa += a[k] * a[k], bb += b[k] * b[k];
    cos_sum += ab / std::sqrt(aa * bb);
    sum += __builtin_popcountll(h.Sign(a.data()) ^ h.Sign(b.data()));
  }
  const double expected = 64 * std::acos(cos_sum / pairs) / M_PI;
  EXPECT_NEAR(sum / pairs, expected, 1.5);
  EXPECT_NEAR(EstimatedCosine(0), 1.0, 1e-6);
  EXPECT_NEAR(EstimatedCosine(32), 0.0, 1e-6);
}

TEST(SimHash, NearestSignaturesIsExactWithTiesInIndexOrder) {
  RandomStream rng(11);
  std::vector<uint32_t> scratch, picked;
  for (size_t n : {size_t{5}, size_t{300}, size_t{5000}, size_t{40000}}) {
    std::vector<uint64_t> sigs(n);
    for (auto& s : sigs) s = rng.Next() & rng.Next();  // biased bits: many ties
    // Clustered near the first query too, so the sampled threshold is sometimes wrong.
    for (size_t i = 0; i < n; i += 97) sigs[i] = 0x00ff00ff00ff00ffULL ^ (uint64_t{1} << (i % 64));
    for (uint64_t query :
         {rng.Next(), uint64_t{0x00ff00ff00ff00ffULL}, uint64_t{0}, ~uint64_t{0}}) {
      for (size_t k : {size_t{1}, size_t{10}, size_t{64}, size_t{999}, size_t{50000}}) {
        NearestSignatures(sigs.data(), n, query, k, &scratch, &picked);
        // Reference: stable sort by distance, take the first k, back in index order.
        std::vector<uint32_t> idx(n);
        std::iota(idx.begin(), idx.end(), 0u);
        std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
          return __builtin_popcountll(sigs[a] ^ query) < __builtin_popcountll(sigs[b] ^ query);
        });
        idx.resize(std::min(k, n));
        std::sort(idx.begin(), idx.end());
        ASSERT_EQ(picked, idx) << "n=" << n << " k=" << k << " query=" << query;
      }
    }
  }
}

// ---- Retrieval ----------------------------------------------------------------------------------

// 10,000 distractor events over every other category (siblings included) but one (the control
// category) and 20 planted events on items of the candidate's category, at random places in time.
struct PlantedHistory {
  std::vector<Behaviour> history;
  std::set<ProductId> planted;
  ProductId candidate = 0;
  CategoryId target = 0;
  CategoryId control = 0;  // no behaviours at all
};

PlantedHistory MakePlanted() {
  const SyntheticCatalogue& cat = Catalogue();
  PlantedHistory p;
  p.target = 37;
  p.control = 137;
  const auto& members = cat.items_of_category[p.target];
  p.candidate = members[0];
  RandomStream rng(2024);
  std::set<size_t> planted_at;
  while (planted_at.size() < 20) planted_at.insert(rng.Below(10020));
  size_t next_planted = 1;
  SimMinute minute = 100;
  for (size_t e = 0; e < 10020; ++e) {
    ProductId item;
    if (planted_at.count(e)) {
      item = members[next_planted++];
      p.planted.insert(item);
    } else {
      do {
        item = static_cast<ProductId>(rng.Below(cat.table.size()));
      } while (cat.table.Category(item) == p.target || cat.table.Category(item) == p.control);
    }
    minute += static_cast<SimMinute>(rng.Below(30));
    p.history.push_back(
        {item, rng.Bernoulli(0.5) ? EventType::kClick : EventType::kOrganicView, minute});
  }
  return p;
}

TEST(TargetAttention, FindsPlantedBehavioursAmong10000Distractors) {
  const SyntheticCatalogue& cat = Catalogue();
  const PlantedHistory p = MakePlanted();
  BehaviourStore store(cat.table);
  for (const Behaviour& b : p.history) store.Append(3, b.item, b.action, b.minute);
  const UserBehaviours* user = store.Find(3);
  ASSERT_NE(user, nullptr);
  ASSERT_EQ(user->events(), 10020u);
  ASSERT_GT(user->distinct(), 5000u);

  const ProductId control = cat.items_of_category[p.control][0];
  for (BehaviourSearch search : {BehaviourSearch::kSoft, BehaviourSearch::kHard}) {
    TargetAttentionOptions o;
    o.top_k = 32;
    o.shortlist = 64;
    o.search = search;
    o.keep_selected = true;
    TargetAttention attention(o);
    TargetAttentionResult r;
    const std::vector<ProductId> cands = {p.candidate, control};
    attention.Score(user, cat.table, cands, user->last_minute() + 1, &r);
    const auto selected = r.Selected(0);
    std::set<ProductId> got(selected.begin(), selected.end());
    for (ProductId item : p.planted) {
      EXPECT_TRUE(got.count(item))
          << "planted item " << item << " not selected, search " << static_cast<int>(search);
    }
    // The planted behaviours carry most of the attention.
    double planted_weight = 0;
    for (size_t k = 0; k < selected.size(); ++k) {
      if (p.planted.count(selected[k]))
        planted_weight += r.selected_weights[r.selected_offsets[0] + k];
    }
    EXPECT_GT(planted_weight, 0.95);
    // The strongest attended behaviours are the planted ones.
    for (size_t k = 0; k < 20; ++k) EXPECT_TRUE(p.planted.count(selected[k])) << k;
    EXPECT_GT(r.candidates[0].score, 0.7f);
    EXPECT_GT(r.candidates[0].score, r.candidates[1].score + 0.3f);
    EXPECT_GT(r.candidates[0].log_mass, r.candidates[1].log_mass);
  }
}

TEST(TargetAttention, HardSearchStaysInTheCandidatesCategory) {
  const SyntheticCatalogue& cat = Catalogue();
  BehaviourStore store(cat.table);
  // Behaviours in categories 10 and 11 (siblings) only.
  SimMinute m = 0;
  for (int i = 0; i < 50; ++i) {
    store.Append(0, cat.items_of_category[10][i], EventType::kClick, m += 5);
    store.Append(0, cat.items_of_category[11][i], EventType::kClick, m += 5);
  }
  TargetAttentionOptions o;
  o.search = BehaviourSearch::kHard;
  o.keep_selected = true;
  TargetAttention hard(o);
  TargetAttentionResult r;
  const std::vector<ProductId> cands = {cat.items_of_category[10][60],
                                        cat.items_of_category[150][0]};
  hard.Score(store.Find(0), cat.table, cands, m, &r);
  ASSERT_EQ(r.candidates[0].behaviours, 50u);  // all 50 items of category 10
  for (ProductId item : r.Selected(0)) EXPECT_EQ(cat.table.Category(item), 10u);
  EXPECT_EQ(r.candidates[1].behaviours, 0u);  // no behaviour in its category
  EXPECT_TRUE(std::isinf(r.candidates[1].log_mass) && r.candidates[1].log_mass < 0);
  // Soft search may use the sibling category too, and finds something for any candidate.
  o.search = BehaviourSearch::kSoft;
  TargetAttention soft(o);
  soft.Score(store.Find(0), cat.table, cands, m, &r);
  EXPECT_EQ(r.candidates[1].behaviours, 64u);
}

// ---- Incremental state --------------------------------------------------------------------------

SyntheticUser TestUser(size_t events, uint64_t seed) {
  SyntheticUserSpec spec;
  spec.events = events;
  spec.seed = seed;
  spec.mean_gap_minutes = 300;  // spans years: recency matters
  return MakeSyntheticUser(Catalogue(), spec);
}

TEST(BehaviourStore, IncrementalEqualsRebuildFromFullHistory) {
  const SyntheticCatalogue& cat = Catalogue();
  const SyntheticUser user = TestUser(6000, 17);
  RandomStream rng(99);
  const std::vector<ProductId> cands = MakeSyntheticRequest(cat, user, 200, rng);
  for (BehaviourSearch search : {BehaviourSearch::kSoft, BehaviourSearch::kHard}) {
    TargetAttentionOptions o;
    o.search = search;
    TargetAttention attention(o);
    BehaviourStore live(cat.table);  // grows event by event, scored along the way
    TargetAttentionResult a, b;
    size_t next_check = 1;
    for (size_t e = 0; e < user.history.size(); ++e) {
      const Behaviour& x = user.history[e];
      live.Append(5, x.item, x.action, x.minute);
      if (e + 1 == next_check || e + 1 == user.history.size()) {
        next_check *= 3;
        const SimMinute now = x.minute + 60;
        attention.Score(live.Find(5), cat.table, cands, now, &a);
        BehaviourStore rebuilt(cat.table);  // from the history so far, in one go
        for (size_t k = 0; k <= e; ++k) {
          const Behaviour& y = user.history[k];
          rebuilt.Append(5, y.item, y.action, y.minute);
        }
        attention.Score(rebuilt.Find(5), cat.table, cands, now, &b);
        ExpectIdentical(a, b);
      }
    }
  }
}

// An independent reference written from the definition (target_attention.h): straight from the
// raw events, no caches, no recursion.
struct ReferenceScore {
  double score, log_mass, profile_cosine;
  std::vector<double> interest;
};

ReferenceScore Reference(const ItemEmbeddingTable& table, const LongHistoryConfig& config,
                         const std::vector<Behaviour>& history, ProductId cand, SimMinute now,
                         const TargetAttentionOptions& o) {
  const int d = table.dim();
  const double tau = config.TauMinutes();
  std::vector<ProductId> order;  // first-seen order
  std::map<ProductId, double> mass;
  std::vector<double> profile(d, 0.0);
  const SimMinute last = history.back().minute;
  for (const Behaviour& b : history) {
    if (!mass.count(b.item)) order.push_back(b.item);
    const double w = config.action_weight[static_cast<int>(b.action)];
    mass[b.item] += w * std::exp(-(double(now) - b.minute) / tau);
    for (int k = 0; k < d; ++k)
      profile[k] += w * std::exp(-(double(last) - b.minute) / tau) * table.Row(b.item)[k];
  }
  auto cosine = [&](ProductId x) {
    double s = 0;
    for (int k = 0; k < d; ++k) s += double(table.Row(x)[k]) * table.Row(cand)[k];
    return s;
  };
  std::vector<size_t> idx(order.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (o.search == BehaviourSearch::kHard) {
    std::erase_if(idx, [&](size_t i) { return table.Category(order[i]) != table.Category(cand); });
  }
  auto ham = [&](size_t i) {
    return __builtin_popcountll(table.Signature(order[i]) ^ table.Signature(cand));
  };
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return ham(a) < ham(b); });
  if (idx.size() > size_t(o.shortlist)) idx.resize(o.shortlist);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    const double ca = cosine(order[a]), cb = cosine(order[b]);
    return ca > cb || (ca == cb && a < b);
  });
  if (idx.size() > size_t(o.top_k)) idx.resize(o.top_k);
  ReferenceScore r{0, 0, 0, std::vector<double>(d, 0.0)};
  double z = 0;
  for (size_t i : idx) z += std::exp(o.beta * cosine(order[i])) * mass[order[i]];
  for (size_t i : idx) {
    const double a = std::exp(o.beta * cosine(order[i])) * mass[order[i]] / z;
    r.score += a * cosine(order[i]);
    for (int k = 0; k < d; ++k) r.interest[k] += a * table.Row(order[i])[k];
  }
  r.log_mass = std::log(z);
  double pn = 0, pc = 0;
  for (int k = 0; k < d; ++k) pn += profile[k] * profile[k], pc += profile[k] * table.Row(cand)[k];
  r.profile_cosine = pc / std::sqrt(pn);
  return r;
}

TEST(TargetAttention, MatchesAReferenceComputedFromTheRawHistory) {
  const SyntheticCatalogue& cat = Catalogue();
  const SyntheticUser user = TestUser(3000, 23);
  RandomStream rng(7);
  const std::vector<ProductId> cands = MakeSyntheticRequest(cat, user, 60, rng);
  BehaviourStore store(cat.table);
  for (const Behaviour& b : user.history) store.Append(1, b.item, b.action, b.minute);
  const SimMinute now = user.history.back().minute + 2000;
  for (BehaviourSearch search : {BehaviourSearch::kSoft, BehaviourSearch::kHard}) {
    TargetAttentionOptions o;
    o.search = search;
    TargetAttention attention(o);
    TargetAttentionResult r;
    attention.Score(store.Find(1), cat.table, cands, now, &r);
    for (size_t i = 0; i < cands.size(); ++i) {
      const ReferenceScore ref =
          Reference(cat.table, store.config(), user.history, cands[i], now, o);
      EXPECT_NEAR(r.candidates[i].score, ref.score, 2e-4) << i;
      if (std::isinf(ref.log_mass)) {
        EXPECT_EQ(r.candidates[i].log_mass, ref.log_mass) << i;  // nothing found: -infinity
        EXPECT_EQ(r.candidates[i].behaviours, 0u) << i;
      } else {
        EXPECT_NEAR(r.candidates[i].log_mass, ref.log_mass,
                    2e-3 * std::max(1.0, std::abs(ref.log_mass)))
            << i;
      }
      EXPECT_NEAR(r.candidates[i].profile_cosine, ref.profile_cosine, 2e-4) << i;
      for (int k = 0; k < cat.table.dim(); ++k) {
        ASSERT_NEAR(r.Interest(i)[k], ref.interest[k], 2e-4) << i << " " << k;
      }
    }
  }
}

TEST(TargetAttention, ActionAndRecencyWeightsShiftTheMass) {
  const SyntheticCatalogue& cat = Catalogue();
  const ProductId x = 1234, cand = cat.items_of_category[cat.table.Category(x)][3];
  const LongHistoryConfig config;
  auto log_mass = [&](EventType action, SimMinute minute, SimMinute now) {
    BehaviourStore store(cat.table);
    store.Append(0, x, action, minute);
    TargetAttention attention;
    TargetAttentionResult r;
    attention.Score(store.Find(0), cat.table, std::vector<ProductId>{cand}, now, &r);
    return r.candidates[0].log_mass;
  };
  const SimMinute t = 100000, day = kMinutesPerDay;
  // A purchase weighs 5, an organic view 0.5: the mass differs by log(10).
  EXPECT_NEAR(log_mass(EventType::kPurchase, t, t) - log_mass(EventType::kOrganicView, t, t),
              std::log(10.0), 1e-5);
  // One half-life older: half the mass.
  const SimMinute half_life = static_cast<SimMinute>(config.half_life_days * day);
  EXPECT_NEAR(log_mass(EventType::kClick, t, t + half_life) - log_mass(EventType::kClick, t, t),
              -std::log(2.0), 1e-4);
}

// ---- Invariances --------------------------------------------------------------------------------

TEST(TargetAttention, ScoresIgnoreOtherCandidatesTheirOrderAndOtherUsers) {
  const SyntheticCatalogue& cat = Catalogue();
  const SyntheticUser user = TestUser(4000, 31), other = TestUser(3000, 32);
  RandomStream rng(3);
  std::vector<ProductId> cands = MakeSyntheticRequest(cat, user, 101, rng);
  BehaviourStore alone(cat.table), shared(cat.table);
  for (const Behaviour& b : user.history) alone.Append(0, b.item, b.action, b.minute);
  for (size_t i = 0; i < user.history.size(); ++i) {  // interleaved with two other users
    const Behaviour& b = user.history[i];
    if (i < other.history.size())
      shared.Append(4, other.history[i].item, other.history[i].action, other.history[i].minute);
    shared.Append(2, b.item, b.action, b.minute);
    if (i < other.history.size())
      shared.Append(9, other.history[i].item, EventType::kLike, other.history[i].minute);
  }
  const SimMinute now = user.history.back().minute + 10;
  for (BehaviourSearch search : {BehaviourSearch::kSoft, BehaviourSearch::kHard}) {
    TargetAttentionOptions o;
    o.search = search;
    TargetAttention attention(o);
    TargetAttentionResult batch, users, one, reversed;
    attention.Score(alone.Find(0), cat.table, cands, now, &batch);
    attention.Score(shared.Find(2), cat.table, cands, now, &users);
    ExpectIdentical(batch, users);
    std::vector<ProductId> rev(cands.rbegin(), cands.rend());
    attention.Score(alone.Find(0), cat.table, rev, now, &reversed);
    for (size_t i = 0; i < cands.size(); ++i) {
      attention.Score(alone.Find(0), cat.table, std::span(&cands[i], 1), now, &one);
      const size_t j = cands.size() - 1 - i;
      ASSERT_EQ(one.candidates[0].score, batch.candidates[i].score) << i;
      ASSERT_EQ(one.candidates[0].log_mass, batch.candidates[i].log_mass) << i;
      ASSERT_EQ(reversed.candidates[j].score, batch.candidates[i].score) << i;
      ASSERT_EQ(std::memcmp(one.Interest(0), batch.Interest(i), cat.table.dim() * sizeof(float)),
                0);
    }
  }
}

TEST(TargetAttention, ScoresIgnoreATimeShiftAndItemRelabelling) {
  const SyntheticCatalogue& cat = Catalogue();
  const SyntheticUser user = TestUser(3000, 41);
  RandomStream rng(5);
  const std::vector<ProductId> cands = MakeSyntheticRequest(cat, user, 80, rng);
  const SimMinute now = user.history.back().minute + 100, shift = 5000000;

  // Relabelled table: item i becomes perm[i], same row and category.
  const size_t n = cat.table.size();
  std::vector<ProductId> perm = Iota(n);
  RandomStream prng(8);
  for (size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[prng.Below(i)]);
  std::vector<float> rows(n * cat.table.dim());
  std::vector<CategoryId> category(n);
  for (size_t i = 0; i < n; ++i) {
    std::copy_n(cat.table.Row(static_cast<ProductId>(i)), cat.table.dim(),
                &rows[perm[i] * cat.table.dim()]);
    category[perm[i]] = cat.table.Category(static_cast<ProductId>(i));
  }
  const ItemEmbeddingTable relabelled(cat.table.dim(), std::move(rows), std::move(category), 7);

  BehaviourStore base(cat.table), shifted(cat.table), renamed(relabelled);
  for (const Behaviour& b : user.history) {
    base.Append(0, b.item, b.action, b.minute);
    shifted.Append(0, b.item, b.action, b.minute + shift);
    renamed.Append(0, perm[b.item], b.action, b.minute);
  }
  std::vector<ProductId> renamed_cands;
  for (ProductId c : cands) renamed_cands.push_back(perm[c]);
  for (BehaviourSearch search : {BehaviourSearch::kSoft, BehaviourSearch::kHard}) {
    TargetAttentionOptions o;
    o.search = search;
    TargetAttention attention(o);
    TargetAttentionResult a, b, c;
    attention.Score(base.Find(0), cat.table, cands, now, &a);
    attention.Score(shifted.Find(0), cat.table, cands, now + shift, &b);
    attention.Score(renamed.Find(0), relabelled, renamed_cands, now, &c);
    ExpectIdentical(a, b);
    ExpectIdentical(a, c);
  }
}

TEST(TargetAttention, ScoresIgnoreTheLengthOfEmbeddingRows) {
  const SyntheticCatalogue& cat = Catalogue();
  const int d = cat.table.dim();
  std::vector<float> rows(cat.table.size() * d);
  std::vector<CategoryId> category(cat.table.size());
  for (size_t i = 0; i < cat.table.size(); ++i) {
    const float scale = 0.1f + static_cast<float>(i % 17);
    for (int k = 0; k < d; ++k)
      rows[i * d + k] = scale * cat.table.Row(static_cast<ProductId>(i))[k];
    category[i] = cat.table.Category(static_cast<ProductId>(i));
  }
  const ItemEmbeddingTable scaled(d, std::move(rows), std::move(category), 7);
  const SyntheticUser user = TestUser(2000, 43);
  RandomStream rng(6);
  const std::vector<ProductId> cands = MakeSyntheticRequest(cat, user, 50, rng);
  BehaviourStore a(cat.table), b(scaled);
  for (const Behaviour& x : user.history) {
    a.Append(0, x.item, x.action, x.minute);
    b.Append(0, x.item, x.action, x.minute);
  }
  TargetAttention attention;
  TargetAttentionResult ra, rb;
  attention.Score(a.Find(0), cat.table, cands, user.history.back().minute, &ra);
  attention.Score(b.Find(0), scaled, cands, user.history.back().minute, &rb);
  for (size_t i = 0; i < cands.size(); ++i) {
    EXPECT_NEAR(ra.candidates[i].score, rb.candidates[i].score, 1e-5);
    EXPECT_NEAR(ra.candidates[i].log_mass, rb.candidates[i].log_mass, 1e-4);
  }
}

// ---- Bad input ----------------------------------------------------------------------------------

template <typename E, typename F>
std::string Message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception";
  return "";
}

TEST(BehaviourStore, RejectsBadInputWithClearErrorsAndStaysUnchanged) {
  const SyntheticCatalogue& cat = Catalogue();
  BehaviourStore store(cat.table);
  store.Append(0, 5, EventType::kClick, 1000);
  store.Append(0, 6, EventType::kPurchase, 1000);  // same minute is fine
  EXPECT_NE(Message<ItemEmbeddingError>([&] {
              store.Append(0, 20000, EventType::kClick, 1001);
            }).find("item 20000 is not in the embedding table"),
            std::string::npos);
  const std::string old =
      Message<BehaviourError>([&] { store.Append(0, 7, EventType::kClick, 999); });
  EXPECT_NE(old.find("minute 999"), std::string::npos) << old;
  EXPECT_NE(old.find("older than the user's last event (minute 1000)"), std::string::npos) << old;
  EXPECT_NE(Message<BehaviourError>([&] {
              store.Append(0, 7, EventType::kImpression, 1001);
            }).find("has weight 0"),
            std::string::npos);
  EXPECT_NE(Message<BehaviourError>([&] {
              store.Append(kNoId, 7, EventType::kClick, 1001);
            }).find("no user"),
            std::string::npos);
  // Nothing changed, and a rejected first event creates no user.
  EXPECT_EQ(store.Find(0)->events(), 2u);
  EXPECT_EQ(store.Find(0)->distinct(), 2u);
  EXPECT_THROW(store.Append(1, 99999, EventType::kClick, 1), ItemEmbeddingError);
  EXPECT_EQ(store.Find(1), nullptr);
  EXPECT_EQ(store.users(), 1u);
  // Observe() skips what is not a behaviour and appends what is.
  Event e;
  e.user = 0;
  e.product = 8;
  e.minute = 2000;
  e.type = EventType::kImpression;
  EXPECT_FALSE(store.Observe(e));
  e.type = EventType::kSearch;
  e.product = kNoId;
  EXPECT_FALSE(store.Observe(e));
  e.type = EventType::kAddToCart;
  e.product = 8;
  EXPECT_TRUE(store.Observe(e));
  EXPECT_EQ(store.Find(0)->events(), 3u);
  EXPECT_EQ(store.Find(0)->action_counts()[static_cast<int>(EventType::kAddToCart)], 1u);

  // Unknown candidates: an error, and the result is not touched.
  TargetAttention attention;
  TargetAttentionResult r;
  r.dim = -1;
  const std::vector<ProductId> cands = {1, 2, 123456};
  EXPECT_NE(Message<ItemEmbeddingError>([&] {
              attention.Score(store.Find(0), cat.table, cands, 3000, &r);
            }).find("target attention candidate: item 123456"),
            std::string::npos);
  EXPECT_EQ(r.dim, -1);
}

TEST(BehaviourStore, RejectsBadConfigTablesAndOptions) {
  const SyntheticCatalogue& cat = Catalogue();
  LongHistoryConfig bad;
  bad.half_life_days = 0;
  EXPECT_THROW(BehaviourStore(cat.table, bad), BehaviourError);
  bad = {};
  bad.action_weight[1] = -1;
  EXPECT_NE(Message<BehaviourError>([&] { BehaviourStore s(cat.table, bad); }).find("'click'"),
            std::string::npos);
  EXPECT_NE(Message<ItemEmbeddingError>([] {
              ItemEmbeddingTable t(2, {1, 0, 0, 0}, {0, 0});
            }).find("item 1 has a zero"),
            std::string::npos);
  EXPECT_THROW(ItemEmbeddingTable(2, {1, 0, 0}, {0, 0}), ItemEmbeddingError);
  TargetAttentionOptions o;
  o.shortlist = 8;
  o.top_k = 16;
  EXPECT_THROW(TargetAttention{o}, BehaviourError);
  // Scoring against another table than the store's is refused.
  BehaviourStore store(cat.table);
  store.Append(0, 1, EventType::kClick, 1);
  const ItemEmbeddingTable other(2, {1, 0, 0, 1}, {0, 0});
  TargetAttention attention;
  TargetAttentionResult r;
  EXPECT_THROW(attention.Score(store.Find(0), other, std::vector<ProductId>{0}, 2, &r),
               BehaviourError);
}

TEST(TargetAttention, EmptyHistoryScoresZeroWithNoMass) {
  const SyntheticCatalogue& cat = Catalogue();
  TargetAttention attention;
  TargetAttentionResult r;
  attention.Score(nullptr, cat.table, Iota(5), 0, &r);
  ASSERT_EQ(r.candidates.size(), 5u);
  for (const auto& c : r.candidates) {
    EXPECT_EQ(c.score, 0.0f);
    EXPECT_EQ(c.behaviours, 0u);
    EXPECT_TRUE(std::isinf(c.log_mass) && c.log_mass < 0);
  }
}

// ---- Memory and the benchmark -------------------------------------------------------------------

TEST(BehaviourStore, MemoryPerEventIsSmall) {
  const SyntheticCatalogue& cat = Catalogue();
  SyntheticUserSpec spec;
  spec.events = 15000;
  spec.all_distinct = true;  // worst case: every event a new slot
  const SyntheticUser user = MakeSyntheticUser(cat, spec);
  BehaviourStore store(cat.table);
  for (const Behaviour& b : user.history) store.Append(0, b.item, b.action, b.minute);
  ASSERT_EQ(store.Find(0)->distinct(), 15000u);
  const double per_event = double(store.MemoryBytes()) / 15000;
  EXPECT_GT(per_event, 9 + 24 + 12 + 16);  // the documented floor: raw + slot + list + index
  EXPECT_LT(per_event, 2.2 * (9 + 24 + 12 + 32));  // vectors at most double their contents
  // Repeated items cost only the raw 9 bytes per event (plus slack of geometric growth).
  BehaviourStore repeats(cat.table);
  for (SimMinute m = 0; m < 15000; ++m) repeats.Append(0, m % 100, EventType::kClick, m);
  EXPECT_LT(double(repeats.MemoryBytes()) / 15000, 2.2 * 9 + 1);
}

TEST(LongHistoryBench, QuickRunHasTheDocumentedShape) {
  LongHistoryBenchOptions o;
  o.quick = true;
  o.requests = 2;
  o.candidates = 20;
  o.progress = false;
  const nlohmann::json j = RunLongHistoryBench(o);
  ASSERT_EQ(j["latency"].size(), 4u);
  const std::vector<size_t> lengths = {100, 1000, 10000, 100000};
  for (size_t i = 0; i < 4; ++i) {
    const auto& row = j["latency"][i];
    EXPECT_EQ(row["history"].get<size_t>(), lengths[i]);
    EXPECT_GE(row["p99_ms"].get<double>(), row["p50_ms"].get<double>());
    EXPECT_GE(row["cpu_p99_ms"].get<double>(), row["cpu_p50_ms"].get<double>());
    EXPECT_GE(row["hard_p99_ms"].get<double>(), row["hard_p50_ms"].get<double>());
    EXPECT_GT(row["distinct_items"].get<size_t>(), 0u);
    EXPECT_EQ(j["latency_all_distinct"][i]["distinct_items"].get<size_t>(), lengths[i]);
  }
  EXPECT_GT(j["append_ns"].get<double>(), 0);
  EXPECT_FALSE(FormatLongHistoryBench(j).empty());
}

}  // namespace
}  // namespace cf
