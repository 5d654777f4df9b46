#include "sim/evaluation_recorder.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cf {

EvaluationRecorder::EvaluationRecorder(const World& world, const std::filesystem::path& path)
    : world_(world), path_(path) {
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) {
    throw std::runtime_error(fmt::format("cannot write the evaluation tap to {}: {}", path.string(),
                                         std::strerror(errno)));
  }
  fmt::print(file_,
             "opportunity,minute,user,channel,plan,product,creative,p_click,p_purchase,"
             "expected_value,ecpm,bid,per_mille,would_pay,won\n");
}

EvaluationRecorder::~EvaluationRecorder() {
  if (file_) std::fclose(file_);
}

void EvaluationRecorder::Close() {
  if (!file_) return;
  const bool bad = std::ferror(file_) != 0;
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (bad || close_failed) {
    throw std::runtime_error(fmt::format("writing the evaluation tap {} failed", path_.string()));
  }
}

double EvaluationRecorder::WouldPay(std::span<const ScoredAd> candidates, size_t i,
                                    double reserve_cpm) {
  double next = reserve_cpm;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (k != i) next = std::max(next, candidates[k].ecpm);
  }
  const ScoredAd& ad = candidates[i];
  const double price = ad.per_mille ? next : (ad.p_ctr > 0 ? next / (1000.0 * ad.p_ctr) : 0.0);
  return std::min(price, ad.bid.units());
}

void EvaluationRecorder::OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                                   std::span<const CreativeId> creatives,
                                   std::span<const AuctionWinner> winners, double reserve_cpm) {
  if (!file_) return;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const ScoredAd& ad = candidates[i];
    AdExposure x;
    x.key = opp.key;
    x.minute = opp.minute;
    x.user = opp.user;
    x.channel = opp.channel;
    x.product = ad.ad.product;
    x.creative = i < creatives.size() ? creatives[i] : kNoId;
    const ExpectedResponse r = world_.Expect(x);
    bool won = false;
    for (const AuctionWinner& w : winners) won |= w.index == i;
    fmt::print(file_, "{},{},{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6f},{},{:.6f},{}\n",
               opp.key, opp.minute, opp.user, ChannelName(opp.channel), ad.ad.plan, ad.ad.product,
               x.creative == kNoId ? -1 : static_cast<int64_t>(x.creative), r.p_click,
               r.p_purchase_given_click, r.expected_value, ad.ecpm, ad.bid.units(),
               ad.per_mille ? 1 : 0, WouldPay(candidates, i, reserve_cpm), won ? 1 : 0);
    ++rows_;
  }
}

}  // namespace cf
