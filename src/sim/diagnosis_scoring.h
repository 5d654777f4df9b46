// Scores the live diagnosis of a run against the faults the market injected (ground truth known
// only to the driver): for each fault, the first diagnosis raised while it was active (or within
// `grace` minutes after it ended), how long after the fault's start it came, and whether its top
// cause was the right one. Evaluation code: lives in sim, never in the engine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "market/world.h"
#include "sim/run_result.h"

namespace cf {

// The diagnosis cause (diagnosis::CauseName) that explains a fault type, e.g.
// "creative_wearout" -> "creative_wear_out"; empty for a type the agents have no cause for.
std::string_view ExpectedCause(std::string_view fault_type);

struct FaultVerdict {
  FaultLabel fault;
  std::optional<DiagnosisNote> first;  // the first diagnosis in the fault's window, if any
  uint32_t delay_minutes = 0;          // from the fault's start to that diagnosis
  bool top1_correct = false;           // its top cause is ExpectedCause(fault.type)
  // The first diagnosis in the window whose top cause is the right one (may come after `first`).
  std::optional<DiagnosisNote> first_correct;
  uint32_t correct_delay_minutes = 0;
  std::string ToString() const;  // one plain-words line for the findings
};

// `flight_start`: the absolute minute of the flight's start (diagnosis minutes are relative).
std::vector<FaultVerdict> ScoreDiagnoses(const std::vector<FaultLabel>& faults,
                                         const RunResult& run, SimMinute flight_start,
                                         SimMinute flight_end, uint32_t grace = 120);

}  // namespace cf
