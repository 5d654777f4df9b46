#include "insight/smoothed_count_predictor.h"

#include <stdexcept>
#include <string>

namespace cf {
namespace {

constexpr double kPriorCtr = 0.01, kPriorCvr = 0.08;
constexpr double kChannelStrength = 100, kCategoryStrength = 200, kProductStrength = 200;
constexpr double kCvrCategoryStrength = 20, kCvrProductStrength = 20, kAovStrength = 3;

double Smooth(double hits, double trials, double prior, double strength) {
  return (hits + prior * strength) / (trials + strength);
}

}  // namespace

SmoothedCountPredictor::SmoothedCountPredictor(const Catalogue& catalogue,
                                               const UserAffinity& affinity)
    : catalogue_(catalogue),
      affinity_(affinity),
      product_channel_(catalogue.products.size() * kNumChannels),
      category_channel_(catalogue.categories.size() * kNumChannels) {}

int SmoothedCountPredictor::Bucket(double share) {
  if (share <= 0) return 0;
  if (share < 0.05) return 1;
  if (share < 0.15) return 2;
  return 3;
}

void SmoothedCountPredictor::Predict(const Opportunity& opp, ScoredAd& ad) const {
  const int ch = static_cast<int>(opp.channel);
  const Product& p = catalogue_.products[ad.ad.product];
  const Counts& c0 = channel_[ch];
  const Counts& c1 = category_channel_[p.category * kNumChannels + ch];
  const Counts& c2 = product_channel_[p.id * kNumChannels + ch];
  const double ctr0 = Smooth(c0.clicks, c0.imps, kPriorCtr, kChannelStrength);
  const double ctr1 = Smooth(c1.clicks, c1.imps, ctr0, kCategoryStrength);
  const double ctr2 = Smooth(c2.clicks, c2.imps, ctr1, kProductStrength);
  const Counts& b = bucket_[Bucket(affinity_.Share(opp.user, p.category)) * kNumChannels + ch];
  const double lift = Smooth(b.clicks, b.imps, ctr0, kChannelStrength) / ctr0;
  const double cvr0 = Smooth(c0.purchases, c0.clicks, kPriorCvr, kChannelStrength);
  const double cvr1 = Smooth(c1.purchases, c1.clicks, cvr0, kCvrCategoryStrength);
  const double cvr2 = Smooth(c2.purchases, c2.clicks, cvr1, kCvrProductStrength);
  const double price = p.shelf_price.units();
  const double aov = (c2.gmv + price * 1.2 * kAovStrength) / (c2.purchases + kAovStrength);
  ad.p_ctr = std::min(0.5, ctr2 * lift);
  ad.p_cvr = cvr2;
  ad.value = ad.p_ctr * ad.p_cvr * aov;
}

size_t SmoothedCountPredictor::counts_size() const {
  return 4 *
         (channel_.size() + bucket_.size() + category_channel_.size() + product_channel_.size());
}

std::vector<double> SmoothedCountPredictor::counts() const {
  std::vector<double> out;
  out.reserve(counts_size());
  auto put = [&](const auto& rows) {
    for (const Counts& c : rows) out.insert(out.end(), {c.imps, c.clicks, c.purchases, c.gmv});
  };
  put(channel_);
  put(bucket_);
  put(category_channel_);
  put(product_channel_);
  return out;
}

void SmoothedCountPredictor::RestoreCounts(std::span<const double> counts) {
  if (counts.size() != counts_size()) {
    throw std::invalid_argument("smoothed counts: " + std::to_string(counts.size()) +
                                " values where this catalogue has " +
                                std::to_string(counts_size()));
  }
  const double* at = counts.data();
  auto get = [&](auto& rows) {
    for (Counts& c : rows) {
      c = Counts{at[0], at[1], at[2], at[3]};
      at += 4;
    }
  };
  get(channel_);
  get(bucket_);
  get(category_channel_);
  get(product_channel_);
}

void SmoothedCountPredictor::Observe(const Event& e) {
  if (e.plan == kNoId || e.product == kNoId || e.product >= catalogue_.products.size()) return;
  const int ch = static_cast<int>(e.channel);
  const Product& p = catalogue_.products[e.product];
  Counts* rows[3] = {&channel_[ch], &category_channel_[p.category * kNumChannels + ch],
                     &product_channel_[p.id * kNumChannels + ch]};
  switch (e.type) {
    case EventType::kImpression: {
      for (Counts* r : rows) r->imps += 1;
      bucket_[Bucket(affinity_.Share(e.user, p.category)) * kNumChannels + ch].imps += 1;
      break;
    }
    case EventType::kClick: {
      for (Counts* r : rows) r->clicks += 1;
      bucket_[Bucket(affinity_.Share(e.user, p.category)) * kNumChannels + ch].clicks += 1;
      break;
    }
    case EventType::kPurchase:
      for (Counts* r : rows) {
        r->purchases += 1;
        r->gmv += Money::Micros(e.money).units();
      }
      break;
    default:
      break;
  }
}

}  // namespace cf
