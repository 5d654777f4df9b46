// The event log: every cf::Event the simulator (or a real platform feed) produces, kept per user in
// time order, optionally durable on disk. On-disk format, recovery rules and guarantees:
// docs/event-log.md.
//
// Promises
//   - Append-only. Events are stored per user, in append order, and each user's events are
//     time-ordered: Append throws EventLogError for an event whose minute is earlier than that
//     user's last event (equal minutes are fine); a rejected event changes nothing.
//   - History(u) is O(1) and returns contiguous memory: the user's events from the base log (if
//     any) followed by this log's own. Latest(u, k) is the last k of them, also O(1). A
//     write-only log (EventLogOptions::keep_events = false) keeps none of its own events in
//     memory: its History(u) is the base's part only.
//   - Durable (file-backed logs, Open): records are buffered and written in CRC-framed blocks of
//     about options.block_bytes. A kill -9 of the writer loses at most the records not yet written
//     (at most one block, none after Flush()); the file is never left unreadable: Open detects a
//     torn or garbled tail, truncates it away and reports the bytes cut in
//     recovered_truncated_bytes(). With fsync_on_flush, data written by Flush() also survives
//     power loss. A file that is not an event log (or is from another format version) is left
//     untouched and Open throws EventLogError naming the path and what to do.
//   - Query texts (for EventType::kSearch, ref = QueryId) are interned: the same text always
//     returns the same id; ids are dense, starting at 0 in a log without base and continuing after
//     the base's ids in a derived log. A query text is stored in the file before any event that
//     can reference it.
//   - Layering: a derived log (InMemory(base) / Open(path, options, base)) sees the base's events
//     and queries as if they were its own older history, and stores only its own. The base is
//     frozen while derived logs exist (its Append / InternQuery / Reserve* throw), so any number of
//     derived logs, each in its own thread, may share one base. The base must outlive every log
//     derived from it (destroying it first aborts with a message). A base cannot itself have a
//     base.
//
// Ownership: factories return std::unique_ptr; a derived log holds a non-owning pointer to its
// base. HistoryView spans point into the log's memory: they stay valid until the next Append or
// Reserve* on the log that owns those events (a base's part: as long as the base is frozen).
// string_views from Query stay valid for the lifetime of the log that interned the text.
//
// Thread-safety: single writer. Const methods may be called concurrently from many threads only
// while no thread calls a non-const method on the same log. A frozen base is only read, so
// concurrent derived logs in different threads are safe.
//
// Units: minutes are SimMinute (sim_clock.h), money in micro-units (event.h), sizes in events
// unless named *_bytes.
//
// Memory (see memory_usage()): each user's own events are one array of capacity <= 1.5x its events
// (capacities 1, 2, 4, 7, 11, 17, ... grow by c + c/2 + 1; Reserve sets an exact capacity),
// carved from huge-page-backed chunks by a coalescing allocator that reuses outgrown arrays
// (arrays over 1 MiB get their own mapping, grown without copying). On top: 24 bytes per user id
// up to the largest seen, 4 bytes per event for the append order (the UserId of each event), the
// query texts, and one block buffer (options.block_bytes) for file-backed logs.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/event.h"
#include "common/ids.h"

namespace cf {

// Every error the log reports itself (bad file, I/O failure, order violation, frozen base).
class EventLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EventLogOptions {
  // Payload bytes per on-disk block; rounded up to a multiple of 32 (minimum 32). A record larger
  // than this (a very long query text) gets a block of its own.
  size_t block_bytes = size_t{1} << 20;
  // fdatasync the file in Flush() (after the block is written), for power-loss durability.
  bool fsync_on_flush = false;
  // false: a write-only log. Events go to the file (same format, same durability) but are not
  // kept in memory: History(u) shows only the base's events, size() and num_users() still count
  // them, and the order check still holds. Costs 24 bytes per user id instead of ~50 per event.
  // For a producer that never reads its own events back (a simulation run); reopen the file with
  // the default to read them.
  bool keep_events = true;
};

// A user's time-ordered events: older (from the base log) then newer (this log's own).
struct HistoryView {
  std::span<const Event> older, newer;

  size_t size() const { return older.size() + newer.size(); }
  bool empty() const { return older.empty() && newer.empty(); }
  // i < size(); 0 is the oldest event.
  const Event& operator[](size_t i) const {
    return i < older.size() ? older[i] : newer[i - older.size()];
  }
  const Event& back() const { return newer.empty() ? older.back() : newer.back(); }
  // The last k events (all of them if k >= size()).
  HistoryView Latest(size_t k) const {
    if (k >= size()) return *this;
    if (k <= newer.size()) return {{}, newer.last(k)};
    return {older.last(k - newer.size()), newer};
  }
  // f(const Event&) for every event, oldest first.
  template <class F>
  void ForEach(F&& f) const {
    for (const Event& e : older) f(e);
    for (const Event& e : newer) f(e);
  }
};

// Bytes held by a log (not counting its base).
struct EventLogMemory {
  size_t event_bytes = 0;           // 32 * size()
  size_t event_capacity_bytes = 0;  // capacity of the per-user arrays (>= event_bytes)
  size_t event_arena_bytes = 0;     // memory holding the arrays, incl. free blocks between them
  size_t compactions = 0;           // times fragmented free memory was reclaimed by moving arrays
  size_t index_bytes = 0;           // user table + append-order vector (allocated)
  size_t query_bytes = 0;           // query texts (approximate, excluding hash table)
};

// What EventLog::Scan read.
struct EventLogScan {
  uint64_t events = 0, queries = 0;
  uint64_t torn_bytes = 0;  // bytes after the last intact block (a torn tail), not read
  bool has_base = false;    // written on top of a base log (whose events the file does not hold)
};

// CRC-32 (IEEE 802.3 polynomial, reflected; the same value as zlib's crc32), used by the file
// framing. Pass the previous result as `crc` to continue over more data.
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

class EventLog {
 public:
  // A log kept only in memory. keep_events = false: a counting sink that checks and counts
  // events (size(), num_users(), the order check) but keeps none of them (see
  // EventLogOptions::keep_events), for a producer whose events nobody reads.
  static std::unique_ptr<EventLog> InMemory(const EventLog* base = nullptr,
                                            bool keep_events = true);
  // Opens the log file at `path` (creating it if missing or empty), recovers a torn tail, and
  // replays it into memory. A file written on top of a base must be reopened with an equal base
  // (same event and query counts) and vice versa. Throws EventLogError.
  static std::unique_ptr<EventLog> Open(const std::filesystem::path& path,
                                        const EventLogOptions& options = {},
                                        const EventLog* base = nullptr);

  // Reads a log file's own events without keeping them and without its base: on_event for each
  // event of each intact block, in append order, stopping before a torn tail. The file is only
  // read (never truncated or locked), so it may be scanned while nobody writes it. Throws
  // EventLogError for a file that is not an event log, or an intact block that does not parse.
  static EventLogScan Scan(const std::filesystem::path& path,
                           const std::function<void(const Event&)>& on_event);

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  // Flushes (errors are swallowed: call Flush() first to see them) and closes the file.
  ~EventLog();

  // Adds e to e.user's history. Throws EventLogError if e.user is kNoId, if e.minute is earlier
  // than the user's last event (in this log or the base), if this log is a frozen base, or on a
  // write error; in all cases nothing is stored.
  void Append(const Event& e);

  // The id of `text` (UTF-8, stored byte for byte, at most 1 MiB), interning it if new.
  QueryId InternQuery(std::string_view text);
  // The text of a query id of this log or its base. Throws std::out_of_range for unknown ids.
  std::string_view Query(QueryId id) const;
  // Number of query ids, including the base's.
  size_t num_queries() const { return base_queries_ + queries_.size(); }

  // The user's events, older (base) then newer (own). Empty for unknown users.
  HistoryView History(UserId u) const {
    HistoryView v;
    if (base_ != nullptr) v.older = base_->OwnEvents(u);
    v.newer = OwnEvents(u);
    return v;
  }
  HistoryView Latest(UserId u, size_t k) const { return History(u).Latest(k); }

  // Capacity for user u's own events (exact, no growth slack), for bulk loading.
  void Reserve(UserId u, size_t n);
  // Room for user ids 0..n-1 in the user table.
  void ReserveUsers(size_t n);
  // Room for n events in the append-order record.
  void ReserveEvents(size_t n);

  // Writes the buffered block to the file (and fdatasyncs if options.fsync_on_flush). No-op for
  // in-memory logs. Throws EventLogError on I/O errors (the block stays buffered for a retry).
  void Flush();

  // Events in this log, not counting the base.
  size_t size() const { return order_size_; }
  // Users with at least one event in this log (not counting the base).
  size_t num_users() const { return num_users_; }
  // One past the largest user id with events in this log or its base: History(u) is empty for
  // every u >= user_limit().
  UserId user_limit() const;
  const EventLog* base() const { return base_; }
  // false for a write-only log (EventLogOptions::keep_events).
  bool keeps_events() const { return keep_events_; }
  // The file path; empty for in-memory logs.
  const std::filesystem::path& path() const { return path_; }
  // Bytes Open cut off a torn or garbled tail (0 if the file was clean).
  uint64_t recovered_truncated_bytes() const { return recovered_truncated_bytes_; }
  EventLogMemory memory_usage() const;

  // f(const Event&) for this log's own events (not the base's) in append order. Uses a temporary
  // cursor array of 4 bytes per user id. Throws EventLogError on a write-only log.
  template <class F>
  void ForEachInAppendOrder(F&& f) const {
    if (!keep_events_) ThrowNotKept("ForEachInAppendOrder");
    std::vector<uint32_t> cursor(users_size_, 0);
    for (size_t i = 0; i < order_size_; ++i) {
      const UserId u = order_[i];
      f(static_cast<const Event&>(users_[u].data[cursor[u]++]));
    }
  }

 private:
  struct UserEvents {
    Event* data = nullptr;  // `cap` events, in the arena or a mapping of its own (event_log.cc)
    uint32_t size = 0;
    uint32_t cap = 0;
    SimMinute last = 0;    // minute of the user's last own event (kept here to avoid touching data)
    uint32_t written = 0;  // own events not kept in memory (write-only logs)
  };
  static_assert(sizeof(UserEvents) == 24, "the memory notes above count 24 bytes per user id");

  explicit EventLog(const EventLog* base);

  std::span<const Event> OwnEvents(UserId u) const {
    if (u >= users_size_) return {};
    const UserEvents& ue = users_[u];
    return {ue.data, ue.size};
  }
  // Checks and stores e in memory (no file record). Strong exception guarantee.
  void AppendToMemory(const Event& e);
  QueryId InternToMemory(std::string_view text);
  const QueryId* FindOwnQuery(std::string_view text) const;
  void CheckNotFrozen(const char* what) const {
    if (derived_count_.load(std::memory_order_relaxed) != 0) [[unlikely]]
      ThrowFrozen(what);
  }
  [[noreturn]] void ThrowFrozen(const char* what) const;
  [[noreturn]] void ThrowNotKept(const char* what) const;
  class Arena;  // event memory, event_log.cc
  void GrowUser(UserEvents& ue, size_t new_cap);
  Event* AllocateEvents(size_t cap);
  void FreeEvents(Event* p, size_t cap);
  void GrowOrder(size_t min_cap);
  void GrowUsers(size_t min_cap);
  UserEvents& UserEntry(UserId u) {
    if (u >= users_size_) [[unlikely]] {
      if (u >= users_cap_) GrowUsers(size_t{u} + 1);
      users_size_ = size_t{u} + 1;
    }
    return users_[u];
  }
  void WriteBlock();
  void ReserveRecord(size_t record_bytes);
  void Recover();

  const EventLog* base_ = nullptr;
  size_t base_queries_ = 0;  // base_->num_queries() (frozen)
  mutable std::atomic<int> derived_count_{0};

  std::unique_ptr<Arena> arena_;
  UserEvents* users_ = nullptr;  // indexed by UserId; mmap'ed, zero-filled
  size_t users_size_ = 0;        // entries in use (largest id touched + 1)
  size_t users_cap_ = 0;
  UserId* order_ = nullptr;  // append order: user of each own event; mmap'ed
  size_t order_size_ = 0;
  size_t order_cap_ = 0;
  size_t num_users_ = 0;
  UserId user_limit_ = 0;
  bool keep_events_ = true;

  std::deque<std::string> queries_;  // own query texts; id = base_queries_ + index
  std::unordered_map<std::string_view, QueryId> query_index_;
  size_t query_text_bytes_ = 0;

  // File state (fd_ < 0 for in-memory logs).
  std::filesystem::path path_;
  EventLogOptions options_;
  int fd_ = -1;
  uint64_t file_bytes_ = 0;    // end of the last complete block on disk
  uint64_t synced_bytes_ = 0;  // file bytes known to be fdatasync'ed
  uint64_t next_block_seq_ = 0;
  uint64_t recovered_truncated_bytes_ = 0;
  std::unique_ptr<unsigned char[]> block_;  // block header + payload being filled
  size_t block_cap_ = 0;                    // payload bytes per block (options.block_bytes)
  size_t block_alloc_ = 0;                  // payload bytes block_ can hold (>= block_cap_)
  size_t block_used_ = 0;                   // payload bytes filled
  uint32_t block_records_ = 0;
};

}  // namespace cf
