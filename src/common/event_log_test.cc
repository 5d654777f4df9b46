#include "common/event_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/random.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

// ---- deterministic test data -----------------------------------------------------------------

constexpr uint64_t kUsers = 97;

// Query text number k; some are Chinese, some longer than a small block.
std::string QueryText(uint32_t k) {
  if (k % 50 == 5) return std::string(300 + k % 7, static_cast<char>('a' + k % 26));
  if (k % 3 == 0) return fmt::format("连衣裙 夏季 {}", k);
  return fmt::format("query {}", k);
}

// Event number i of a deterministic stream: users round-robin, minutes non-decreasing per user.
// Every event with i % 11 == 6 is a search whose query is QueryText(i / 110); query ids are
// interned in that order, so the id of QueryText(k) is k.
Event MakeEvent(uint64_t i) {
  Event e;
  e.user = static_cast<UserId>(i % kUsers);
  e.minute = static_cast<SimMinute>(i / kUsers);
  e.money = static_cast<int64_t>(Mix64(i) % 2'000'000) - 1'000'000;
  e.product = static_cast<ProductId>(i * 7);
  e.plan = static_cast<PlanId>(i % 13);
  e.type = static_cast<EventType>(i % kNumEventTypes);
  e.ref = e.type == EventType::kSearch ? static_cast<uint32_t>(i / 110) : static_cast<uint32_t>(i);
  e.channel = static_cast<Channel>(i % kNumChannels);
  e.quantity = static_cast<uint8_t>(i % 5);
  e.flags = static_cast<uint8_t>(i % 4);
  return e;
}

// Appends MakeEvent(i) for i in [from, to), interning search queries first.
void AppendRange(EventLog& log, uint64_t from, uint64_t to) {
  for (uint64_t i = from; i < to; ++i) {
    const Event e = MakeEvent(i);
    if (e.type == EventType::kSearch) {
      ASSERT_EQ(log.InternQuery(QueryText(e.ref)), e.ref) << "event " << i;
    }
    log.Append(e);
  }
}

bool SameEvent(const Event& a, const Event& b) { return std::memcmp(&a, &b, sizeof(Event)) == 0; }

// Checks that log holds exactly MakeEvent(0..n-1) with n = log.size(), per user and in append
// order, and that every search event's query text resolves.
void ExpectDeterministicPrefix(const EventLog& log) {
  uint64_t i = 0;
  bool all_same = true;
  log.ForEachInAppendOrder([&](const Event& e) {
    if (all_same && !SameEvent(e, MakeEvent(i))) {
      ADD_FAILURE() << "event " << i << " differs from what was written";
      all_same = false;
    }
    ++i;
  });
  EXPECT_EQ(i, log.size());
  for (UserId u = 0; u < kUsers; ++u) {
    const HistoryView h = log.History(u);
    const uint64_t expected = log.size() / kUsers + (u < log.size() % kUsers ? 1 : 0);
    ASSERT_EQ(h.size(), expected) << "user " << u;
    for (size_t j = 0; j < h.size(); ++j) {
      ASSERT_TRUE(SameEvent(h[j], MakeEvent(j * kUsers + u))) << "user " << u << " #" << j;
      if (h[j].type == EventType::kSearch) {
        ASSERT_EQ(log.Query(h[j].ref), QueryText(h[j].ref));
      }
    }
  }
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

uint32_t Get32(const std::string& s, size_t off) {
  uint32_t v;
  std::memcpy(&v, s.data() + off, 4);
  return v;
}

// Byte offsets of the blocks of a log file, walking the block headers (docs/event-log.md).
std::vector<uint64_t> BlockOffsets(const fs::path& p) {
  const std::string bytes = ReadFile(p);
  std::vector<uint64_t> offsets;
  uint64_t off = 64;
  while (off + 32 <= bytes.size()) {
    offsets.push_back(off);
    off += 32 + Get32(bytes, off + 4);
  }
  EXPECT_EQ(off, bytes.size()) << "file does not end at a block boundary";
  return offsets;
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("cf_event_log_test_{}_{}_{}", ::getpid(),
                                                   info->name(), std::random_device{}());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

// ---- basics ------------------------------------------------------------------------------------

TEST(Crc32Test, MatchesTheStandardCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(Crc32(s.data(), s.size()), 0xCBF43926u);
  EXPECT_EQ(Crc32(s.data(), 0), 0u);
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(Crc32(fox.data(), fox.size()), 0x414FA339u);  // zlib.crc32
  std::string pattern(1000, '\0');
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<char>((i * 7 + 3) & 0xFF);
  EXPECT_EQ(Crc32(pattern.data(), pattern.size()), 0x17BC2A46u);  // zlib.crc32
  const std::string long_text(1000, 'x');
  const uint32_t whole = Crc32(long_text.data(), long_text.size());
  EXPECT_EQ(Crc32(long_text.data() + 333, 667, Crc32(long_text.data(), 333)), whole);
}

TEST(EventLogMemTest, AppendAndReadBack) {
  auto log = EventLog::InMemory();
  EXPECT_EQ(log->size(), 0u);
  EXPECT_TRUE(log->History(3).empty());
  AppendRange(*log, 0, 5000);
  EXPECT_EQ(log->size(), 5000u);
  EXPECT_EQ(log->num_users(), kUsers);
  EXPECT_EQ(log->user_limit(), kUsers);
  EXPECT_TRUE(log->path().empty());
  ExpectDeterministicPrefix(*log);
  EXPECT_TRUE(log->History(kUsers).empty());
  EXPECT_TRUE(log->History(kNoId - 1).empty());
}

TEST(EventLogMemTest, RejectsOutOfOrderEventsAndKeepsWhatIsStored) {
  auto log = EventLog::InMemory();
  Event e;
  e.user = 5;
  e.minute = 100;
  e.money = 1;
  log->Append(e);
  e.money = 2;
  log->Append(e);  // same minute is fine
  Event early = e;
  early.minute = 99;
  early.money = 3;
  try {
    log->Append(early);
    FAIL() << "an event earlier than the user's last one was accepted";
  } catch (const EventLogError& err) {
    EXPECT_NE(std::string(err.what()).find("earlier"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("user 5"), std::string::npos) << err.what();
  }
  ASSERT_EQ(log->size(), 2u);
  ASSERT_EQ(log->History(5).size(), 2u);
  EXPECT_EQ(log->History(5)[1].money, 2);
  // Another user's clock is independent.
  early.user = 6;
  log->Append(early);
  EXPECT_EQ(log->History(6).size(), 1u);
  EXPECT_EQ(log->size(), 3u);

  Event nobody;
  nobody.user = kNoId;
  EXPECT_THROW(log->Append(nobody), EventLogError);
  Event reserved = e;
  reserved.minute = 200;
  reserved.type = static_cast<EventType>(0xFF);
  EXPECT_THROW(log->Append(reserved), EventLogError);
  EXPECT_EQ(log->size(), 3u);
  size_t visited = 0;
  log->ForEachInAppendOrder([&](const Event&) { ++visited; });
  EXPECT_EQ(visited, 3u);
}

TEST(EventLogMemTest, LatestK) {
  auto log = EventLog::InMemory();
  for (int i = 0; i < 100; ++i) {
    Event e;
    e.user = 7;
    e.minute = static_cast<SimMinute>(i);
    e.money = i;
    log->Append(e);
  }
  const HistoryView last10 = log->Latest(7, 10);
  ASSERT_EQ(last10.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(last10[i].money, static_cast<int64_t>(90 + i));
  EXPECT_EQ(last10.back().money, 99);
  EXPECT_TRUE(log->Latest(7, 0).empty());
  EXPECT_EQ(log->Latest(7, 1000).size(), 100u);
  EXPECT_EQ(log->Latest(7, 1000)[0].money, 0);
  EXPECT_TRUE(log->Latest(8, 5).empty());
  int64_t sum = 0;
  last10.ForEach([&](const Event& e) { sum += e.money; });
  EXPECT_EQ(sum, 945);
}

TEST(EventLogMemTest, LongHistoryIsContiguousAndCheap) {
  auto log = EventLog::InMemory();
  constexpr UserId kHeavy = 1234;
  for (uint32_t i = 0; i < 12000; ++i) {
    Event e;
    e.user = kHeavy;
    e.minute = i / 3;
    e.product = i;
    log->Append(e);
    Event other = e;  // interleave other users
    other.user = i % 50;
    log->Append(other);
  }
  const HistoryView h = log->History(kHeavy);
  ASSERT_EQ(h.size(), 12000u);
  EXPECT_TRUE(h.older.empty());
  for (uint32_t i = 0; i < 12000; ++i) {
    ASSERT_EQ(h[i].product, i);
    ASSERT_EQ(&h[i], h.newer.data() + i);  // one contiguous array
  }
  const HistoryView last = log->Latest(kHeavy, 500);
  ASSERT_EQ(last.size(), 500u);
  EXPECT_EQ(last[0].product, 11500u);
  EXPECT_EQ(last.newer.data(), h.newer.data() + 11500);
}

// Users growing at random and retiring at random leave holes too small for the ones still growing;
// the arena must keep capacity within 1.5x, bound its fragmentation (compacting when it would
// otherwise map more memory) and never lose or reorder an event while moving arrays.
TEST(EventLogMemTest, MemoryStaysBoundedAndEventsSurviveCompaction) {
  auto log = EventLog::InMemory();
  RandomStream rng(7, "memory");
  std::vector<uint32_t> target(2000), count(2000, 0);
  for (auto& t : target) t = 1 + static_cast<uint32_t>(rng.Below(3000));
  auto make = [](UserId u, uint32_t i, SimMinute minute) {
    Event e;
    e.user = u;
    e.minute = minute;
    e.money = static_cast<int64_t>(Mix64(uint64_t{u} << 32 | i));
    e.ref = i;
    return e;
  };
  size_t peak_arena = 0;
  for (SimMinute minute = 0;; ++minute) {
    bool any = false;
    for (UserId u = 0; u < target.size(); ++u) {
      if (count[u] == target[u]) continue;
      any = true;
      if (rng.Bernoulli(0.5)) log->Append(make(u, count[u]++, minute));
    }
    if (!any) break;
    if (minute % 100 == 0) peak_arena = std::max(peak_arena, log->memory_usage().event_arena_bytes);
  }
  const EventLogMemory m = log->memory_usage();
  EXPECT_EQ(m.event_bytes, log->size() * sizeof(Event));
  EXPECT_GE(m.event_capacity_bytes, m.event_bytes);
  EXPECT_LE(static_cast<double>(m.event_capacity_bytes), 1.5 * static_cast<double>(m.event_bytes));
  EXPECT_LE(static_cast<double>(m.event_arena_bytes), 1.75 * static_cast<double>(m.event_bytes));
  EXPECT_LE(static_cast<double>(peak_arena), 1.75 * static_cast<double>(m.event_bytes));
  EXPECT_GT(m.compactions, 0u);  // this pattern needs it; the checks below cover moved arrays
  for (UserId u = 0; u < target.size(); ++u) {
    const HistoryView h = log->History(u);
    ASSERT_EQ(h.size(), target[u]);
    for (uint32_t i = 0; i < h.size(); ++i) {
      ASSERT_EQ(h[i].ref, i) << "user " << u;
      ASSERT_EQ(h[i].money, make(u, i, 0).money) << "user " << u;
    }
  }

  // Reserve is exact.
  auto exact = EventLog::InMemory();
  exact->ReserveUsers(10);
  exact->ReserveEvents(12000);
  exact->Reserve(3, 12000);
  for (uint32_t i = 0; i < 12000; ++i) {
    Event e;
    e.user = 3;
    e.minute = i;
    exact->Append(e);
  }
  EXPECT_EQ(exact->memory_usage().event_capacity_bytes, 12000 * sizeof(Event));
}

// Users growing in lockstep outgrow their arrays together; the arena must reuse the outgrown
// arrays (merging neighbours) without losing or reordering a single event, also across reserved
// (non-class) capacities and arrays big enough to get their own mapping.
TEST(EventLogMemTest, ReclaimingOutgrownArraysKeepsEveryEvent) {
  auto log = EventLog::InMemory();
  constexpr UserId kUsersInStep = 20000;
  constexpr uint32_t kRounds = 60;
  constexpr UserId kBig = kUsersInStep;  // grows past the small-array limit (1 MiB)
  log->Reserve(7, 45);                   // not a capacity class
  log->Reserve(8, 100000);               // large from the start
  auto make = [](UserId u, uint32_t round, uint32_t j) {
    Event e;
    e.user = u;
    e.minute = round;
    e.money = static_cast<int64_t>(Mix64(uint64_t{u} << 32 | round << 8 | j));
    e.ref = round;
    return e;
  };
  for (uint32_t round = 0; round < kRounds; ++round) {
    for (UserId u = 0; u < kUsersInStep; ++u) log->Append(make(u, round, 0));
    for (uint32_t j = 0; j < 1000; ++j) log->Append(make(kBig, round, j));
    const HistoryView h = log->Latest(kUsersInStep / 2, 2);
    ASSERT_EQ(h.back().ref, round);
  }
  const EventLogMemory m = log->memory_usage();
  EXPECT_LE(static_cast<double>(m.event_arena_bytes), 1.5 * static_cast<double>(m.event_bytes));
  for (UserId u = 0; u < kUsersInStep; ++u) {
    const HistoryView h = log->History(u);
    ASSERT_EQ(h.size(), kRounds) << "user " << u;
    for (uint32_t round = 0; round < kRounds; ++round) {
      ASSERT_TRUE(SameEvent(h[round], make(u, round, 0))) << "user " << u << " round " << round;
    }
  }
  const HistoryView big = log->History(kBig);
  ASSERT_EQ(big.size(), kRounds * 1000u);
  for (uint32_t i = 0; i < big.size(); ++i) {
    ASSERT_TRUE(SameEvent(big[i], make(kBig, i / 1000, i % 1000))) << i;
  }
  uint64_t n = 0;
  log->ForEachInAppendOrder([&](const Event&) { ++n; });
  EXPECT_EQ(n, log->size());
}

// The per-user arrays come from the log's own allocator (free-block merging, growing in place,
// moving events down, compaction), which AddressSanitizer cannot see into: compare everything
// against a plain model under a random mix of users, bursts, reservations and one huge user.
TEST(EventLogMemTest, AllocatorMatchesAReferenceModel) {
  auto log = EventLog::InMemory();
  RandomStream rng(11, "allocator");
  constexpr UserId kModelUsers = 3000;
  std::vector<std::vector<int64_t>> model(kModelUsers + 1);
  auto verify = [&] {
    for (UserId u = 0; u <= kModelUsers; ++u) {
      const HistoryView h = log->History(u);
      ASSERT_EQ(h.size(), model[u].size()) << "user " << u;
      for (size_t i = 0; i < h.size(); ++i) ASSERT_EQ(h[i].money, model[u][i]) << "user " << u;
    }
  };
  SimMinute minute = 0;
  for (int step = 0; step < 300000; ++step) {
    const double r = rng.Uniform();
    // Skewed user choice: a few users get most events, like real activity.
    UserId u = static_cast<UserId>(rng.Below(kModelUsers));
    if (r < 0.3) u = static_cast<UserId>(rng.Below(50));
    if (r < 0.02) {
      log->Reserve(u, model[u].size() + rng.Below(200));
      continue;
    }
    if (r < 0.05) u = kModelUsers;  // grows past 1 MiB into its own mapping
    const uint64_t burst = 1 + rng.Below(r < 0.1 ? 64 : 4);
    for (uint64_t j = 0; j < burst; ++j) {
      Event e;
      e.user = u;
      e.minute = minute;
      e.money = static_cast<int64_t>(rng.Next() >> 1);
      log->Append(e);
      model[u].push_back(e.money);
    }
    minute += static_cast<SimMinute>(rng.Below(2));
    if (step % 50000 == 0) verify();
  }
  verify();
  EXPECT_GT(model[kModelUsers].size(), 40000u);  // really took the large-array path
  const EventLogMemory m = log->memory_usage();
  EXPECT_LE(static_cast<double>(m.event_arena_bytes), 1.75 * static_cast<double>(m.event_bytes));
}

TEST(EventLogMemTest, InternsQueries) {
  auto log = EventLog::InMemory();
  const QueryId a = log->InternQuery("红色连衣裙");
  const QueryId b = log->InternQuery("running shoes");
  const QueryId empty = log->InternQuery("");
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(empty, 2u);
  EXPECT_EQ(log->InternQuery("红色连衣裙"), a);
  EXPECT_EQ(log->InternQuery(std::string("running shoes")), b);
  EXPECT_EQ(log->Query(a), "红色连衣裙");
  EXPECT_EQ(log->Query(b), "running shoes");
  EXPECT_EQ(log->Query(empty), "");
  EXPECT_EQ(log->num_queries(), 3u);
  EXPECT_THROW(log->Query(3), std::out_of_range);
  // Views stay valid while more texts are interned.
  const std::string_view view = log->Query(a);
  for (int i = 0; i < 10000; ++i) log->InternQuery(fmt::format("q{}", i));
  EXPECT_EQ(view, "红色连衣裙");
  EXPECT_THROW(log->InternQuery(std::string((1 << 20) + 1, 'x')), EventLogError);
}

// ---- files -------------------------------------------------------------------------------------

TEST_F(EventLogTest, ReopenAfterCleanCloseGivesIdenticalEventsAndQueries) {
  const fs::path path = dir_ / "events.cflog";
  {
    auto log = EventLog::Open(path, {.block_bytes = 1024});
    EXPECT_EQ(log->path(), path);
    EXPECT_EQ(log->recovered_truncated_bytes(), 0u);
    AppendRange(*log, 0, 6000);
  }
  {
    auto log = EventLog::Open(path, {.block_bytes = 1024});
    EXPECT_EQ(log->recovered_truncated_bytes(), 0u);
    ASSERT_EQ(log->size(), 6000u);
    EXPECT_EQ(log->num_queries(), 6000u / 110 + 1);
    ExpectDeterministicPrefix(*log);
    EXPECT_EQ(log->InternQuery(QueryText(3)), 3u);  // same text, same id after reopen
    AppendRange(*log, 6000, 9000);                  // continue
    log->Flush();
  }
  auto log = EventLog::Open(path);  // a different block size reads the same file
  EXPECT_EQ(log->recovered_truncated_bytes(), 0u);
  ASSERT_EQ(log->size(), 9000u);
  ExpectDeterministicPrefix(*log);
}

TEST_F(EventLogTest, WriteOnlyLogWritesEverythingAndKeepsNothing) {
  const fs::path path = dir_ / "write_only.cflog";
  auto base = EventLog::InMemory();
  Event old = MakeEvent(0);
  old.minute = 1;
  base->Append(old);
  {
    auto log = EventLog::Open(path, {.block_bytes = 1024, .keep_events = false}, base.get());
    EXPECT_FALSE(log->keeps_events());
    Event first = MakeEvent(0);
    first.minute = 0;  // earlier than the base's last event of user 0
    EXPECT_THROW(log->Append(first), EventLogError);
    AppendRange(*log, kUsers, 6000);  // minutes >= 1
    EXPECT_EQ(log->size(), 6000u - kUsers);
    EXPECT_EQ(log->num_users(), kUsers);
    EXPECT_EQ(log->History(0).size(), 1u);  // only the base's event
    EXPECT_EQ(log->History(1).size(), 0u);
    EXPECT_EQ(log->memory_usage().event_bytes, 0u);
    EXPECT_EQ(log->memory_usage().event_capacity_bytes, 0u);
    EXPECT_THROW(log->ForEachInAppendOrder([](const Event&) {}), EventLogError);
    Event late = MakeEvent(6000 - 1);
    late.minute -= 1;  // earlier than that user's last own event
    EXPECT_THROW(log->Append(late), EventLogError);
    EXPECT_THROW(EventLog::InMemory(log.get()), EventLogError);  // cannot be a base
  }
  // Reopened with the defaults, the file holds every event, in order.
  auto log = EventLog::Open(path, {}, base.get());
  ASSERT_EQ(log->size(), 6000u - kUsers);
  size_t i = kUsers;
  log->ForEachInAppendOrder([&](const Event& e) {
    EXPECT_TRUE(SameEvent(e, MakeEvent(i))) << "event " << i;
    ++i;
  });
  EXPECT_EQ(log->History(3).size(), 61u);  // i = 3 + 97k for k = 1..61
  EXPECT_EQ(log->num_queries(), 6000u / 110 + 1);
  // And a write-only reopen continues it (the order check sees the file's last minutes).
  log.reset();
  auto again = EventLog::Open(path, {.keep_events = false}, base.get());
  EXPECT_EQ(again->size(), 6000u - kUsers);
  Event stale = MakeEvent(kUsers);
  EXPECT_THROW(again->Append(stale), EventLogError);
  AppendRange(*again, 6000, 6100);
  EXPECT_EQ(again->size(), 6100u - kUsers);
}

TEST(EventLogMemTest, CountingSinkChecksAndCountsButKeepsNothing) {
  auto log = EventLog::InMemory(nullptr, /*keep_events=*/false);
  EXPECT_FALSE(log->keeps_events());
  AppendRange(*log, 0, 5000);
  EXPECT_EQ(log->size(), 5000u);
  EXPECT_EQ(log->num_users(), kUsers);
  EXPECT_EQ(log->user_limit(), kUsers);
  EXPECT_TRUE(log->History(5).empty());
  EXPECT_EQ(log->memory_usage().event_arena_bytes, 0u);
  EXPECT_EQ(log->Query(2), QueryText(2));                  // queries are still interned
  EXPECT_THROW(log->Append(MakeEvent(0)), EventLogError);  // out of order for user 0
  EXPECT_EQ(log->size(), 5000u);
}

TEST_F(EventLogTest, ScanReadsAFileWithoutItsBaseAndLeavesItAlone) {
  const fs::path path = dir_ / "scan.cflog";
  auto base = EventLog::InMemory();
  {
    auto log = EventLog::Open(path, {.block_bytes = 1024, .keep_events = false}, base.get());
    AppendRange(*log, 0, 5000);
  }
  {
    std::ofstream garbage(path, std::ios::binary | std::ios::app);
    garbage << std::string(100, 'x');  // a torn tail
  }
  const auto size = fs::file_size(path);
  uint64_t i = 0;
  const EventLogScan r = EventLog::Scan(path, [&](const Event& e) {
    EXPECT_TRUE(SameEvent(e, MakeEvent(i))) << "event " << i;
    ++i;
  });
  EXPECT_EQ(i, 5000u);
  EXPECT_EQ(r.events, 5000u);
  EXPECT_EQ(r.queries, 5000u / 110 + 1);
  EXPECT_EQ(r.torn_bytes, 100u);
  EXPECT_TRUE(r.has_base);
  EXPECT_EQ(fs::file_size(path), size);  // only read

  const fs::path other = dir_ / "notes.txt";
  std::ofstream(other) << std::string(200, 'n');
  EXPECT_THROW(EventLog::Scan(other, [](const Event&) {}), EventLogError);
  EXPECT_THROW(EventLog::Scan(dir_ / "missing.cflog", [](const Event&) {}), EventLogError);
}

TEST_F(EventLogTest, RejectedEventIsNotWritten) {
  const fs::path path = dir_ / "order.cflog";
  {
    auto log = EventLog::Open(path, {.block_bytes = 64});
    AppendRange(*log, 0, 300);
    Event late = MakeEvent(0);
    EXPECT_THROW(log->Append(late), EventLogError);
  }
  auto log = EventLog::Open(path);
  EXPECT_EQ(log->size(), 300u);
  ExpectDeterministicPrefix(*log);
}

TEST_F(EventLogTest, SecondOpenOfTheSameFileIsRefused) {
  const fs::path path = dir_ / "locked.cflog";
  auto log = EventLog::Open(path);
  try {
    EventLog::Open(path);
    FAIL() << "a second writer was allowed";
  } catch (const EventLogError& err) {
    EXPECT_NE(std::string(err.what()).find(path.string()), std::string::npos) << err.what();
  }
}

TEST_F(EventLogTest, EmptyFileBecomesANewLog) {
  const fs::path path = dir_ / "empty.cflog";
  WriteFile(path, "");
  {
    auto log = EventLog::Open(path);
    AppendRange(*log, 0, 10);
  }
  EXPECT_EQ(EventLog::Open(path)->size(), 10u);
}

TEST_F(EventLogTest, TornOrGarbledTailIsTruncatedToTheLastGoodBlock) {
  const fs::path path = dir_ / "torn.cflog";
  constexpr uint64_t kEvents = 2000;
  {
    auto log = EventLog::Open(path, {.block_bytes = 1024});
    AppendRange(*log, 0, kEvents);
  }
  const std::string clean = ReadFile(path);
  const std::vector<uint64_t> blocks = BlockOffsets(path);
  ASSERT_GT(blocks.size(), 10u);
  const uint64_t last = blocks.back();

  // Events in all blocks but the last: what a cut inside the last block must leave.
  uint64_t events_before_last;
  {
    WriteFile(path, clean.substr(0, last));
    auto log = EventLog::Open(path);
    EXPECT_EQ(log->recovered_truncated_bytes(), 0u);
    events_before_last = log->size();
    ASSERT_LT(events_before_last, kEvents);
    ASSERT_GT(events_before_last, kEvents - 40);
  }

  struct Damage {
    const char* name;
    std::string bytes;
    uint64_t good_bytes;  // where the recovered file must end
  };
  std::string flipped = clean;
  flipped[last + 32 + 100] ^= 0x40;  // payload byte of the last block
  std::string bad_header = clean;
  bad_header[last + 8] ^= 1;  // record count of the last block
  std::string garbage = clean;
  for (int i = 0; i < 100; ++i) garbage.push_back(static_cast<char>(Mix64(i)));
  std::string zeros = clean + std::string(4096, '\0');
  std::string stale = clean + clean.substr(last);  // a valid-looking block with a wrong sequence
  const std::vector<Damage> cases = {
      {"cut inside the last block", clean.substr(0, clean.size() - 10), last},
      {"cut inside the last block header", clean.substr(0, last + 20), last},
      {"flipped payload bit", flipped, last},
      {"damaged block header", bad_header, last},
      {"garbage after the end", garbage, clean.size()},
      {"zeros after the end", zeros, clean.size()},
      {"repeated block", stale, clean.size()},
  };
  for (const Damage& d : cases) {
    SCOPED_TRACE(d.name);
    WriteFile(path, d.bytes);
    {
      auto log = EventLog::Open(path);
      EXPECT_EQ(log->recovered_truncated_bytes(), d.bytes.size() - d.good_bytes);
      EXPECT_EQ(log->size(), d.good_bytes == clean.size() ? kEvents : events_before_last);
      ExpectDeterministicPrefix(*log);
    }
    EXPECT_EQ(fs::file_size(path), d.good_bytes);
    {
      // Clean now; appending continues where the good data ended.
      auto log = EventLog::Open(path, {.block_bytes = 1024});
      EXPECT_EQ(log->recovered_truncated_bytes(), 0u);
      AppendRange(*log, log->size(), kEvents + 500);
    }
    auto log = EventLog::Open(path);
    EXPECT_EQ(log->recovered_truncated_bytes(), 0u);
    EXPECT_EQ(log->size(), kEvents + 500);
    ExpectDeterministicPrefix(*log);
  }
}

TEST_F(EventLogTest, NonLogFilesGiveAClearErrorAndAreLeftUntouched) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"data.csv",
       "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE\n"
       "2375,26984851472,1,1004906,1,1.39\n2375,26984851472,1,1033142,1,0.82\n"},
      {"short.txt", "hi\n"},
  };
  for (const auto& [name, content] : files) {
    SCOPED_TRACE(name);
    const fs::path path = dir_ / name;
    WriteFile(path, content);
    const auto mtime = fs::last_write_time(path);
    try {
      EventLog::Open(path);
      FAIL() << "a non-log file was opened";
    } catch (const EventLogError& err) {
      const std::string what = err.what();
      EXPECT_NE(what.find(path.string()), std::string::npos) << what;
      EXPECT_NE(what.find("not a Chengfang event log"), std::string::npos) << what;
    }
    EXPECT_EQ(ReadFile(path), content);
    EXPECT_EQ(fs::last_write_time(path), mtime);
  }
}

TEST_F(EventLogTest, OtherVersionsAndDamagedHeadersAreRefused) {
  const fs::path path = dir_ / "v.cflog";
  {
    auto log = EventLog::Open(path);
    AppendRange(*log, 0, 100);
  }
  const std::string clean = ReadFile(path);

  std::string v2 = clean;
  const uint32_t version = 2;
  std::memcpy(v2.data() + 8, &version, 4);
  const uint32_t crc = Crc32(v2.data(), 60);
  std::memcpy(v2.data() + 60, &crc, 4);
  WriteFile(path, v2);
  try {
    EventLog::Open(path);
    FAIL() << "a version 2 file was opened";
  } catch (const EventLogError& err) {
    const std::string what = err.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("version 2"), std::string::npos) << what;
  }
  EXPECT_EQ(ReadFile(path), v2);

  std::string damaged = clean;
  damaged[30] ^= 1;
  WriteFile(path, damaged);
  try {
    EventLog::Open(path);
    FAIL() << "a damaged header was accepted";
  } catch (const EventLogError& err) {
    EXPECT_NE(std::string(err.what()).find("damaged"), std::string::npos) << err.what();
  }
  EXPECT_EQ(ReadFile(path), damaged);
}

// The child appends MakeEvent(i) forever from where the log ends, flushing every 7 events and
// reporting the number of flushed events on `report_fd`. Never returns.
[[noreturn]] void RunChildWriter(const fs::path& path, int report_fd) {
  try {
    auto log = EventLog::Open(path, {.block_bytes = 256});
    for (uint64_t i = log->size();; ++i) {
      const Event e = MakeEvent(i);
      if (e.type == EventType::kSearch && log->InternQuery(QueryText(e.ref)) != e.ref) _exit(3);
      log->Append(e);
      if (i % 7 == 6) {
        log->Flush();
        const uint64_t flushed = i + 1;
        if (::write(report_fd, &flushed, sizeof flushed) != sizeof flushed) _exit(4);
      }
      if (i > 50'000'000) {
        for (;;) ::pause();
      }
    }
  } catch (...) {
    _exit(2);
  }
}

TEST_F(EventLogTest, SurvivesKillDashNine) {
  const fs::path path = dir_ / "killed.cflog";
  std::mt19937_64 rng(std::random_device{}());
  uint64_t previous = 0;
  int torn_tails = 0;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChildWriter(path, fds[1]);
    }
    ::close(fds[1]);
    const uint64_t target = previous + 200 + rng() % 3000;
    uint64_t reported = 0;
    auto read_report = [&]() {
      uint64_t n;
      size_t got = 0;
      while (got < sizeof n) {
        const ssize_t r = ::read(fds[0], reinterpret_cast<char*>(&n) + got, sizeof n - got);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
      }
      reported = std::max(reported, n);
      return true;
    };
    while (reported < target && read_report()) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer died on its own, status " << status;
    while (read_report()) {
    }
    ::close(fds[0]);
    ASSERT_GE(reported, target);

    auto log = EventLog::Open(path);
    EXPECT_GE(log->size(), reported) << "flushed events were lost";
    EXPECT_GE(log->size(), previous);
    torn_tails += log->recovered_truncated_bytes() > 0;
    ExpectDeterministicPrefix(*log);
    previous = log->size();
    log.reset();
    EXPECT_EQ(EventLog::Open(path)->recovered_truncated_bytes(), 0u);
  }
  std::printf("kill -9: %llu events recovered over 6 kills, %d torn tails cut\n",
              static_cast<unsigned long long>(previous), torn_tails);
}

// ---- base and derived logs ---------------------------------------------------------------------

Event At(UserId u, SimMinute m, int64_t money) {
  Event e;
  e.user = u;
  e.minute = m;
  e.money = money;
  return e;
}

TEST(EventLogLayerTest, DerivedViewsSeeBaseThenOwnEvents) {
  auto base = EventLog::InMemory();
  for (int i = 0; i < 10; ++i) base->Append(At(1, 10 + i, i));
  base->Append(At(2, 50, 100));
  EXPECT_EQ(base->InternQuery("a"), 0u);
  EXPECT_EQ(base->InternQuery("b"), 1u);

  auto d1 = EventLog::InMemory(base.get());
  auto d2 = EventLog::InMemory(base.get());
  EXPECT_EQ(d1->base(), base.get());
  d1->Append(At(1, 19, 10));  // same minute as the base's last event is fine
  d1->Append(At(1, 30, 11));
  d1->Append(At(3, 5, 12));                                // a user the base does not know
  EXPECT_THROW(d1->Append(At(1, 18, 99)), EventLogError);  // earlier than the base's last
  EXPECT_THROW(d2->Append(At(2, 49, 99)), EventLogError);
  d2->Append(At(2, 60, 200));

  const HistoryView h = d1->History(1);
  ASSERT_EQ(h.size(), 12u);
  EXPECT_EQ(h.older.size(), 10u);
  EXPECT_EQ(h.newer.size(), 2u);
  EXPECT_EQ(h.older.data(), base->History(1).newer.data());  // shared, not copied
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(h[i].money, static_cast<int64_t>(i));
  const HistoryView last3 = d1->Latest(1, 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3.older.size(), 1u);
  EXPECT_EQ(last3[0].money, 9);
  EXPECT_EQ(last3[2].money, 11);
  EXPECT_EQ(d1->Latest(1, 2).older.size(), 0u);
  std::vector<int64_t> seen;
  d1->History(1).ForEach([&](const Event& e) { seen.push_back(e.money); });
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(seen.front(), 0);
  EXPECT_EQ(seen.back(), 11);

  EXPECT_EQ(d1->History(2).size(), 1u);  // d2's events are not d1's
  EXPECT_EQ(d2->History(2).size(), 2u);
  EXPECT_EQ(d1->History(3).size(), 1u);
  EXPECT_TRUE(d1->History(4).empty());
  EXPECT_EQ(d1->size(), 3u);
  EXPECT_EQ(d1->num_users(), 2u);
  EXPECT_EQ(d1->user_limit(), 4u);
  EXPECT_EQ(d2->user_limit(), 3u);
  std::vector<int64_t> own;
  d1->ForEachInAppendOrder([&](const Event& e) { own.push_back(e.money); });
  EXPECT_EQ(own, (std::vector<int64_t>{10, 11, 12}));

  // Query ids continue after the base's, independently per derived log.
  EXPECT_EQ(d1->InternQuery("b"), 1u);
  EXPECT_EQ(d1->InternQuery("c"), 2u);
  EXPECT_EQ(d2->InternQuery("d"), 2u);
  EXPECT_EQ(d1->Query(0), "a");
  EXPECT_EQ(d1->Query(2), "c");
  EXPECT_EQ(d2->Query(2), "d");
  EXPECT_EQ(base->num_queries(), 2u);
  EXPECT_THROW(base->Query(2), std::out_of_range);

  // The base is frozen while derived logs exist.
  EXPECT_THROW(base->Append(At(5, 100, 0)), EventLogError);
  EXPECT_THROW(base->InternQuery("new"), EventLogError);
  EXPECT_EQ(base->InternQuery("a"), 0u);  // looking up an existing text is fine
  EXPECT_THROW(base->Reserve(1, 1000), EventLogError);
  EXPECT_THROW(EventLog::InMemory(d1.get()), EventLogError);  // no chains
  EXPECT_EQ(base->size(), 11u);
  d1.reset();
  d2.reset();
  base->Append(At(5, 100, 0));
  EXPECT_EQ(base->size(), 12u);
}

TEST(EventLogLayerTest, TwoWorldsAppendConcurrentlyOnOneBase) {
  auto base = EventLog::InMemory();
  constexpr UserId kWorldUsers = 1000;
  for (SimMinute m = 0; m < 200; ++m) {
    for (UserId u = 0; u < kWorldUsers; ++u) base->Append(At(u, m, m));
  }
  auto world = [&](std::unique_ptr<EventLog>& log, int64_t tag) {
    for (SimMinute m = 200; m < 300; ++m) {
      for (UserId u = 0; u < kWorldUsers; ++u) {
        log->Append(At(u, m, tag));
        const HistoryView h = log->Latest(u, 250);
        if (h.size() != std::min<size_t>(250, m + 1) || h.back().money != tag ||
            h[0].minute != m + 1 - h.size()) {
          ADD_FAILURE() << "bad view of user " << u << " at minute " << m;
          return;
        }
      }
    }
  };
  auto a = EventLog::InMemory(base.get());
  auto b = EventLog::InMemory(base.get());
  std::thread ta([&] { world(a, -1); });
  std::thread tb([&] { world(b, -2); });
  ta.join();
  tb.join();
  for (UserId u = 0; u < kWorldUsers; u += 37) {
    ASSERT_EQ(a->History(u).size(), 300u);
    EXPECT_EQ(a->History(u)[199].money, 199);
    EXPECT_EQ(a->History(u)[200].money, -1);
    EXPECT_EQ(b->History(u)[299].money, -2);
  }
}

TEST_F(EventLogTest, DerivedFileReopensOnlyOnTheSameBase) {
  auto make_base = [](uint64_t n) {
    auto base = EventLog::InMemory();
    AppendRange(*base, 0, n);
    return base;
  };
  const fs::path path = dir_ / "campaign.cflog";
  auto base = make_base(1000);
  {
    auto log = EventLog::Open(path, {.block_bytes = 512}, base.get());
    AppendRange(*log, 1000, 3000);  // continues the base's users, clocks and query ids
    EXPECT_EQ(log->size(), 2000u);
  }
  {
    auto log = EventLog::Open(path, {}, base.get());
    ASSERT_EQ(log->size(), 2000u);
    uint64_t i = 1000;
    log->ForEachInAppendOrder([&](const Event& e) { EXPECT_TRUE(SameEvent(e, MakeEvent(i++))); });
    for (UserId u = 0; u < kUsers; u += 10) {
      const HistoryView h = log->History(u);
      for (size_t j = 0; j < h.size(); ++j) ASSERT_TRUE(SameEvent(h[j], MakeEvent(j * kUsers + u)));
    }
    for (QueryId q = 0; q < log->num_queries(); ++q) EXPECT_EQ(log->Query(q), QueryText(q));
  }
  const std::string bytes = ReadFile(path);
  try {
    EventLog::Open(path);
    FAIL() << "opened without its base";
  } catch (const EventLogError& err) {
    EXPECT_NE(std::string(err.what()).find("base"), std::string::npos) << err.what();
  }
  auto other = make_base(1001);
  EXPECT_THROW(EventLog::Open(path, {}, other.get()), EventLogError);
  EXPECT_EQ(ReadFile(path), bytes);
}

// ---- throughput (run with --gtest_also_run_disabled_tests; meaningful in optimised builds) -----

struct Rate {
  double wall;  // appends per wall-clock second
  double cpu;   // appends per CPU second of this process (user + system: page faults, writes)
};

// Appends `total` events and returns the rates, including the final Flush.
// Pattern "sessions": 1-16 consecutive events of one user drawn from 1M users, minutes advancing,
// replayed in passes over a 1M-event pattern (minutes shifted per pass to keep per-user order).
// Pattern "bulk": user by user, 30 events each (loading a history).
Rate MeasureAppendsPerSecond(EventLog& log, uint64_t total, bool bulk) {
  RandomStream rng(1, "bench");
  std::vector<Event> pattern;
  constexpr size_t kPattern = 1 << 20;
  SimMinute minute = 0;
  while (!bulk && pattern.size() < kPattern) {
    const UserId u = static_cast<UserId>(rng.Below(1'000'000));
    const uint64_t n = 1 + rng.Below(16);
    for (uint64_t j = 0; j < n && pattern.size() < kPattern; ++j) {
      Event e;
      e.user = u;
      e.minute = minute;
      e.money = static_cast<int64_t>(j);
      e.type = static_cast<EventType>(j % kNumEventTypes);
      pattern.push_back(e);
    }
    minute += static_cast<SimMinute>(rng.Below(2));
  }
  log.ReserveUsers(1'000'000);
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  if (bulk) {
    for (uint64_t i = 0; i < total; ++i) {
      Event e;
      e.user = static_cast<UserId>(i / 30);
      e.minute = static_cast<SimMinute>(i % 30);
      log.Append(e);
    }
  }
  for (uint64_t done = 0, pass = 0; !bulk && done < total; ++pass) {
    const SimMinute shift = static_cast<SimMinute>(pass * (minute + 1));
    for (size_t k = 0; k < pattern.size() && done < total; ++k, ++done) {
      Event e = pattern[k];
      e.minute += shift;
      log.Append(e);
    }
  }
  log.Flush();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_secs = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  return {static_cast<double>(total) / secs, static_cast<double>(total) / cpu_secs};
}

TEST_F(EventLogTest, DISABLED_Throughput) {
  constexpr uint64_t kTotal = 30'000'000;
  for (const bool bulk : {false, true}) {
    const char* pattern = bulk ? "bulk" : "sessions";
    for (int rep = 0; rep < 2; ++rep) {  // the second run reuses memory the OS already handed out
      auto log = EventLog::InMemory();
      const Rate rate = MeasureAppendsPerSecond(*log, kTotal, bulk);
      const EventLogMemory m = log->memory_usage();
      std::printf(
          "%-8s in memory (run %d): %5.1f M appends/s (%5.1f per CPU s); capacity %.2fx, arena "
          "%.2fx\n",
          pattern, rep + 1, rate.wall / 1e6, rate.cpu / 1e6,
          static_cast<double>(m.event_capacity_bytes) / static_cast<double>(m.event_bytes),
          static_cast<double>(m.event_arena_bytes) / static_cast<double>(m.event_bytes));
      EXPECT_EQ(log->size(), kTotal);
    }
    const fs::path path = dir_ / "bench.cflog";
    {
      auto log = EventLog::Open(path);
      const Rate rate = MeasureAppendsPerSecond(*log, kTotal, bulk);
      std::printf("%-8s file-backed:       %5.1f M appends/s (%5.1f per CPU s), %.0f MiB file\n",
                  pattern, rate.wall / 1e6, rate.cpu / 1e6,
                  static_cast<double>(fs::file_size(path)) / (1 << 20));
    }
    const auto start = std::chrono::steady_clock::now();
    auto reopened = EventLog::Open(path);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-8s reopen:            %5.1f M events/s\n", pattern,
                static_cast<double>(reopened->size()) / secs / 1e6);
    EXPECT_EQ(reopened->size(), kTotal);
    reopened.reset();
    fs::remove(path);
  }
}

}  // namespace
}  // namespace cf
