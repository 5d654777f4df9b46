#include "action/state_store.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace cf::action {
namespace {

struct Statement {
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(fmt::format("state store: {}", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(s); }
  void Text(int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.c_str(), -1, SQLITE_TRANSIENT);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
  std::string Col(int i) const {
    const unsigned char* t = sqlite3_column_text(s, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_stmt* s = nullptr;
};

nlohmann::json ParseOrNull(const std::string& s) {
  if (s.empty()) return nullptr;
  return nlohmann::json::parse(s, nullptr, false);
}

}  // namespace

StateStore::StateStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string err = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(fmt::format(
        "cannot open the state file {}: {}; check the path and its permissions, or pass another "
        "with --state",
        path, err));
  }
  sqlite3_busy_timeout(db_, 2000);
  try {
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=NORMAL");
    Exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    Load();
    if (auto v = GetMeta("schema_version"); v && *v != std::to_string(kSchemaVersion)) {
      throw std::runtime_error(fmt::format(
          "the state file {} has schema version {} but this chengfang reads version {}; use the "
          "chengfang that wrote it, or start a new state file with --state",
          path, *v, kSchemaVersion));
    }
    Exec(
        "CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, wall_time TEXT NOT NULL, "
        "sim_minute INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, plan INTEGER, "
        "idempotency_key TEXT UNIQUE, args TEXT, before TEXT, after TEXT, result TEXT)");
    if (!GetMeta("schema_version")) SetMeta("schema_version", std::to_string(kSchemaVersion));
    Load();
  } catch (const std::exception& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    const std::string what = e.what();
    if (what.find("state file") != std::string::npos) throw;
    throw std::runtime_error(fmt::format(
        "the state file {} is not a Chengfang state database ({}); pass another with --state", path,
        what));
  }
}

StateStore::~StateStore() { sqlite3_close(db_); }

void StateStore::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

void StateStore::Load() {
  meta_.clear();
  {
    Statement st(db_, "SELECT key, value FROM meta");
    while (sqlite3_step(st.s) == SQLITE_ROW) meta_[st.Col(0)] = st.Col(1);
  }
  entries_.clear();
  by_key_.clear();
  sqlite3_stmt* probe = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM audit LIMIT 1", -1, &probe, nullptr) != SQLITE_OK) {
    sqlite3_finalize(probe);
    return;  // no audit table yet
  }
  sqlite3_finalize(probe);
  Statement st(db_,
               "SELECT seq, wall_time, sim_minute, actor, action, plan, idempotency_key, args, "
               "before, after, result FROM audit ORDER BY seq");
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    AuditEntry e;
    e.seq = sqlite3_column_int64(st.s, 0);
    e.wall_time = st.Col(1);
    e.sim_minute = static_cast<uint32_t>(sqlite3_column_int64(st.s, 2));
    e.actor = st.Col(3);
    e.action = st.Col(4);
    e.plan = sqlite3_column_type(st.s, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st.s, 5);
    e.idempotency_key = st.Col(6);
    e.args = ParseOrNull(st.Col(7));
    e.before = ParseOrNull(st.Col(8));
    e.after = ParseOrNull(st.Col(9));
    e.result = ParseOrNull(st.Col(10));
    if (!e.idempotency_key.empty()) by_key_[e.idempotency_key] = entries_.size();
    entries_.push_back(std::move(e));
  }
}

const AuditEntry& StateStore::Append(AuditEntry e) {
  e.seq = entries_.empty() ? 1 : entries_.back().seq + 1;
  if (e.wall_time.empty()) {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    e.wall_time = buf;
  }
  Statement st(db_,
               "INSERT INTO audit (seq, wall_time, sim_minute, actor, action, plan, "
               "idempotency_key, args, before, after, result) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  st.Int(1, e.seq);
  st.Text(2, e.wall_time);
  st.Int(3, e.sim_minute);
  st.Text(4, e.actor);
  st.Text(5, e.action);
  if (e.plan >= 0) st.Int(6, e.plan);
  if (!e.idempotency_key.empty()) st.Text(7, e.idempotency_key);
  st.Text(8, e.args.dump());
  st.Text(9, e.before.dump());
  st.Text(10, e.after.dump());
  st.Text(11, e.result.dump());
  if (sqlite3_step(st.s) != SQLITE_DONE) {
    throw std::runtime_error(
        fmt::format("could not write the audit log to {}: {}; the change was not made", path_,
                    sqlite3_errmsg(db_)));
  }
  if (!e.idempotency_key.empty()) by_key_[e.idempotency_key] = entries_.size();
  entries_.push_back(std::move(e));
  return entries_.back();
}

const AuditEntry* StateStore::FindByKey(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &entries_[it->second];
}

std::optional<std::string> StateStore::GetMeta(const std::string& key) const {
  auto it = meta_.find(key);
  if (it == meta_.end()) return std::nullopt;
  return it->second;
}

void StateStore::SetMeta(const std::string& key, const std::string& value) {
  Statement st(db_,
               "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
               "excluded.value");
  st.Text(1, key);
  st.Text(2, value);
  if (sqlite3_step(st.s) != SQLITE_DONE) {
    throw std::runtime_error(fmt::format("could not write {}: {}", path_, sqlite3_errmsg(db_)));
  }
  meta_[key] = value;
}

}  // namespace cf::action
