// Each user's observed category affinity, learned only from events and updated incrementally
// (O(1) per event, no re-read of the history): a small table of the user's strongest categories
// with engagement-weighted scores over the user's whole history. With `window_events` > 0 (an
// ablation: what a model that reads only the user's last N behaviours sees) the table holds only
// the last N weighted events instead (O(N) per event). With `half_life_events` > 0 the whole
// history still counts but each behaviour's weight halves every that many later behaviours of the
// same user (O(kSlots) per event): lasting interests stay, the current ones lead. Not thread-safe;
// one instance per run.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/catalogue.h"
#include "common/event.h"
#include "common/event_log.h"

namespace cf {

class UserAffinity {
 public:
  static constexpr int kSlots = 12;
  // Throws std::invalid_argument for a window over 256 events, or a window and a half-life both.
  UserAffinity(const Catalogue& catalogue, size_t users, uint32_t window_events = 0,
               uint32_t half_life_events = 0);

  void Observe(const Event& e);
  // Replays every user's history (e.g. the pre-campaign log) once.
  void Warm(const EventLog& log);
  // Writes up to `k` strongest categories of user u, strongest first; returns how many.
  int Top(UserId u, int k, CategoryId* out) const;
  // The user's share of engagement in category c (0 if not among the tracked ones).
  double Share(UserId u, CategoryId c) const;

 private:
  struct Entry {
    CategoryId category = kNoId;
    float score = 0;
  };
  struct Row {
    std::array<Entry, kSlots> e{};
    float total = 0;
  };
  static void Add(Row& r, CategoryId c, float w);
  void ObserveWindowed(UserId u, CategoryId c, float w);

  const Catalogue& catalogue_;
  std::vector<Row> rows_;
  // Window mode: each user's last window_ weighted events, a ring (category, weight) per user.
  uint32_t window_ = 0;
  float decay_ = 1.0f;  // per behaviour of the user: 2^(-1 / half_life), 1 without a half-life
  std::vector<std::pair<CategoryId, float>> ring_;
  std::vector<uint32_t> ring_count_;  // events seen per user (the ring's next slot is count % N)
};

}  // namespace cf
