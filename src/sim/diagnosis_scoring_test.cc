#include "sim/diagnosis_scoring.h"

#include <gtest/gtest.h>

namespace cf {
namespace {

FaultLabel Fault(std::string type, SimMinute start, SimMinute end) {
  FaultLabel f;
  f.type = std::move(type);
  f.start = start;
  f.end = end;
  return f;
}

TEST(DiagnosisScoring, MatchesTheFirstDiagnosisInEachFaultsWindow) {
  const SimMinute flight = 100 * kMinutesPerDay;
  RunResult run;
  run.diagnoses.push_back({600, "before any fault", "channel_mix", 0.5, {}, "", ""});
  run.diagnoses.push_back({3 * 1440 + 120, "CVR fell", "competitor_price_cut", 0.7, {}, "", ""});
  run.diagnoses.push_back({3 * 1440 + 300, "CVR fell more", "tracking_outage", 0.7, {}, "", ""});
  run.diagnoses.push_back({5 * 1440 + 60, "CTR fell", "channel_mix", 0.6, {}, "", ""});
  run.diagnoses.push_back({6 * 1440 + 850, "ROI fell", "channel_mix", 0.6, {}, "", ""});
  run.diagnoses.push_back({6 * 1440 + 900, "spend fell", "budget_limited", 0.8, {}, "", ""});
  const std::vector<FaultLabel> faults = {
      Fault("competitor_price_cut", flight + 3 * 1440, flight + 5 * 1440),
      Fault("creative_wearout", flight + 5 * 1440, flight + 6 * 1440),
      Fault("tracking_outage", flight + 6 * 1440 + 600, flight + 6 * 1440 + 700),
      Fault("budget_exhaustion", flight + 9 * 1440, flight + 10 * 1440),  // after the flight
      Fault("budget_exhaustion", flight + 6 * 1440 + 800, flight + 6 * 1440 + 1000),
  };
  const auto v = ScoreDiagnoses(faults, run, flight, flight + 7 * 1440);
  ASSERT_EQ(v.size(), 4u);
  // The second budget fault: the first finding in its window names another cause; the right one
  // comes 100 minutes in.
  ASSERT_TRUE(v[3].first.has_value());
  EXPECT_FALSE(v[3].top1_correct);
  EXPECT_EQ(v[3].delay_minutes, 50u);
  ASSERT_TRUE(v[3].first_correct.has_value());
  EXPECT_EQ(v[3].correct_delay_minutes, 100u);
  EXPECT_NE(v[3].ToString().find("right cause was named 100 minutes"), std::string::npos);
  ASSERT_TRUE(v[0].first.has_value());
  EXPECT_EQ(v[0].delay_minutes, 120u);
  EXPECT_TRUE(v[0].top1_correct);
  EXPECT_NE(v[0].ToString().find("correct"), std::string::npos) << v[0].ToString();
  ASSERT_TRUE(v[1].first.has_value());
  EXPECT_EQ(v[1].delay_minutes, 60u);
  EXPECT_FALSE(v[1].top1_correct);
  EXPECT_NE(v[1].ToString().find("expected creative_wear_out"), std::string::npos);
  EXPECT_FALSE(v[1].first_correct.has_value());
  ASSERT_TRUE(v[0].first_correct.has_value());
  EXPECT_EQ(v[0].correct_delay_minutes, 120u);
  EXPECT_FALSE(v[2].first.has_value());
  EXPECT_NE(v[2].ToString().find("was not diagnosed"), std::string::npos);
}

TEST(DiagnosisScoring, EveryInjectableFaultHasAnExpectedCause) {
  for (const char* t : {"creative_wearout", "competitor_price_cut", "channel_shift",
                        "tracking_outage", "budget_exhaustion"}) {
    EXPECT_FALSE(ExpectedCause(t).empty()) << t;
  }
  EXPECT_TRUE(ExpectedCause("nonsense").empty());
}

}  // namespace
}  // namespace cf
