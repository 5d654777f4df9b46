// The diagnosis journal: everything a LiveDiagnosis was given during a run, except the events
// (those are in the run's event log), so that a finished run can be diagnosed again and give the
// same findings (`chengfang diagnose --run DIR`), or be diagnosed with other options.
//
// Format (JSON lines, docs/diagnosis.md#journal): a header line
//   {"journal":"chengfang-diagnosis","version":2,"events":"events.cflog","flight_start":MINUTE,
//    "tick_minutes":15}
// then, in the order they happened, {"watch":PLAN} when a plan starts being watched and one line
// per tick (the end of each monitor bucket):
//   {"tick":MINUTE,"events":N,"auctions":[[plan,channel,minute,auctions,wins,capped,beat_sum],...],
//    "plans":[{"plan":..,"name":..,"daily_budget":..,"spent_today":..,"budget_setting":..,
//              "roi_target":..,
//              "products":[[product,"name",own_price,competitor_price],...]},...]}
// where N is the number of events in the run's log when the tick closed: a replay feeds the
// watched plans' events with index < N, then the tick's auctions, then OnTick(MINUTE, plans).
// Version 1 journals (hourly "hour" lines, no tick_minutes) are read as ticks of 60 minutes.
//
// Promises: the writer flushes each line whole (a crash loses at most the last tick); the reader
// names the file and line of anything malformed. Replaying a run's journal with the options the
// run used gives the findings the run reported, in the same order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "diagnosis/live_diagnosis.h"

namespace cf::diagnosis {

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct JournalAuctions {
  PlanId plan = kNoId;
  Channel channel = Channel::kFeed;
  SimMinute minute = 0;
  AuctionTally tally;
};

class DiagnosisJournalWriter {
 public:
  // Creates (truncates) the file; `events_file` is the run's event log, relative to the journal's
  // folder. Throws JournalError if it cannot be written.
  DiagnosisJournalWriter(const std::filesystem::path& path, const std::string& events_file,
                         SimMinute flight_start, SimMinute tick_minutes);
  void Watch(PlanId plan);
  void Tick(SimMinute now, uint64_t events_logged, std::span<const JournalAuctions> auctions,
            std::span<const PlanState> plans);

 private:
  void Line(const std::string& text);
  std::filesystem::path path_;
  std::ofstream out_;
};

// A journal read back, and its event log's path (resolved against the journal's folder).
struct DiagnosisJournal {
  struct Tick {
    SimMinute now = 0;
    uint64_t events = 0;
    std::vector<JournalAuctions> auctions;
    std::vector<PlanState> plans;
  };
  struct Step {  // a watch (plan != kNoId) or a tick (index into ticks)
    PlanId watch = kNoId;
    size_t tick = 0;
  };
  std::filesystem::path events_file;
  SimMinute flight_start = 0;   // findings' times are shown from here ("day 3 01:00")
  SimMinute tick_minutes = 60;  // how often the run diagnosed (version 1: hourly)
  std::vector<Tick> ticks;
  std::vector<Step> steps;
  std::vector<PlanId> watched;

  static DiagnosisJournal Read(const std::filesystem::path& path);
};

// Replays a journal and its event log (read with EventLog::Scan, no base needed) through a fresh
// LiveDiagnosis with `options`. `progress` (optional) gets a line per stage.
std::vector<LiveFinding> ReplayJournal(
    const DiagnosisJournal& journal, LiveDiagnosisOptions options = {},
    const std::function<void(const std::string&)>& progress = {});

}  // namespace cf::diagnosis
