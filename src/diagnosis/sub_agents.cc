#include "diagnosis/sub_agents.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace cf::diagnosis {

std::string_view CauseName(CauseKind c) {
  switch (c) {
    case CauseKind::kCreativeWearOut:
      return "creative_wear_out";
    case CauseKind::kCompetitorPriceCut:
      return "competitor_price_cut";
    case CauseKind::kAuctionLandscape:
      return "auction_landscape";
    case CauseKind::kChannelMix:
      return "channel_mix";
    case CauseKind::kBudgetLimited:
      return "budget_limited";
    case CauseKind::kRoiTargetLimited:
      return "roi_target_limited";
    case CauseKind::kTrackingOutage:
      return "tracking_outage";
  }
  return "?";
}

std::string_view ActionName(Action::Type t) {
  switch (t) {
    case Action::Type::kRotateCreative:
      return "rotate_creative";
    case Action::Type::kCoupon:
      return "coupon";
    case Action::Type::kMoveBudget:
      return "move_budget";
    case Action::Type::kRelaxRoiTarget:
      return "relax_roi_target";
    case Action::Type::kRaiseBudget:
      return "raise_budget";
    case Action::Type::kCheckTracking:
      return "check_tracking";
  }
  return "?";
}

KpiCounts DiagnosisInput::TotalBefore() const {
  KpiCounts t;
  for (const auto& c : channel_before) t += c;
  return t;
}

KpiCounts DiagnosisInput::TotalAfter() const {
  KpiCounts t;
  for (const auto& c : channel_after) t += c;
  return t;
}

namespace {

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

// Two-proportion z score of (after - before); 0 without data.
double ProportionZ(double k_before, double n_before, double k_after, double n_after) {
  if (n_before <= 0 || n_after <= 0) return 0;
  const double p = (k_before + k_after) / (n_before + n_after);
  const double se = std::sqrt(std::max(p * (1 - p), 1e-12) * (1 / n_before + 1 / n_after));
  return (k_after / n_after - k_before / n_before) / se;
}

// Strength of evidence in [0, 1) from a z score (|z| = 3 -> 0.53, 6 -> 0.78).
double Strength(double z) { return 1 - std::exp(-std::abs(z) / 4); }

std::string Pct(double x) { return fmt::format("{:.2f}%", 100 * x); }

// The plan's before and after windows per channel, as ROI-decomposition segments.
std::vector<RoiSegment> ChannelSegments(const DiagnosisInput& in) {
  std::vector<RoiSegment> segs;
  for (Channel c : kAllChannels) {
    segs.push_back({std::string(ChannelName(c)), in.channel_before[static_cast<size_t>(c)],
                    in.channel_after[static_cast<size_t>(c)]});
  }
  return segs;
}

// How much the plan's CTR moves from its channel mix alone: the CTR the after window would have
// had at each channel's before-window CTR, over the before window's CTR (1 = no mix effect).
// Channels differ in CTR, so traffic moving between them moves every creative's CTR with it.
double CtrMixFactor(const DiagnosisInput& in) {
  const KpiCounts b = in.TotalBefore(), a = in.TotalAfter();
  if (b.impressions <= 0 || b.clicks <= 0 || a.impressions <= 0) return 1;
  const double ctr_b = b.clicks / b.impressions;
  double expected = 0;  // after-window clicks at before-window CTRs
  for (size_t c = 0; c < kNumChannels; ++c) {
    const KpiCounts& cb = in.channel_before[c];
    // A channel without before-window impressions counts at the plan's CTR (no evidence).
    const double ctr = cb.impressions > 0 ? cb.clicks / cb.impressions : ctr_b;
    expected += in.channel_after[c].impressions * ctr;
  }
  return expected / a.impressions / ctr_b;
}

}  // namespace

std::vector<Hypothesis> CreativeAgent(const DiagnosisInput& in) {
  // Creatives whose CTR fell while they were exposed more, judged against their before CTR
  // carried to the after window's channel mix. A plan served from pools (several variants per
  // product) spreads a wear-out over many creatives, each with a small share of the traffic, so
  // the evidence is pooled over every creative that was exposed more in the after window (not
  // only over those that fell, which would find a pooled fall in noise): their clicks before
  // and after, and their share of the plan's impressions. The ones that fell (z <= -2) are named
  // and rotated. One creative alone is the special case.
  constexpr double kFallingZ = -2;
  // The pooled fall must be clear: z <= -3 when asked once (a merchant's diagnose), and what the
  // monitor asks of any alert (|z| >= 4) when asked by the live watch (a trigger is set): that is
  // at every alert, over several windows, and a looser bar finds falls in ordinary variation.
  const double pooled_bar = in.trigger ? -4 : -3;
  // ... and the ones that fell must have lost a tenth of their CTR or more together, beyond their
  // usual ageing (below): a small fall that a plan with much traffic shows as significant does
  // not explain a KPI move.
  constexpr double kMinFall = 0.10;
  const KpiCounts total = in.TotalAfter();
  const double mix = CtrMixFactor(in);
  struct Falling {
    const CreativeWindow* c;
    double z, share;
  };
  // Clicks and impressions before (clicks at the after window's mix) and after, summed.
  struct Pooled {
    double kb = 0, nb = 0, ka = 0, na = 0;
    void Add(const CreativeWindow& c, double mix) {
      kb += c.before.clicks * mix;
      nb += c.before.impressions;
      ka += c.after.clicks;
      na += c.after.impressions;
    }
    double z() const { return ProportionZ(kb, nb, ka, na); }
    double ctr_before() const { return Ratio(kb, nb); }
    double ctr_after() const { return Ratio(ka, na); }
  };
  auto exposed_more = [](const CreativeWindow& c) {
    return c.exposures_after > c.exposures_before && c.before.impressions > 0 &&
           c.after.impressions > 0;
  };
  // How fast these creatives usually age: their pooled CTR over the last day before the before
  // window against the day before that. Creatives age and users tire of them every day, so the
  // before window's CTR, one day old, is expected a day's ageing lower by now; wear-out is a fall
  // beyond that. Taken only when it is a clear fall (the day-on-day ratio's upper 2-sigma bound
  // below 1, its value at most halving): otherwise nothing is assumed (1).
  const double ageing = [&] {
    double k0 = 0, n0 = 0, k1 = 0, n1 = 0;
    for (const CreativeWindow& c : in.creatives) {
      if (!exposed_more(c) || c.day_earlier.clicks <= 0 || c.day_before.impressions <= 0) continue;
      k0 += c.day_earlier.clicks;
      n0 += c.day_earlier.impressions;
      k1 += c.day_before.clicks;
      n1 += c.day_before.impressions;
    }
    if (k0 <= 0 || k1 <= 0) return 1.0;
    const double ratio = (k1 / n1) / (k0 / n0);
    const double se = ratio * std::sqrt(1 / k0 + 1 / k1);  // delta method on the log ratio
    return ratio + 2 * se < 1 ? std::max(0.5, ratio) : 1.0;
  }();
  std::vector<Falling> falling;
  Pooled exposed, fell;  // the creatives exposed more; those of them that fell
  for (const CreativeWindow& c : in.creatives) {
    if (!exposed_more(c)) continue;
    exposed.Add(c, mix * ageing);
    const double z = ProportionZ(c.before.clicks * mix * ageing, c.before.impressions,
                                 c.after.clicks, c.after.impressions);
    if (z > kFallingZ) continue;
    falling.push_back({&c, z, Ratio(c.after.impressions, total.impressions)});
    fell.Add(c, mix * ageing);
  }
  const double z = exposed.z();
  if (falling.empty() || z > pooled_bar || fell.ctr_after() > (1 - kMinFall) * fell.ctr_before()) {
    return {};
  }
  const double share = Ratio(exposed.na, total.impressions);
  // The worst first: the strongest evidence weighted by traffic.
  std::sort(falling.begin(), falling.end(), [](const Falling& a, const Falling& b) {
    return Strength(a.z) * a.share > Strength(b.z) * b.share;
  });
  const CreativeWindow& worst = *falling.front().c;
  const double ctr_b = exposed.ctr_before(), ctr_a = exposed.ctr_after();
  Hypothesis h;
  h.cause = CauseKind::kCreativeWearOut;
  h.confidence = Strength(z) * std::min(1.0, 2 * share);
  const double worst_b = Ratio(worst.before.clicks, worst.before.impressions);
  const double worst_a = Ratio(worst.after.clicks, worst.after.impressions);
  h.evidence.push_back(
      {fmt::format("the CTR of the plan's creatives shown more in the last hours fell from {} to "
                   "{} at the same channel mix{} (z = {:.1f}, {} of the plan's impressions)",
                   Pct(ctr_b), Pct(ctr_a),
                   ageing < 1 ? fmt::format(" and after their usual ageing of {:.0f}% a day",
                                            100 * (1 - ageing))
                              : "",
                   z, Pct(share)),
       fmt::format(
           "近几小时曝光增加的素材点击率在相同渠道结构{}下从 {} 降到 {}（z = {:.1f}，占计划曝光的 "
           "{}）",
           ageing < 1 ? fmt::format("并扣除其每天 {:.0f}% 的正常衰减后", 100 * (1 - ageing)) : "",
           Pct(ctr_b), Pct(ctr_a), z, Pct(share))});
  if (falling.size() == 1) {
    h.evidence.push_back(
        {fmt::format("creative {} CTR fell from {} to {} (z = {:.1f}); its cumulative exposures "
                     "grew from {:.0f} to {:.0f}",
                     worst.name, Pct(worst_b), Pct(worst_a), falling.front().z,
                     worst.exposures_before, worst.exposures_after),
         fmt::format(
             "素材 {} 的点击率从 {} 降到 {}（z = {:.1f}）；其累计曝光从 {:.0f} 增加到 {:.0f}",
             worst.name, Pct(worst_b), Pct(worst_a), falling.front().z, worst.exposures_before,
             worst.exposures_after)});
  } else {
    h.evidence.push_back(
        {fmt::format("{} of the plan's {} creatives fell by themselves (z <= -2); the worst, "
                     "creative {}: CTR {} -> {}, cumulative exposures {:.0f} -> {:.0f}",
                     falling.size(), in.creatives.size(), worst.name, Pct(worst_b), Pct(worst_a),
                     worst.exposures_before, worst.exposures_after),
         fmt::format(
             "计划的 {} 个素材中有 {} 个自身显著下降（z <= -2）；最严重的素材 {}：点击率 {} -> "
             "{}，累计曝光 {:.0f} -> {:.0f}",
             in.creatives.size(), falling.size(), worst.name, Pct(worst_b), Pct(worst_a),
             worst.exposures_before, worst.exposures_after)});
  }
  // Rotate the worst few (each a ready action), each expected to win back its own CTR loss on its
  // share of the spend.
  constexpr size_t kMaxRotations = 3;
  for (size_t i = 0; i < falling.size() && i < kMaxRotations; ++i) {
    const CreativeWindow& c = *falling[i].c;
    const double b = Ratio(c.before.clicks, c.before.impressions);
    const double a_ctr = Ratio(c.after.clicks, c.after.impressions);
    Action a;
    a.type = Action::Type::kRotateCreative;
    a.plan = in.plan;
    a.target = c.creative;
    a.expected_roi_change =
        b > 0 ? std::clamp((b - a_ctr) / b, 0.0, 1.0) * Ratio(c.after.spend, total.spend) : 0;
    h.actions.push_back(a);
  }
  return {h};
}

namespace {

// A coupon matching a competitor's cut `cut` on product `p` for a week (5% steps, 5-30%), expected
// to win back half of the CVR it lost (`lost`, a share) on its share of the plan's spend.
Action MatchingCoupon(const DiagnosisInput& in, const ProductWindow& p, double cut, double lost,
                      double plan_spend) {
  Action a;
  a.type = Action::Type::kCoupon;
  a.plan = in.plan;
  a.target = p.product;
  a.amount = std::clamp(std::round(cut * 20) / 20, 0.05, 0.3);
  a.days = 7;
  a.expected_roi_change = 0.5 * std::max(0.0, lost) * Ratio(p.after.spend, plan_spend);
  return a;
}

}  // namespace

PriceCutEvidence PooledPriceCut(const DiagnosisInput& in) {
  PriceCutEvidence e;
  double weight = 0;
  for (const ProductWindow& p : in.products) {
    if (p.competitor_price_before <= 0 || p.competitor_price_after <= 0) continue;
    const double cut = 1 - p.competitor_price_after / p.competitor_price_before;
    if (cut < 0.05) continue;
    e.products.push_back(&p);
    e.before += p.reference_days > 0 ? p.reference : p.before;
    e.reference_days = std::max(e.reference_days, p.reference_days);
    e.after += p.after;
    const double w = std::max(1.0, p.after.clicks);
    e.cut += w * cut;
    weight += w;
  }
  if (weight > 0) e.cut /= weight;
  // Most clicked first: the evidence names them, and each gets a coupon (at most three).
  std::stable_sort(e.products.begin(), e.products.end(),
                   [](const ProductWindow* a, const ProductWindow* b) {
                     return a->after.clicks > b->after.clicks;
                   });
  e.z = ProportionZ(e.before.purchases, e.before.clicks, e.after.purchases, e.after.clicks);
  return e;
}

std::vector<Hypothesis> CompetitionAgent(const DiagnosisInput& in) {
  std::vector<Hypothesis> out;
  // Price cuts on promoted products with falling CVR. A cut usually hits a whole category, so the
  // products whose lowest competing price fell are pooled: their clicks and purchases together
  // give the CVR evidence that one product's few clicks cannot.
  const KpiCounts total = in.TotalAfter();
  const PriceCutEvidence pooled = PooledPriceCut(in);
  const auto& cut_products = pooled.products;
  const double z = pooled.z;
  if (!cut_products.empty() && z <= -2) {
    const double cut = pooled.cut;
    // The undercut products' share of the move being explained: of the plan's spend, or of the
    // trigger's products.
    double scope_spend = total.spend;
    if (!in.trigger_products.empty()) {
      scope_spend = 0;
      for (const ProductWindow& p : in.products) {
        if (std::find(in.trigger_products.begin(), in.trigger_products.end(), p.product) !=
            in.trigger_products.end()) {
          scope_spend += p.after.spend;
        }
      }
    }
    const double share = std::min(1.0, Ratio(pooled.after.spend, scope_spend));
    const double plan_share = Ratio(pooled.after.spend, total.spend);
    const std::string ref_en =
        pooled.reference_days > 1
            ? fmt::format(" (against the same hours of the {} days before)", pooled.reference_days)
            : "";
    const std::string ref_zh = pooled.reference_days > 1
                                   ? fmt::format("（对比前 {} 天同时段）", pooled.reference_days)
                                   : "";
    const ProductWindow& lead = *cut_products.front();
    const double lead_cut = 1 - lead.competitor_price_after / lead.competitor_price_before;
    Hypothesis h;
    h.cause = CauseKind::kCompetitorPriceCut;
    h.confidence = Strength(z) * std::min(1.0, 2 * share) * std::min(1.0, cut / 0.1);
    h.evidence.push_back(
        {fmt::format("the lowest competing price for {} fell {:.0f}% ({:.2f} -> {:.2f}); ours "
                     "is {:.2f}",
                     lead.name, 100 * lead_cut, lead.competitor_price_before,
                     lead.competitor_price_after, lead.own_price),
         fmt::format("{} 的竞品最低价下降 {:.0f}%（{:.2f} -> {:.2f}），我方价格 {:.2f}", lead.name,
                     100 * lead_cut, lead.competitor_price_before, lead.competitor_price_after,
                     lead.own_price)});
    const double cvr_b = Ratio(pooled.before.purchases, pooled.before.clicks);
    const double cvr_a = Ratio(pooled.after.purchases, pooled.after.clicks);
    if (cut_products.size() == 1) {
      h.evidence.push_back({fmt::format("its CVR fell from {} to {}{} (z = {:.1f})", Pct(cvr_b),
                                        Pct(cvr_a), ref_en, z),
                            fmt::format("其转化率从 {} 降到 {}{}（z = {:.1f}）", Pct(cvr_b),
                                        Pct(cvr_a), ref_zh, z)});
    } else {
      h.evidence.push_back(
          {fmt::format("competitors undercut {} of our promoted products (on average by {:.0f}%); "
                       "their CVR together fell from {} to {}{} (z = {:.1f}), {} of the plan's "
                       "spend",
                       cut_products.size(), 100 * cut, Pct(cvr_b), Pct(cvr_a), ref_en, z,
                       Pct(plan_share)),
           fmt::format(
               "竞品对我方 {} 个推广商品降价（平均 {:.0f}%）；这些商品的转化率合计从 {} 降到 "
               "{}{}（z = {:.1f}），占计划花费的 {}",
               cut_products.size(), 100 * cut, Pct(cvr_b), Pct(cvr_a), ref_zh, z,
               Pct(plan_share))});
    }
    for (size_t k = 0; k < std::min<size_t>(3, cut_products.size()); ++k) {
      const ProductWindow& p = *cut_products[k];
      const double pc = 1 - p.competitor_price_after / p.competitor_price_before;
      const KpiCounts& ref = p.reference_days > 0 ? p.reference : p.before;
      const double pb = Ratio(ref.purchases, ref.clicks);
      const double pa = Ratio(p.after.purchases, p.after.clicks);
      // The lost CVR: the product's own, or the pooled one when it has too little data.
      const double lost = pb > 0 && ref.clicks >= 20 ? (pb - pa) / pb
                          : cvr_b > 0                ? (cvr_b - cvr_a) / cvr_b
                                                     : 0;
      h.actions.push_back(MatchingCoupon(in, p, pc, lost, total.spend));
    }
    out.push_back(std::move(h));
  }
  // Auction landscape: clearing prices up and win rate down. Not while the plan's budget is spent:
  // then it loses auctions because it stopped bidding, whatever the landscape did.
  const KpiCounts tb = in.TotalBefore();
  const bool budget_spent = in.daily_budget > 0 && in.budget_spent_share >= 0.98;
  if (!budget_spent && in.clearing_cpm_before > 0 && tb.auctions > 0 && total.auctions > 0) {
    const double rise = in.clearing_cpm_after / in.clearing_cpm_before - 1;
    const double z = ProportionZ(tb.wins, tb.auctions, total.wins, total.auctions);
    if (rise >= 0.1 && z <= -3) {
      Hypothesis h;
      h.cause = CauseKind::kAuctionLandscape;
      h.confidence = Strength(z) * std::min(1.0, rise / 0.3);
      h.evidence.push_back(
          {fmt::format("clearing CPM rose {:.0f}% ({:.2f} -> {:.2f})", 100 * rise,
                       in.clearing_cpm_before, in.clearing_cpm_after),
           fmt::format("成交千次展示价格上涨 {:.0f}%（{:.2f} -> {:.2f}）", 100 * rise,
                       in.clearing_cpm_before, in.clearing_cpm_after)});
      h.evidence.push_back(
          {fmt::format("win rate fell from {} to {}", Pct(Ratio(tb.wins, tb.auctions)),
                       Pct(Ratio(total.wins, total.auctions))),
           fmt::format("竞得率从 {} 降到 {}", Pct(Ratio(tb.wins, tb.auctions)),
                       Pct(Ratio(total.wins, total.auctions)))});
      Action a;
      a.type = Action::Type::kRelaxRoiTarget;
      a.plan = in.plan;
      a.amount = 0.1;
      a.expected_roi_change = -0.05;  // more volume at a slightly lower ROI
      h.actions.push_back(a);
      out.push_back(std::move(h));
    }
  }
  return out;
}

std::vector<Hypothesis> ChannelAgent(const DiagnosisInput& in) {
  // The traffic mix: the share of the plan's auctions (opportunities it entered, whatever it bid)
  // per channel. Our own bids and budget move wins and spend across channels, not these shares;
  // a shift in them is the users moving.
  // A plan whose budget for today is spent enters no auctions at all: its shares in the window
  // then say when it ran out (the channels' traffic peaks at different hours), not where the users
  // went.
  if (in.daily_budget > 0 && in.budget_spent_share >= 0.98) return {};
  const KpiCounts tb = in.TotalBefore(), ta = in.TotalAfter();
  if (tb.auctions <= 0 || ta.auctions <= 0) return {};
  int lost = -1, gained = -1;
  double lost_shift = 0, gained_shift = 0, lost_z = 0;
  for (size_t c = 0; c < kNumChannels; ++c) {
    const double sb = in.channel_before[c].auctions / tb.auctions;
    const double sa = in.channel_after[c].auctions / ta.auctions;
    if (sa - sb < lost_shift) {
      lost_shift = sa - sb;
      lost = static_cast<int>(c);
      lost_z = ProportionZ(in.channel_before[c].auctions, tb.auctions, in.channel_after[c].auctions,
                           ta.auctions);
    }
    if (sa - sb > gained_shift) {
      gained_shift = sa - sb;
      gained = static_cast<int>(c);
    }
  }
  // A real shift: 8 points or more of the traffic, beyond sampling noise.
  if (lost < 0 || gained < 0 || -lost_shift < 0.08 || lost_z > -4) return {};
  const RoiDecomposition d = DecomposeRoi(ChannelSegments(in));
  const RoiEffect& mix = d.effects[static_cast<size_t>(RoiFactor::kMix)];
  const auto name = [](int c) { return ChannelName(static_cast<Channel>(c)); };
  auto share = [&](int c, bool after) {  // of the plan's auctions in the window
    return after ? Ratio(in.channel_after[static_cast<size_t>(c)].auctions, ta.auctions)
                 : Ratio(in.channel_before[static_cast<size_t>(c)].auctions, tb.auctions);
  };
  Hypothesis h;
  h.cause = CauseKind::kChannelMix;
  h.confidence = Strength(lost_z) * std::min(1.0, -lost_shift / 0.15) * 0.9;
  h.evidence.push_back(
      {fmt::format("the plan's traffic moved between channels: {} fell from {} to {} of its "
                   "auctions (z = {:.1f}), {} rose from {} to {}",
                   name(lost), Pct(share(lost, false)), Pct(share(lost, true)), lost_z,
                   name(gained), Pct(share(gained, false)), Pct(share(gained, true))),
       fmt::format("计划流量在渠道间转移：{} 占竞价机会的比例从 {} 降到 {}（z = {:.1f}），{} 从 {} "
                   "升到 {}",
                   name(lost), Pct(share(lost, false)), Pct(share(lost, true)), lost_z,
                   name(gained), Pct(share(gained, false)), Pct(share(gained, true)))});
  if (d.roi_before > 0 && d.total_change < 0) {
    h.evidence.push_back(
        {fmt::format("{:.0f}% of the ROI change ({:.2f} -> {:.2f}) comes from the channel mix",
                     100 * Ratio(mix.effect, d.total_change), d.roi_before, d.roi_after),
         fmt::format("ROI 变化（{:.2f} -> {:.2f}）的 {:.0f}% 来自渠道结构", d.roi_before,
                     d.roi_after, 100 * Ratio(mix.effect, d.total_change))});
  }
  // Follow the users, unless the channel they moved to returns less than the one they left; then
  // keep the budget where the return is.
  const KpiCounts& from_a = in.channel_after[static_cast<size_t>(lost)];
  const KpiCounts& to_a = in.channel_after[static_cast<size_t>(gained)];
  const double roi_lost = Ratio(from_a.gmv, from_a.spend), roi_gained = Ratio(to_a.gmv, to_a.spend);
  Action a;
  a.type = Action::Type::kMoveBudget;
  a.plan = in.plan;
  const bool follow = to_a.spend <= 0 || from_a.spend <= 0 || roi_gained >= roi_lost;
  a.from = static_cast<Channel>(follow ? lost : gained);
  a.to = static_cast<Channel>(follow ? gained : lost);
  a.amount = 0.2;
  a.expected_roi_change = d.roi_after > 0
                              ? Ratio(0.2 * std::abs(roi_gained - roi_lost) *
                                          Ratio((follow ? from_a : to_a).spend, ta.spend),
                                      d.roi_after)
                              : 0;
  h.actions.push_back(a);
  return {h};
}

std::vector<Hypothesis> BudgetBidAgent(const DiagnosisInput& in) {
  std::vector<Hypothesis> out;
  if (in.daily_budget > 0 && in.budget_spent_share >= 0.98 && in.budget_exhausted_hour < 20) {
    Hypothesis h;
    h.cause = CauseKind::kBudgetLimited;
    h.confidence = std::clamp((20 - in.budget_exhausted_hour) / 8, 0.2, 0.9);
    h.evidence.push_back(
        {fmt::format("the daily budget of {:.0f} ran out at {:.0f}:00", in.daily_budget,
                     in.budget_exhausted_hour),
         fmt::format("日预算 {:.0f} 在 {:.0f} 点耗尽", in.daily_budget, in.budget_exhausted_hour)});
    Action a;
    a.type = Action::Type::kRaiseBudget;
    a.plan = in.plan;
    a.amount = 0.2;
    h.actions.push_back(a);
    out.push_back(std::move(h));
  }
  // Today's budget was cut (an account running dry, a cap) and spend fell with it: the plan is
  // paced to the smaller budget, so it may never "run out" before the evening.
  // The same when what was left of today's budget was cut during the window (a cut late in the
  // day is small against the whole day's budget, but not against what remained to spend). That
  // cut is a fact the platform reports, not an inference: what is uncertain is only whether it
  // explains the fall, so its confidence is the share of the spend's fall since the cut that the
  // cut accounts for (a paced plan spends in proportion to what is left).
  const KpiCounts sb = in.TotalBefore(), sa = in.TotalAfter();
  const double day_cut =
      in.daily_budget_before > 0 ? 1 - in.daily_budget / in.daily_budget_before : 0;
  const bool left_cut = in.budget_left_cut > day_cut;
  const double cut = std::max(day_cut, in.budget_left_cut);
  const double fell = left_cut ? (in.spend_since_cut_day_before > 0
                                      ? 1 - in.spend_since_cut / in.spend_since_cut_day_before
                                      : 0)
                               : (sb.spend > 0 ? 1 - sa.spend / sb.spend : 0);
  if (out.empty() && cut >= 0.2 && fell >= 0.2) {
    Hypothesis h;
    h.cause = CauseKind::kBudgetLimited;
    h.confidence = left_cut ? std::clamp(0.9 * std::min(1.0, cut / fell), 0.3, 0.9)
                            : std::clamp(cut * 1.2, 0.3, 0.9);
    Action a;
    a.type = Action::Type::kRaiseBudget;
    a.plan = in.plan;
    if (!left_cut) {
      h.evidence.push_back(
          {fmt::format("today's budget is {:.0f}, down {:.0f}% from {:.0f}, and spend fell {:.0f}%",
                       in.daily_budget, 100 * cut, in.daily_budget_before, 100 * fell),
           fmt::format("今日预算 {:.0f}，比之前的 {:.0f} 减少 {:.0f}%，花费下降 {:.0f}%",
                       in.daily_budget, in.daily_budget_before, 100 * cut, 100 * fell)});
      a.amount = std::min(1.0, in.daily_budget_before / std::max(1e-9, in.daily_budget) - 1);
    } else {
      const uint32_t hh = in.budget_cut_minute / 60, mm = in.budget_cut_minute % 60;
      h.evidence.push_back(
          {fmt::format("what was left of today's budget was cut {:.0f}% at {:02}:{:02} ({:.0f} -> "
                       "{:.0f}), and spend since fell {:.0f}% against the same hours a day earlier",
                       100 * cut, hh, mm, in.budget_left_before, in.budget_left_after, 100 * fell),
           fmt::format("今日剩余预算在 {:02}:{:02} 被削减 {:.0f}%（{:.0f} -> "
                       "{:.0f}），此后花费比前一天同时段下降 "
                       "{:.0f}%",
                       hh, mm, 100 * cut, in.budget_left_before, in.budget_left_after,
                       100 * fell)});
      a.amount = std::min(1.0, in.budget_left_before / std::max(1e-9, in.budget_left_after) - 1);
      if (in.budget_cut_own) {  // a setting change: the merchant's to know, not an alarm
        h.own_setting = true;
        h.evidence.push_back(
            {"the plan's own budget was lowered at that moment", "计划自身的预算在那一刻被调低"});
      }
    }
    h.actions.push_back(a);
    out.push_back(std::move(h));
  }
  // The plan's own target went up (a person or an autopilot raised it) and delivery fell. That
  // explains less delivery, not a lower ROI or CVR (a higher target buys only the better
  // auctions), so it is not offered for those.
  const bool explainable = !in.trigger || (*in.trigger != Kpi::kRoi && *in.trigger != Kpi::kCvr);
  if (explainable && in.roi_target > 0 && in.roi_target_before > 0 &&
      in.roi_target >= 1.1 * in.roi_target_before && sb.impressions > 0 &&
      sa.impressions < 0.8 * sb.impressions) {
    const double rise = in.roi_target / in.roi_target_before - 1;
    const double fall = 1 - sa.impressions / sb.impressions;
    Hypothesis h;
    h.cause = CauseKind::kRoiTargetLimited;
    h.own_setting = true;
    h.confidence = std::clamp(std::min(1.0, rise / 0.3) * fall * 1.5, 0.1, 0.85);
    h.evidence.push_back(
        {fmt::format("the plan's ROI target rose {:.0f}% ({:.2f} -> {:.2f}) and its impressions "
                     "fell {:.0f}%",
                     100 * rise, in.roi_target_before, in.roi_target, 100 * fall),
         fmt::format("计划的 ROI 目标提高了 {:.0f}%（{:.2f} -> {:.2f}），曝光下降 {:.0f}%",
                     100 * rise, in.roi_target_before, in.roi_target, 100 * fall)});
    Action a;
    a.type = Action::Type::kRelaxRoiTarget;
    a.plan = in.plan;
    a.amount = std::min(0.3, rise / (1 + rise));  // back towards the earlier target
    a.expected_roi_change = -0.05;
    h.actions.push_back(a);
    out.push_back(std::move(h));
  } else if (in.roi_target > 0 && in.roi_capped_loss_share >= 0.5 && in.budget_spent_share < 0.8) {
    Hypothesis h;
    h.cause = CauseKind::kRoiTargetLimited;
    h.confidence = std::clamp(in.roi_capped_loss_share * (1 - in.budget_spent_share), 0.1, 0.9);
    h.evidence.push_back(
        {fmt::format("only {} of the budget was spent; {} of lost auctions were capped by the "
                     "ROI target {:.2f}",
                     Pct(in.budget_spent_share), Pct(in.roi_capped_loss_share), in.roi_target),
         fmt::format("预算仅消耗 {}；{} 的竞价失败受 ROI 目标 {:.2f} 限制",
                     Pct(in.budget_spent_share), Pct(in.roi_capped_loss_share), in.roi_target)});
    Action a;
    a.type = Action::Type::kRelaxRoiTarget;
    a.plan = in.plan;
    a.amount = 0.1;
    a.expected_roi_change = -0.05;
    h.actions.push_back(a);
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<Hypothesis> TrackingAgent(const DiagnosisInput& in) {
  const KpiCounts b = in.TotalBefore(), a = in.TotalAfter();
  const double z_ctr = ProportionZ(b.clicks, b.impressions, a.clicks, a.impressions);
  const double z_cvr = ProportionZ(b.purchases, b.clicks, a.purchases, a.clicks);
  const double cvr_b = Ratio(b.purchases, b.clicks), cvr_a = Ratio(a.purchases, a.clicks);
  if (cvr_b <= 0 || z_cvr > -3 || cvr_a > 0.2 * cvr_b || z_ctr < -3) return {};
  // Conversions vanish everywhere at once (every channel with clicks), clicks normal.
  int channels = 0, vanished = 0;
  for (size_t c = 0; c < kNumChannels; ++c) {
    const KpiCounts& cb = in.channel_before[c];
    const KpiCounts& ca = in.channel_after[c];
    if (cb.purchases < 3 || ca.clicks <= 0) continue;
    ++channels;
    if (Ratio(ca.purchases, ca.clicks) <= 0.2 * Ratio(cb.purchases, cb.clicks)) ++vanished;
  }
  if (channels == 0) return {};
  Hypothesis h;
  h.cause = CauseKind::kTrackingOutage;
  h.confidence = Strength(z_cvr) * vanished / channels;
  h.evidence.push_back(
      {fmt::format("conversions per click fell from {} to {} (z = {:.1f}) in {} of {} channels",
                   Pct(cvr_b), Pct(cvr_a), z_cvr, vanished, channels),
       fmt::format("点击转化率从 {} 降到 {}（z = {:.1f}），{}/{} 个渠道同时出现", Pct(cvr_b),
                   Pct(cvr_a), z_cvr, vanished, channels)});
  h.evidence.push_back(
      {fmt::format("while CTR stayed normal ({} -> {})", Pct(Ratio(b.clicks, b.impressions)),
                   Pct(Ratio(a.clicks, a.impressions))),
       fmt::format("而点击率正常（{} -> {}）", Pct(Ratio(b.clicks, b.impressions)),
                   Pct(Ratio(a.clicks, a.impressions)))});
  Action act;
  act.type = Action::Type::kCheckTracking;
  act.plan = in.plan;
  h.actions.push_back(act);
  return {h};
}

std::vector<Hypothesis> PriceCutNews(const DiagnosisInput& in, const PriceCutEvidence& e) {
  const KpiCounts total = in.TotalAfter();
  const double share = Ratio(e.after.spend, total.spend);
  if (e.products.empty() || e.cut < kNewsMinCut || share < kNewsMinShare) return {};
  size_t above = 0;  // undercut products whose price is now above the lowest competing one
  for (const ProductWindow* p : e.products) above += p->own_price > p->competitor_price_after;
  Hypothesis h;
  h.cause = CauseKind::kCompetitorPriceCut;
  h.confidence = 0.5 * std::min(1.0, e.cut / 0.2) * std::min(1.0, 2 * share);
  h.evidence.push_back(
      {fmt::format("competitors cut the lowest price of {} of our promoted products by {:.0f}% on "
                   "average; they hold {} of the plan's spend, and ours is now above theirs on {}",
                   e.products.size(), 100 * e.cut, Pct(share), above),
       fmt::format("竞品将我方 {} 个推广商品的同类最低价平均下调 {:.0f}%；这些商品占计划花费的 "
                   "{}，其中 {} 个我方价格已高于竞品",
                   e.products.size(), 100 * e.cut, Pct(share), above)});
  h.evidence.push_back({"their conversion rate has not had time to move yet; it is being watched",
                        "这些商品的转化率尚未来得及变化，正在持续观察"});
  for (size_t k = 0; k < std::min<size_t>(3, e.products.size()); ++k) {
    const ProductWindow& p = *e.products[k];
    const double pc = 1 - p.competitor_price_after / p.competitor_price_before;
    // Until the CVR shows it, a cut is taken to cost about as much CVR as its size.
    h.actions.push_back(MatchingCoupon(in, p, pc, pc, total.spend));
  }
  return {h};
}

std::vector<Hypothesis> BudgetCutNews(const DiagnosisInput& in) {
  const double usual = in.usual_rest_of_day_spend;
  if (in.budget_left_cut < kBudgetNewsMinCut || !(usual > 0)) return {};
  const double taken =
      (std::min(in.budget_left_before, usual) - std::min(in.budget_left_after, usual)) / usual;
  if (taken < kBudgetNewsMinShortfall) return {};
  Hypothesis h;
  h.cause = CauseKind::kBudgetLimited;
  h.confidence = std::min(0.9, 0.4 + taken);
  const uint32_t hh = in.budget_cut_minute / 60, mm = in.budget_cut_minute % 60;
  h.evidence.push_back(
      {fmt::format("what was left of today's budget was cut {:.0f}% at {:02}:{:02} ({:.0f} -> "
                   "{:.0f}) with no change to the plan's own budget: the account may have run dry",
                   100 * in.budget_left_cut, hh, mm, in.budget_left_before, in.budget_left_after),
       fmt::format("今日剩余预算在 {:02}:{:02} 被削减 {:.0f}%（{:.0f} -> {:.0f}），"
                   "而计划自身的预算没有改动：账户余额可能已不足",
                   hh, mm, 100 * in.budget_left_cut, in.budget_left_before, in.budget_left_after)});
  h.evidence.push_back(
      {fmt::format("at its usual pace the plan spends {:.0f} over the rest of the day (the same "
                   "hours a day earlier): the cut takes {:.0f}% of that delivery until the budget "
                   "is restored",
                   usual, 100 * taken),
       fmt::format("按平常的节奏，计划在今天余下时段花费 {:.0f}（前一天同时段）：此次削减将使这部分"
                   "投放减少 {:.0f}%，直到预算恢复",
                   usual, 100 * taken)});
  Action a;
  a.type = Action::Type::kRaiseBudget;
  a.plan = in.plan;
  a.amount = std::min(1.0, in.budget_left_before / std::max(1e-9, in.budget_left_after) - 1);
  h.actions.push_back(a);
  return {h};
}

Diagnosis DiagnosisOf(const DiagnosisInput& in, std::vector<Hypothesis> hypotheses) {
  Diagnosis d;
  d.plan = in.plan;
  d.roi = DecomposeRoi(ChannelSegments(in));
  d.hypotheses = std::move(hypotheses);
  return d;
}

Diagnosis Coordinate(const DiagnosisInput& in) {
  Diagnosis d;
  d.plan = in.plan;
  d.roi = DecomposeRoi(ChannelSegments(in));
  for (auto* agent :
       {&TrackingAgent, &CreativeAgent, &CompetitionAgent, &ChannelAgent, &BudgetBidAgent}) {
    for (Hypothesis& h : agent(in)) d.hypotheses.push_back(std::move(h));
  }
  std::stable_sort(
      d.hypotheses.begin(), d.hypotheses.end(),
      [](const Hypothesis& a, const Hypothesis& b) { return a.confidence > b.confidence; });
  // External causes without real support are leads, not causes: a diagnosis that names a cause
  // at a few percent confidence raises an alarm nobody should act on.
  auto weak = std::stable_partition(
      d.hypotheses.begin(), d.hypotheses.end(),
      [](const Hypothesis& h) { return h.own_setting || h.confidence >= kExternalCauseFloor; });
  d.leads.assign(std::make_move_iterator(weak), std::make_move_iterator(d.hypotheses.end()));
  d.hypotheses.erase(weak, d.hypotheses.end());
  // An external cause (all have real support now) outranks the plan's own setting change: a
  // fault often prompts that very change (a person raises the target when ROI falls).
  if (!d.hypotheses.empty() && d.hypotheses.front().own_setting) {
    auto ext = std::find_if(d.hypotheses.begin(), d.hypotheses.end(),
                            [](const Hypothesis& h) { return !h.own_setting; });
    if (ext != d.hypotheses.end()) std::rotate(d.hypotheses.begin(), ext, ext + 1);
  }
  return d;
}

}  // namespace cf::diagnosis
