#include "diagnosis/diagnosis_journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cf::diagnosis {
namespace {

namespace fs = std::filesystem;

class JournalFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cf_journal_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& text) {
    const fs::path p = dir_ / "diagnosis.jsonl";
    std::ofstream(p, std::ios::trunc) << text;
    return p;
  }
  fs::path dir_;
};

constexpr const char* kPlanState =
    R"("plans":[{"plan":3,"name":"p","daily_budget":100,"spent_today":10,"roi_target":2,)"
    R"("products":[[5,"product 5",9.5,9.0]]}])";

TEST_F(JournalFile, WritesTicksAndReadsThemBack) {
  const fs::path p = dir_ / "diagnosis.jsonl";
  {
    DiagnosisJournalWriter w(p, "events.cflog", 1440, 15);
    w.Watch(3);
    PlanState s;
    s.plan = 3;
    s.name = "p";
    s.daily_budget = 100;
    s.products = {{5, "product 5", 9.5, 9.0}};
    JournalAuctions a;
    a.plan = 3;
    a.channel = Channel::kLive;
    a.minute = 1450;
    a.tally.auctions = 4;
    a.tally.wins = 1;
    w.Tick(1455, 10, std::span(&a, 1), std::span(&s, 1));
    w.Tick(1470, 12, {}, std::span(&s, 1));
  }
  const DiagnosisJournal j = DiagnosisJournal::Read(p);
  EXPECT_EQ(j.tick_minutes, 15u);
  EXPECT_EQ(j.flight_start, 1440u);
  EXPECT_EQ(j.events_file, dir_ / "events.cflog");
  ASSERT_EQ(j.ticks.size(), 2u);
  EXPECT_EQ(j.ticks[0].now, 1455u);
  EXPECT_EQ(j.ticks[1].events, 12u);
  ASSERT_EQ(j.ticks[0].auctions.size(), 1u);
  EXPECT_EQ(j.ticks[0].auctions[0].channel, Channel::kLive);
  EXPECT_EQ(j.ticks[0].auctions[0].tally.auctions, 4u);
  ASSERT_EQ(j.ticks[1].plans.size(), 1u);
  EXPECT_DOUBLE_EQ(j.ticks[1].plans[0].products[0].competitor_price, 9.0);
  ASSERT_EQ(j.steps.size(), 3u);  // the watch, then the two ticks
  EXPECT_EQ(j.steps[0].watch, 3u);
  EXPECT_EQ(j.steps[2].tick, 1u);
}

TEST_F(JournalFile, ReadsAVersionOneJournalAsHourlyTicks) {
  const fs::path p = Write(
      std::string(
          R"({"journal":"chengfang-diagnosis","version":1,"events":"e.cflog","flight_start":0})") +
      "\n" + R"({"watch":3})" + "\n" + R"({"hour":60,"events":1,"auctions":[],)" + kPlanState +
      "}\n" + R"({"hour":120,"events":2,"auctions":[],)" + kPlanState + "}\n");
  const DiagnosisJournal j = DiagnosisJournal::Read(p);
  EXPECT_EQ(j.tick_minutes, 60u);
  ASSERT_EQ(j.ticks.size(), 2u);
  EXPECT_EQ(j.ticks[1].now, 120u);
}

TEST_F(JournalFile, RefusesWhatItCannotReplay) {
  auto message = [&](const std::string& text) {
    try {
      DiagnosisJournal::Read(Write(text));
    } catch (const JournalError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const std::string v2 =
      R"({"journal":"chengfang-diagnosis","version":2,"events":"e.cflog","flight_start":0,"tick_minutes":15})";
  // A journal from a newer Chengfang.
  EXPECT_NE(
      message(R"({"journal":"chengfang-diagnosis","version":3,"events":"e","flight_start":0})")
          .find("version 3"),
      std::string::npos);
  // A tick length that does not divide an hour.
  EXPECT_NE(
      message(
          R"({"journal":"chengfang-diagnosis","version":2,"events":"e","flight_start":0,"tick_minutes":7})")
          .find("tick_minutes 7"),
      std::string::npos);
  // Ticks out of order, with the file and line named.
  const std::string out_of_order =
      message(v2 + "\n" + R"({"tick":30,"events":1,"auctions":[],)" + kPlanState + "}\n" +
              R"({"tick":15,"events":2,"auctions":[],)" + kPlanState + "}\n");
  EXPECT_NE(out_of_order.find("diagnosis.jsonl:3"), std::string::npos) << out_of_order;
  EXPECT_NE(out_of_order.find("out of order"), std::string::npos) << out_of_order;
  // Not a journal at all.
  EXPECT_NE(message("hello\n").find("not a Chengfang diagnosis journal"), std::string::npos);
}

}  // namespace
}  // namespace cf::diagnosis
