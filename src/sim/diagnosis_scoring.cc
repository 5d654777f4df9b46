#include "sim/diagnosis_scoring.h"

#include <fmt/format.h>

namespace cf {

std::string_view ExpectedCause(std::string_view fault_type) {
  if (fault_type == "creative_wearout") return "creative_wear_out";
  if (fault_type == "competitor_price_cut") return "competitor_price_cut";
  if (fault_type == "channel_shift") return "channel_mix";
  if (fault_type == "tracking_outage") return "tracking_outage";
  if (fault_type == "budget_exhaustion") return "budget_limited";
  if (fault_type == "competitor_budget_surge") return "auction_landscape";
  return {};
}

std::string FaultVerdict::ToString() const {
  if (!first) {
    return fmt::format("The {} injected at {} was not diagnosed.", fault.type,
                       SimTime{fault.start}.ToString());
  }
  std::string line =
      fmt::format("The {} was diagnosed {} minutes after it began, at {}: top cause {} ({}).",
                  fault.type, delay_minutes, SimTime{first->minute}.ToString(), first->cause,
                  top1_correct ? "correct" : fmt::format("expected {}", ExpectedCause(fault.type)));
  if (!top1_correct && first_correct) {
    line +=
        fmt::format(" The right cause was named {} minutes after it began.", correct_delay_minutes);
  }
  return line;
}

std::vector<FaultVerdict> ScoreDiagnoses(const std::vector<FaultLabel>& faults,
                                         const RunResult& run, SimMinute flight_start,
                                         SimMinute flight_end, uint32_t grace) {
  std::vector<FaultVerdict> out;
  for (const FaultLabel& f : faults) {
    if (f.start >= flight_end) continue;
    FaultVerdict v;
    v.fault = f;
    v.fault.start = f.start - flight_start;  // relative, like the diagnoses
    v.fault.end = f.end - flight_start;
    for (const DiagnosisNote& d : run.diagnoses) {
      // Notices (moves the plan's own setting change explains) are not alarms about the fault.
      if (d.notice || d.minute <= v.fault.start || d.minute > v.fault.end + grace) continue;
      const bool right = d.cause == ExpectedCause(f.type);
      if (!v.first) {
        v.first = d;
        v.delay_minutes = d.minute - v.fault.start;
        v.top1_correct = right;
      }
      if (right) {
        v.first_correct = d;
        v.correct_delay_minutes = d.minute - v.fault.start;
        break;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace cf
