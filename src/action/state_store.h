// The account's durable state in SQLite (the embedded default): the audit log of every change
// (who, when, what, before, after) and a few key/value settings. The audit log is also the journal
// a restarted server replays to resume where it stopped. Promises: an entry is committed in one
// transaction before the change is reported done; a file from another schema version is refused
// with a clear error and left untouched; idempotency keys are unique. ":memory:" keeps it in
// memory. Not thread-safe (the action API serialises calls).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cf::action {

struct AuditEntry {
  int64_t seq = 0;          // 1, 2, ... in commit order
  std::string wall_time;    // UTC, ISO 8601
  uint32_t sim_minute = 0;  // when it happened in the simulated market
  std::string actor;        // "merchant:http", "merchant:mcp", "autopilot", ...
  std::string action;       // the tool name, e.g. "update_ad_plan_budget"
  int64_t plan = -1;        // the plan it changed (-1: none)
  std::string idempotency_key;
  nlohmann::json args, before, after, result;
};

class StateStore {
 public:
  // Opens (creating if missing) the SQLite file at `path`; throws std::runtime_error naming the
  // file and what to do if it cannot be opened or has another schema version.
  explicit StateStore(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Appends an entry (seq assigned); returns it.
  const AuditEntry& Append(AuditEntry e);
  const std::vector<AuditEntry>& entries() const { return entries_; }
  const AuditEntry* FindByKey(const std::string& idempotency_key) const;

  std::optional<std::string> GetMeta(const std::string& key) const;
  void SetMeta(const std::string& key, const std::string& value);
  const std::string& path() const { return path_; }

  static constexpr int kSchemaVersion = 1;

 private:
  void Exec(const std::string& sql);
  void Load();
  std::string path_;
  sqlite3* db_ = nullptr;
  std::vector<AuditEntry> entries_;
  std::map<std::string, size_t> by_key_;
  std::map<std::string, std::string> meta_;
};

}  // namespace cf::action
