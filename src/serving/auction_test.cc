#include "serving/auction.h"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

namespace cf {

// Readable Money values in assertion messages.
[[maybe_unused]] static void PrintTo(const Money& m, std::ostream* os) { *os << m.ToString(); }

namespace {

// A per-click ad whose eCPM is bid * pCTR * 1000 (what PlanBidder computes for CPC plans).
ScoredAd Cpc(double bid, double p_ctr) {
  ScoredAd a;
  a.bid = Money::FromUnits(bid);
  a.p_ctr = p_ctr;
  a.per_mille = false;
  a.ecpm = bid * p_ctr * 1000.0;
  return a;
}

// A per-mille ad: eCPM is the bid itself.
ScoredAd Cpm(double bid) {
  ScoredAd a;
  a.bid = Money::FromUnits(bid);
  a.p_ctr = 0.01;
  a.per_mille = true;
  a.ecpm = bid;
  return a;
}

TEST(RunGsp, NoAdsNoSlotsNoWinners) {
  EXPECT_TRUE(RunGsp({}, 1, 0.1).empty());
  const std::vector<ScoredAd> ads = {Cpc(1.0, 0.02)};
  EXPECT_TRUE(RunGsp(ads, 0, 0.1).empty());
}

TEST(RunGsp, WinnerIsHighestEcpmNotHighestBid) {
  // Ad 0 bids more per click but is much less likely to be clicked.
  const std::vector<ScoredAd> ads = {Cpc(2.0, 0.005), Cpc(1.0, 0.02), Cpc(0.5, 0.03)};
  // eCPMs: 10, 20, 15.
  const auto w = RunGsp(ads, 1, 0.1);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 1u);
}

TEST(RunGsp, PerClickSecondPriceIsNextEcpmOverOwnPctr) {
  const std::vector<ScoredAd> ads = {Cpc(1.0, 0.02), Cpc(0.5, 0.03)};
  // eCPMs 20 and 15: ad 0 wins and pays 15 / (1000 * 0.02) = 0.75 per click.
  const auto w = RunGsp(ads, 1, 0.1);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 0u);
  EXPECT_DOUBLE_EQ(w[0].next_ecpm, 15.0);
  EXPECT_EQ(w[0].price, Money::FromUnits(0.75));
  EXPECT_LT(w[0].price, ads[0].bid);
}

TEST(RunGsp, PerMillePriceIsNextEcpm) {
  const std::vector<ScoredAd> ads = {Cpm(3.0), Cpm(5.0), Cpc(0.1, 0.02)};
  // eCPMs 3, 5, 2: ad 1 wins and pays 3 per mille.
  const auto w = RunGsp(ads, 1, 0.1);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 1u);
  EXPECT_EQ(w[0].price, Money::FromUnits(3.0));
}

TEST(RunGsp, MixedUnitsPricedInTheWinnersOwnUnit) {
  // A per-mille ad sets the price of a per-click winner and the other way round.
  {
    const std::vector<ScoredAd> ads = {Cpm(4.0), Cpc(0.5, 0.016)};  // eCPM 4 vs 8
    const auto w = RunGsp(ads, 1, 0.1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].index, 1u);
    EXPECT_EQ(w[0].price, Money::FromUnits(4.0 / (1000 * 0.016)));  // 0.25 per click
  }
  {
    const std::vector<ScoredAd> ads = {Cpm(12.0), Cpc(0.5, 0.016)};  // eCPM 12 vs 8
    const auto w = RunGsp(ads, 1, 0.1);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].index, 0u);
    EXPECT_EQ(w[0].price, Money::FromUnits(8.0));  // per mille
  }
}

TEST(RunGsp, ReserveBindsForASingleBidder) {
  const std::vector<ScoredAd> ads = {Cpc(1.0, 0.02)};  // eCPM 20
  const auto w = RunGsp(ads, 1, 2.5);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_DOUBLE_EQ(w[0].next_ecpm, 2.5);
  EXPECT_EQ(w[0].price, Money::FromUnits(2.5 / (1000 * 0.02)));  // 0.125 per click

  const std::vector<ScoredAd> cpm = {Cpm(7.0)};
  const auto wm = RunGsp(cpm, 1, 2.5);
  ASSERT_EQ(wm.size(), 1u);
  EXPECT_EQ(wm[0].price, Money::FromUnits(2.5));
}

TEST(RunGsp, ReserveBindsWhenTheRunnerUpIsBelowIt) {
  const std::vector<ScoredAd> ads = {Cpc(1.0, 0.02), Cpc(0.1, 0.01)};  // eCPM 20 and 1
  const auto w = RunGsp(ads, 1, 2.0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 0u);
  EXPECT_DOUBLE_EQ(w[0].next_ecpm, 2.0);
  EXPECT_EQ(w[0].price, Money::FromUnits(0.1));
}

TEST(RunGsp, NobodyBelowTheReserveWins) {
  const std::vector<ScoredAd> ads = {Cpc(0.1, 0.01), Cpm(0.9), Cpc(0.05, 0.01)};  // 1, 0.9, 0.5
  EXPECT_TRUE(RunGsp(ads, 3, 1.01).empty());
  // Exactly at the reserve clears it.
  const auto w = RunGsp(ads, 3, 1.0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 0u);
  EXPECT_EQ(w[0].price, Money::FromUnits(0.1));  // pays its bid: the reserve equals its eCPM
}

TEST(RunGsp, ZeroEcpmNeverWinsEvenWithoutReserve) {
  std::vector<ScoredAd> ads = {Cpc(1.0, 0.0), Cpm(0.0)};
  EXPECT_TRUE(RunGsp(ads, 2, 0.0).empty());
}

TEST(RunGsp, TiesGoToTheLowerIndexWhichPaysTheTieEcpm) {
  const std::vector<ScoredAd> ads = {Cpc(0.3, 0.01), Cpc(0.5, 0.02), Cpc(1.0, 0.01),
                                     Cpc(0.25, 0.04)};
  // eCPMs 3, 10, 10, 10: three-way tie at 10 between indices 1, 2, 3.
  const auto w = RunGsp(ads, 1, 0.1);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 1u);
  EXPECT_DOUBLE_EQ(w[0].next_ecpm, 10.0);
  EXPECT_EQ(w[0].price, ads[1].bid);  // 10 / (1000 * 0.02) = 0.5, its own bid

  // The order of the remaining slots is by index too, and is the same on every call.
  for (int rep = 0; rep < 3; ++rep) {
    const auto all = RunGsp(ads, 4, 0.1);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].index, 1u);
    EXPECT_EQ(all[1].index, 2u);
    EXPECT_EQ(all[2].index, 3u);
    EXPECT_EQ(all[3].index, 0u);
  }
}

TEST(RunGsp, PriceNeverAboveOwnBid) {
  // pCTR estimates that make next / own pCTR exceed the bid cannot happen with consistent
  // eCPMs, but an inconsistent input (eCPM not bid * pCTR) must still never charge above the bid.
  ScoredAd odd = Cpc(0.2, 0.01);                            // consistent eCPM would be 2
  odd.ecpm = 30;                                            // e.g. a boosted ranking score
  const std::vector<ScoredAd> ads = {odd, Cpc(1.0, 0.02)};  // runner-up eCPM 20
  const auto w = RunGsp(ads, 1, 0.1);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 0u);
  EXPECT_EQ(w[0].price, odd.bid);  // 20 / 10 = 2.0 per click, capped at 0.2

  // Randomised: every winner's price is in (0, bid].
  uint64_t x = 12345;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(x >> 11) * 0x1.0p-53;
  };
  for (int round = 0; round < 2000; ++round) {
    std::vector<ScoredAd> ads2;
    const int n = 1 + static_cast<int>(next() * 8);
    for (int i = 0; i < n; ++i) {
      ScoredAd a =
          next() < 0.3 ? Cpm(0.01 + 20 * next()) : Cpc(0.01 + 3 * next(), 0.001 + 0.1 * next());
      if (next() < 0.2) a.ecpm *= 0.5 + next();  // inconsistent score
      ads2.push_back(a);
    }
    const size_t slots = 1 + static_cast<size_t>(next() * 4);
    const double reserve = next() * 5;
    const auto ws = RunGsp(ads2, slots, reserve);
    double prev = 1e300;
    for (const AuctionWinner& aw : ws) {
      const ScoredAd& a = ads2[aw.index];
      EXPECT_GE(a.ecpm, reserve);
      EXPECT_LE(a.ecpm, prev);
      prev = a.ecpm;
      EXPECT_GT(aw.price.micros(), 0);
      EXPECT_LE(aw.price, a.bid) << "round " << round;
      EXPECT_LE(aw.next_ecpm, a.ecpm + 1e-9);
      EXPECT_GE(aw.next_ecpm, reserve);
    }
  }
}

TEST(RunGsp, MultiSlotPricing) {
  const std::vector<ScoredAd> ads = {Cpc(0.5, 0.02),   // 10
                                     Cpm(25.0),        // 25
                                     Cpc(1.0, 0.006),  // 6
                                     Cpc(0.4, 0.05),   // 20
                                     Cpm(0.5)};        // 0.5, below the reserve
  const auto w = RunGsp(ads, 3, 1.0);
  ASSERT_EQ(w.size(), 3u);
  // Ranks: 1 (25), 3 (20), 0 (10); ad 2 (6) is the first loser.
  EXPECT_EQ(w[0].index, 1u);
  EXPECT_EQ(w[1].index, 3u);
  EXPECT_EQ(w[2].index, 0u);
  EXPECT_EQ(w[0].price, Money::FromUnits(20.0));                  // per mille: next eCPM
  EXPECT_EQ(w[1].price, Money::FromUnits(10.0 / (1000 * 0.05)));  // 0.2 per click
  EXPECT_EQ(w[2].price, Money::FromUnits(6.0 / (1000 * 0.02)));   // 0.3 per click
  EXPECT_DOUBLE_EQ(w[2].next_ecpm, 6.0);

  // More slots than eligible ads: the last winner pays the reserve.
  const auto all = RunGsp(ads, 10, 1.0);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].index, 2u);
  EXPECT_DOUBLE_EQ(all[3].next_ecpm, 1.0);
  EXPECT_EQ(all[3].price, Money::FromUnits(1.0 / (1000 * 0.006)));
}

TEST(RunGsp, LastWinnerPaysTheBestLoserNotTheFirstInInputOrder) {
  // The losers come in arbitrary order; the last winner pays the highest of them.
  const std::vector<ScoredAd> ads = {Cpm(2.0), Cpm(9.0), Cpm(4.0), Cpm(10.0), Cpm(3.0)};
  const auto w = RunGsp(ads, 2, 0.1);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].index, 3u);
  EXPECT_EQ(w[1].index, 1u);
  EXPECT_EQ(w[0].price, Money::FromUnits(9.0));
  EXPECT_EQ(w[1].price, Money::FromUnits(4.0));
}

TEST(RunGsp, TinyPricesAreAtLeastOneMicro) {
  const std::vector<ScoredAd> ads = {Cpc(1.0, 0.5)};  // eCPM 500
  const auto w = RunGsp(ads, 1, 1e-9);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].price, Money::Micros(1));
}

}  // namespace
}  // namespace cf
