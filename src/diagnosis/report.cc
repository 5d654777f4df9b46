#include "diagnosis/report.h"

#include <fmt/format.h>

#include <cmath>
#include <span>
#include <stdexcept>
#include <string_view>

namespace cf::diagnosis {

Lang ParseLang(std::string_view text) {
  if (text == "en" || text == "en-US") return Lang::kEn;
  if (text == "zh" || text == "zh-CN" || text == "cn") return Lang::kZh;
  throw std::invalid_argument(fmt::format("unknown report language '{}': use en or zh", text));
}

namespace {

std::string CreativeName(const DiagnosisInput& in, uint32_t id) {
  for (const auto& c : in.creatives) {
    if (c.creative == id) return c.name.empty() ? fmt::format("#{}", id) : c.name;
  }
  return fmt::format("#{}", id);
}

std::string ProductName(const DiagnosisInput& in, uint32_t id) {
  for (const auto& p : in.products) {
    if (p.product == id) return p.name.empty() ? fmt::format("#{}", id) : p.name;
  }
  return fmt::format("#{}", id);
}

std::string_view CauseText(CauseKind c, Lang lang) {
  const bool zh = lang == Lang::kZh;
  switch (c) {
    case CauseKind::kCreativeWearOut:
      return zh ? "素材疲劳" : "creative wear-out";
    case CauseKind::kCompetitorPriceCut:
      return zh ? "竞品降价" : "a competitor's price cut";
    case CauseKind::kAuctionLandscape:
      return zh ? "竞价环境变化（竞争加剧）" : "a tougher auction landscape";
    case CauseKind::kChannelMix:
      return zh ? "渠道结构变化" : "a shift in the channel mix";
    case CauseKind::kBudgetLimited:
      return zh ? "预算不足导致投放受限" : "delivery limited by the budget";
    case CauseKind::kRoiTargetLimited:
      return zh ? "ROI 目标过高导致投放受限" : "delivery limited by the ROI target";
    case CauseKind::kTrackingOutage:
      return zh ? "转化回传中断" : "a conversion-tracking outage";
  }
  return "?";
}

std::string_view FactorText(RoiFactor f, Lang lang) {
  const bool zh = lang == Lang::kZh;
  switch (f) {
    case RoiFactor::kCtr:
      return zh ? "点击率" : "CTR";
    case RoiFactor::kCvr:
      return zh ? "转化率" : "CVR";
    case RoiFactor::kOrderValue:
      return zh ? "客单价" : "order value";
    case RoiFactor::kCpm:
      return zh ? "流量价格(CPM)" : "auction price (CPM)";
    case RoiFactor::kMix:
      return zh ? "渠道结构" : "channel mix";
  }
  return "?";
}

std::string Effect(double x, Lang lang) {
  if (x == 0) return "";
  return lang == Lang::kZh ? fmt::format("（预计 ROI {:+.0f}%）", 100 * x)
                           : fmt::format(" (expected ROI {:+.0f}%)", 100 * x);
}

// "<label>cause (confidence%); ...", one line; empty when there are none.
std::string CauseList(std::string_view label, std::span<const Hypothesis> causes, Lang lang) {
  if (causes.empty()) return "";
  const bool zh = lang == Lang::kZh;
  std::string out(label);
  for (size_t i = 0; i < causes.size(); ++i) {
    if (i > 0) out += zh ? "；" : "; ";
    out +=
        fmt::format("{} ({:.0f}%)", CauseText(causes[i].cause, lang), 100 * causes[i].confidence);
  }
  out += zh ? "。\n" : ".\n";
  return out;
}

}  // namespace

std::string DescribeAction(const Action& a, const DiagnosisInput& in, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::string s;
  switch (a.type) {
    case Action::Type::kRotateCreative:
      s = zh ? fmt::format("更换素材 {}，启用新的变体", CreativeName(in, a.target))
             : fmt::format("rotate creative {} out for a fresh variant",
                           CreativeName(in, a.target));
      break;
    case Action::Type::kCoupon:
      s = zh ? fmt::format("为商品 {} 发放 {:.0f}% 优惠券，持续 {} 天", ProductName(in, a.target),
                           100 * a.amount, a.days)
             : fmt::format("issue a {:.0f}% coupon on {} for {} days", 100 * a.amount,
                           ProductName(in, a.target), a.days);
      break;
    case Action::Type::kMoveBudget:
      s = zh ? fmt::format("将 {:.0f}% 预算从 {} 转移到 {}", 100 * a.amount, ChannelName(a.from),
                           ChannelName(a.to))
             : fmt::format("move {:.0f}% of the budget from {} to {}", 100 * a.amount,
                           ChannelName(a.from), ChannelName(a.to));
      break;
    case Action::Type::kRelaxRoiTarget:
      s = zh ? fmt::format("将 ROI 目标下调 {:.0f}%", 100 * a.amount)
             : fmt::format("relax the ROI target by {:.0f}%", 100 * a.amount);
      break;
    case Action::Type::kRaiseBudget:
      s = zh ? fmt::format("日预算提高 {:.0f}%", 100 * a.amount)
             : fmt::format("raise the daily budget by {:.0f}%", 100 * a.amount);
      break;
    case Action::Type::kCheckTracking:
      s = zh ? "检查转化回传（埋点/回调）是否正常"
             : "check the conversion tracking (pixel/callback)";
      break;
  }
  return s + Effect(a.expected_roi_change, lang);
}

std::string RenderReport(const Diagnosis& d, const DiagnosisInput& in, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::string out;
  const std::string plan = in.plan_name.empty() ? fmt::format("#{}", in.plan) : in.plan_name;
  const double rel =
      d.roi.roi_before > 0 ? (d.roi.roi_after - d.roi.roi_before) / d.roi.roi_before : 0;
  out += zh ? fmt::format("计划 {}：最近 {:.0f} 小时 ROI 从 {:.2f} 变为 {:.2f}（{:+.0f}%）。\n",
                          plan, in.window_hours, d.roi.roi_before, d.roi.roi_after, 100 * rel)
            : fmt::format(
                  "Plan {}: ROI went from {:.2f} to {:.2f} ({:+.0f}%) over the last {:.0f} "
                  "hours.\n",
                  plan, d.roi.roi_before, d.roi.roi_after, 100 * rel, in.window_hours);
  out += zh ? "变化拆解：" : "What moved it: ";
  bool first = true;
  for (const RoiEffect& e : d.roi.Ranked()) {
    if (std::abs(e.effect) < 0.005) continue;
    if (!first) out += zh ? "，" : ", ";
    first = false;
    out += fmt::format("{} {:+.2f}", FactorText(e.factor, lang), e.effect);
  }
  if (first) out += zh ? "无明显变化" : "nothing material";
  out += zh ? "。\n" : ".\n";
  if (d.hypotheses.empty()) {
    out += zh ? "未找到足够证据指向某一原因；继续观察。\n"
              : "No cause has enough evidence yet; keep watching.\n";
    out += CauseList(zh ? "证据不足的线索：" : "Weak leads: ", d.leads, lang);
    return out;
  }
  const Hypothesis& top = d.hypotheses.front();
  if (top.own_setting) {
    out += zh ? "说明：这是计划自身设置变化的结果，不是告警。\n"
              : "Note: the plan's own setting change explains this; it is not an alarm.\n";
  }
  out += zh ? fmt::format("最可能的原因（置信度 {:.0f}%）：{}。\n", 100 * top.confidence,
                          CauseText(top.cause, lang))
            : fmt::format("Likely cause (confidence {:.0f}%): {}.\n", 100 * top.confidence,
                          CauseText(top.cause, lang));
  for (const Evidence& e : top.evidence) out += fmt::format("  - {}\n", zh ? e.zh : e.en);
  out += zh ? "建议操作：\n" : "Suggested actions:\n";
  int n = 0;
  for (const Action& a : top.actions) {
    out += fmt::format("  {}. {}\n", ++n, DescribeAction(a, in, lang));
  }
  out += CauseList(zh ? "其他可能：" : "Also possible: ", std::span(d.hypotheses).subspan(1), lang);
  out += CauseList(zh ? "证据不足的线索：" : "Weak leads: ", d.leads, lang);
  return out;
}

}  // namespace cf::diagnosis
