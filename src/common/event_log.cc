#include "common/event_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace cf {

// The file stores Event verbatim; the layout below is documented in docs/event-log.md.
static_assert(std::endian::native == std::endian::little, "the event log format is little-endian");
static_assert(offsetof(Event, money) == 0);
static_assert(offsetof(Event, minute) == 8);
static_assert(offsetof(Event, user) == 12);
static_assert(offsetof(Event, product) == 16);
static_assert(offsetof(Event, plan) == 20);
static_assert(offsetof(Event, ref) == 24);
static_assert(offsetof(Event, type) == 28);
static_assert(offsetof(Event, channel) == 29);
static_assert(offsetof(Event, quantity) == 30);
static_assert(offsetof(Event, flags) == 31);
static_assert(sizeof(SimMinute) == 4 && sizeof(UserId) == 4 && sizeof(EventType) == 1 &&
              sizeof(Channel) == 1);

namespace {

// ---- CRC-32 (reflected 0xEDB88320), table-driven, 16 bytes per step ("slicing-by-16") ----------

using CrcTables = std::array<std::array<uint32_t, 256>, 16>;

constexpr CrcTables MakeCrcTables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    t[0][i] = c;
  }
  for (size_t s = 1; s < 16; ++s) {
    for (uint32_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}
constexpr CrcTables kCrc = MakeCrcTables();

// ---- format constants ------------------------------------------------------------------------

constexpr char kFileMagic[8] = {'C', 'F', 'E', 'V', 'T', 'L', 'O', 'G'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kFileHeaderBytes = 64;
constexpr size_t kBlockHeaderBytes = 32;
constexpr size_t kRecordUnit = 32;  // every record is a multiple of this; == sizeof(Event)
constexpr char kBlockMagic[4] = {'C', 'F', 'B', 'K'};
constexpr uint32_t kFlagHasBase = 1;
constexpr size_t kKindOffset = 28;    // byte of a record that tells its kind (Event::type)
constexpr uint8_t kKindQuery = 0xFF;  // query-text record; event types are < 0x80
constexpr uint8_t kFirstReservedKind = 0x80;
constexpr size_t kMaxQueryBytes = size_t{1} << 20;
static_assert(sizeof(Event) == kRecordUnit);

constexpr size_t QueryRecordBytes(size_t text_bytes) {
  return kRecordUnit + (text_bytes + kRecordUnit - 1) / kRecordUnit * kRecordUnit;
}

void Put32(unsigned char* p, uint32_t v) { std::memcpy(p, &v, 4); }
void Put64(unsigned char* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint32_t Get32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t Get64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

std::string ErrnoText(int err) { return std::strerror(err); }

// Reads exactly n bytes at offset; false on a short file, throws on an I/O error.
bool PReadAll(int fd, void* buf, size_t n, uint64_t off, const std::filesystem::path& path) {
  auto* p = static_cast<unsigned char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw EventLogError(
          fmt::format("{}: cannot read event log: {}", path.string(), ErrnoText(errno)));
    }
    if (r == 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    off += static_cast<uint64_t>(r);
  }
  return true;
}

// Writes exactly n bytes at offset; returns 0 or an errno value.
int PWriteAll(int fd, const void* buf, size_t n, uint64_t off) {
  const auto* p = static_cast<const unsigned char*>(buf);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<size_t>(w);
    off += static_cast<uint64_t>(w);
  }
  return 0;
}

struct FileHeader {
  uint32_t version = kFormatVersion;
  uint32_t flags = 0;
  uint32_t base_queries = 0;
  uint64_t base_events = 0;
  uint32_t base_user_limit = 0;
};

std::array<unsigned char, kFileHeaderBytes> EncodeFileHeader(const FileHeader& h) {
  std::array<unsigned char, kFileHeaderBytes> b{};
  std::memcpy(b.data(), kFileMagic, 8);
  Put32(b.data() + 8, h.version);
  Put32(b.data() + 12, kFileHeaderBytes);
  Put32(b.data() + 16, kBlockHeaderBytes);
  Put32(b.data() + 20, sizeof(Event));
  Put32(b.data() + 24, h.flags);
  Put32(b.data() + 28, h.base_queries);
  Put64(b.data() + 32, h.base_events);
  Put32(b.data() + 40, h.base_user_limit);
  Put32(b.data() + 60, Crc32(b.data(), 60));
  return b;
}

// ---- event memory ------------------------------------------------------------------------------
//
// Per-user arrays live in an arena of large anonymous mappings ("chunks", transparent huge pages
// where the kernel allows: far fewer page faults and TLB misses than malloc'ed arrays scattered
// over 4 KiB pages). Capacities follow fixed classes 1, 2, 4, 7, 11, 17, ... (c + c/2 + 1), so an
// array is never more than 1.5x its events after growing. The arena is a small coalescing
// allocator in 32-byte units: an outgrown array becomes a free block, merged with free neighbours
// (found through a bitmap marking the first and last unit of every free block, whose size is
// stored inside the free memory), and kept in size-binned free lists; the next array that fits
// reuses it. Users growing in lockstep thus reuse each other's old arrays in place, as with malloc,
// without malloc's per-array header and page faults. Arrays above kMaxSmallBytes get a mapping of
// their own, grown with mremap (no copying).

constexpr size_t kPageBytes = 4096;
constexpr size_t kHugePageBytes = size_t{2} << 20;
constexpr size_t kMaxSmallBytes = size_t{1} << 20;
constexpr size_t kMaxChunkBytes = size_t{64} << 20;
constexpr size_t kUnit = 32;  // arena granule == sizeof(Event)
constexpr size_t kMinCompactBytes = size_t{4} << 20;

constexpr size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }
constexpr bool IsLarge(size_t cap) { return cap * sizeof(Event) > kMaxSmallBytes; }

constexpr size_t kNumClasses = 64;
constexpr std::array<uint32_t, kNumClasses> MakeClasses() {
  std::array<uint32_t, kNumClasses> c{};
  uint64_t v = 1;
  for (size_t i = 0; i < kNumClasses; ++i) {
    c[i] = static_cast<uint32_t>(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max()));
    v = v + v / 2 + 1;
  }
  return c;
}
constexpr std::array<uint32_t, kNumClasses> kClasses = MakeClasses();
static_assert(kClasses[kNumClasses - 1] == std::numeric_limits<uint32_t>::max());
static_assert(IsLarge(kClasses[40]));

// Smallest class above cap (the capacity after cap is outgrown); 0 if cap is the maximum.
size_t NextCapacity(size_t cap) {
  const auto it = std::upper_bound(kClasses.begin(), kClasses.end(), cap);
  return it == kClasses.end() ? 0 : *it;
}

// Anonymous read-write mapping, 2 MiB aligned when `aligned`, huge pages advised.
void* MapMemory(size_t bytes, bool aligned) {
  const size_t extra = aligned ? kHugePageBytes : 0;
  void* p = ::mmap(nullptr, bytes + extra, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto a = reinterpret_cast<uintptr_t>(p);
  if (aligned) {
    const uintptr_t start = RoundUp(a, kHugePageBytes);
    if (start > a) ::munmap(p, start - a);
    const uintptr_t end = start + bytes, map_end = a + bytes + extra;
    if (map_end > end) ::munmap(reinterpret_cast<void*>(end), map_end - end);
    a = start;
  }
  if (bytes >= kHugePageBytes) ::madvise(reinterpret_cast<void*>(a), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(a);
}

void* RemapMemory(void* p, size_t old_bytes, size_t new_bytes) {
  void* q = ::mremap(p, old_bytes, new_bytes, MREMAP_MAYMOVE);
  if (q == MAP_FAILED) throw std::bad_alloc();
  if (new_bytes >= kHugePageBytes) ::madvise(q, new_bytes, MADV_HUGEPAGE);
  return q;
}

size_t LargeMappingBytes(size_t cap) { return RoundUp(cap * sizeof(Event), kPageBytes); }

[[noreturn, gnu::cold, gnu::noinline]] void ThrowNoUser() {
  throw EventLogError("EventLog::Append: the event has no user (user == kNoId)");
}

[[noreturn, gnu::cold, gnu::noinline]] void ThrowBadType(const Event& e) {
  throw EventLogError(fmt::format(
      "EventLog::Append: user {} event has type value {}; values >= 128 are reserved for "
      "non-event records in the log file",
      e.user, static_cast<unsigned>(e.type)));
}

[[noreturn, gnu::cold, gnu::noinline]] void ThrowOutOfOrder(const Event& e, SimMinute last,
                                                            bool in_base) {
  throw EventLogError(fmt::format(
      "EventLog::Append: user {} event ({}) at minute {} is earlier than the user's last event "
      "(minute {}{}); each user's events must be appended in time order. Nothing was stored.",
      e.user, EventTypeName(e.type), e.minute, last, in_base ? ", in the base log" : ""));
}

[[noreturn, gnu::cold, gnu::noinline]] void ThrowTooMany(UserId u) {
  throw EventLogError(fmt::format("EventLog: user {} has 2^32-1 events, the per-user limit", u));
}

}  // namespace

// The small-array arena (see "event memory" above). Sizes and offsets are in 32-byte units.
class EventLog::Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (const Chunk& c : chunks_) ::munmap(c.base, c.units * kUnit);
  }

  // A block of `units` units. Throws std::bad_alloc. With may_defer, returns nullptr instead of
  // mapping more memory when compacting would reclaim enough (ShouldCompact).
  Event* Allocate(size_t units, bool may_defer) {
    // Every block in bin b is at least kClasses[b] units; an exact class size can use its own bin.
    const size_t b = Bin(units);
    const size_t first = kClasses[b] == units ? b : b + 1;
    if (const uint64_t mask = first < 64 ? nonempty_ & (~uint64_t{0} << first) : 0) {
      unsigned char* p = bins_[std::countr_zero(mask)];
      Chunk& c = ChunkOf(p);
      const size_t start = c.UnitOf(p), size = HeaderUnits(p);
      RemoveFree(c, start, size);
      if (size > units) InsertFree(c, start + units, size - units);
      live_units_ += units;
      return reinterpret_cast<Event*>(p);
    }
    if (current_ == nullptr || current_->top + units > current_->units) {
      if (may_defer && ShouldCompact()) return nullptr;
      NewChunk(units);
    }
    Chunk& c = *current_;
    unsigned char* p = c.base + c.top * kUnit;
    c.top += units;
    used_units_ += units;
    live_units_ += units;
    return reinterpret_cast<Event*>(p);
  }

  // Returns a block from Allocate (same `units`), merging it with free neighbours.
  void Free(Event* e, size_t units) {
    auto* p = reinterpret_cast<unsigned char*>(e);
    Chunk& c = ChunkOf(p);
    size_t start = c.UnitOf(p), end = start + units;
    live_units_ -= units;
    if (start > 0 && c.TestBit(start - 1)) {  // free block on the left: its footer holds its size
      const size_t left = FooterUnits(c.base + start * kUnit);
      RemoveFree(c, start - left, left);
      start -= left;
    }
    if (&c == current_ && end == c.top) {  // touches the unallocated top: give it back
      used_units_ -= end - start;
      c.top = start;
      return;
    }
    if (end < c.top && c.TestBit(end)) {
      const size_t right = HeaderUnits(c.base + end * kUnit);
      RemoveFree(c, end, right);
      end += right;
    }
    InsertFree(c, start, end - start);
  }

  // Grows the block at e from `units` to `new_units` (all in use) without a fresh block when the
  // free memory around it is enough: the free block after it or the chunk's untouched top (no
  // copy, as realloc does), plus if needed the free block before it (the events move down, so
  // users growing in lockstep slide into each other's outgrown arrays). nullptr if not possible.
  Event* Regrow(Event* e, size_t units, size_t new_units) {
    auto* p = reinterpret_cast<unsigned char*>(e);
    Chunk& c = ChunkOf(p);
    const size_t start = c.UnitOf(p), end = start + units;
    const bool at_top = &c == current_ && end == c.top;
    size_t right = 0;
    if (at_top) {
      right = c.units - c.top;
    } else if (end < c.top && c.TestBit(end)) {
      right = HeaderUnits(c.base + end * kUnit);
    }
    size_t left = 0;
    if (units + right < new_units) {
      if (start > 0 && c.TestBit(start - 1)) left = FooterUnits(c.base + start * kUnit);
      if (left + units + right < new_units) return nullptr;
      RemoveFree(c, start - left, left);
    }
    if (!at_top && right > 0) RemoveFree(c, end, right);
    const size_t new_start = start - left, new_end = new_start + new_units;
    if (left > 0) std::memmove(c.base + new_start * kUnit, p, units * kUnit);
    if (at_top) {
      used_units_ = used_units_ - c.top + new_end;  // the top moves to the new end (up or down)
      c.top = new_end;
    } else if (end + right > new_end) {
      InsertFree(c, new_end, end + right - new_end);
    }
    live_units_ += new_units - units;
    return reinterpret_cast<Event*>(c.base + new_start * kUnit);
  }

  // More than an eighth of the carved memory is free blocks that no allocation could use.
  bool ShouldCompact() const {
    const size_t free_units = used_units_ - live_units_;
    return free_units * kUnit >= kMinCompactBytes && free_units * 8 > used_units_;
  }

  // Slides every live small array of users[0..n) down, in address order, to the start of the
  // (address-sorted) chunks, updating the users' pointers: dst <= src always, so memmove in place
  // is safe. All free blocks disappear; chunks left empty are unmapped.
  void Compact(UserEvents* users, size_t n) {
    std::vector<std::pair<Event*, UserEvents*>> arrays;
    for (size_t u = 0; u < n; ++u) {
      if (users[u].cap > 0 && !IsLarge(users[u].cap)) arrays.emplace_back(users[u].data, &users[u]);
    }
    std::sort(arrays.begin(), arrays.end());
    for (Chunk& c : chunks_) std::fill(c.bits.begin(), c.bits.end(), 0);
    bins_.fill(nullptr);
    nonempty_ = 0;
    size_t ci = 0, off = 0;
    for (const auto& [src, ue] : arrays) {
      const size_t units = ue->cap;
      while (off + units > chunks_[ci].units) {
        chunks_[ci++].top = off;  // its tail becomes a free block below
        off = 0;
      }
      unsigned char* dst = chunks_[ci].base + off * kUnit;
      if (dst != reinterpret_cast<unsigned char*>(src)) std::memmove(dst, src, units * kUnit);
      ue->data = reinterpret_cast<Event*>(dst);
      off += units;
    }
    chunks_[ci].top = off;
    for (size_t i = ci + 1; i < chunks_.size(); ++i) {
      ::munmap(chunks_[i].base, chunks_[i].units * kUnit);
      mapped_ -= chunks_[i].units * kUnit;
    }
    chunks_.resize(ci + 1);
    current_ = &chunks_[ci];
    used_units_ = 0;
    for (size_t i = 0; i < ci; ++i) {
      if (chunks_[i].top < chunks_[i].units) {
        InsertFree(chunks_[i], chunks_[i].top, chunks_[i].units - chunks_[i].top);
        chunks_[i].top = chunks_[i].units;
      }
      used_units_ += chunks_[i].units;
    }
    used_units_ += current_->top;
    ++compactions;
  }

  size_t compactions = 0;
  size_t used_bytes() const { return used_units_ * kUnit; }  // carved from chunks (live + free)
  size_t live_bytes() const { return live_units_ * kUnit; }
  size_t large = 0;  // bytes of large arrays' own mappings (kept here for memory_usage)

 private:
  struct Chunk {
    unsigned char* base;
    size_t units;                // chunk size
    size_t top;                  // units [top, units) were never handed out
    std::vector<uint64_t> bits;  // set for the first and last unit of each free block
    size_t UnitOf(const unsigned char* p) const { return static_cast<size_t>(p - base) / kUnit; }
    bool TestBit(size_t u) const { return (bits[u / 64] >> (u % 64)) & 1; }
    void SetBit(size_t u) { bits[u / 64] |= uint64_t{1} << (u % 64); }
    void ClearBit(size_t u) { bits[u / 64] &= ~(uint64_t{1} << (u % 64)); }
  };
  // A free block starts with {units, next, prev} and ends with its units again (a one-unit block
  // has room for both: 24 + 8 bytes).
  static size_t HeaderUnits(const unsigned char* p) { return Load<uint64_t>(p); }
  static size_t FooterUnits(const unsigned char* block_end) {
    return Load<uint64_t>(block_end - 8);
  }
  template <class T>
  static T Load(const unsigned char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  template <class T>
  static void Store(unsigned char* p, T v) {
    std::memcpy(p, &v, sizeof v);
  }
  static unsigned char* Next(const unsigned char* p) { return Load<unsigned char*>(p + 8); }
  static unsigned char* Prev(const unsigned char* p) { return Load<unsigned char*>(p + 16); }

  // Largest class <= units.
  static size_t Bin(size_t units) {
    return static_cast<size_t>(std::upper_bound(kClasses.begin(), kClasses.end(), units) -
                               kClasses.begin()) -
           1;
  }

  void InsertFree(Chunk& c, size_t start, size_t units) {
    unsigned char* p = c.base + start * kUnit;
    const size_t b = Bin(units);
    unsigned char* head = bins_[b];
    Store<uint64_t>(p, units);
    Store(p + 8, head);
    Store<unsigned char*>(p + 16, nullptr);
    Store<uint64_t>(p + units * kUnit - 8, units);
    if (head != nullptr) Store(head + 16, p);
    bins_[b] = p;
    nonempty_ |= uint64_t{1} << b;
    c.SetBit(start);
    c.SetBit(start + units - 1);
  }

  void RemoveFree(Chunk& c, size_t start, size_t units) {
    unsigned char* p = c.base + start * kUnit;
    unsigned char* next = Next(p);
    unsigned char* prev = Prev(p);
    const size_t b = Bin(units);
    if (prev != nullptr) {
      Store(prev + 8, next);
    } else {
      bins_[b] = next;
      if (next == nullptr) nonempty_ &= ~(uint64_t{1} << b);
    }
    if (next != nullptr) Store(next + 16, prev);
    c.ClearBit(start);
    c.ClearBit(start + units - 1);
  }

  Chunk& ChunkOf(const unsigned char* p) {
    // chunks_ is sorted by base; the block lies in the last chunk starting at or before p.
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), p,
                               [](const unsigned char* q, const Chunk& c) { return q < c.base; });
    return *(it - 1);
  }

  void NewChunk(size_t min_units) {
    const size_t bytes =
        RoundUp(std::max(min_units * kUnit, std::clamp(mapped_, kHugePageBytes, kMaxChunkBytes)),
                kHugePageBytes);
    std::vector<uint64_t> bits((bytes / kUnit + 63) / 64, 0);
    unsigned char* const current_base = current_ != nullptr ? current_->base : nullptr;
    chunks_.reserve(chunks_.size() + 1);  // so that the insert below cannot throw
    if (current_base != nullptr) current_ = &ChunkOf(current_base);  // reserve may have moved it
    auto* base = static_cast<unsigned char*>(MapMemory(bytes, true));
    if (current_ != nullptr && current_->top < current_->units) {
      // The old chunk's unused tail becomes a free block.
      const size_t tail = current_->units - current_->top;
      used_units_ += tail;
      InsertFree(*current_, current_->top, tail);
      current_->top = current_->units;
    }
    const auto it =
        std::upper_bound(chunks_.begin(), chunks_.end(), base,
                         [](const unsigned char* q, const Chunk& x) { return q < x.base; });
    current_ = &*chunks_.insert(it, Chunk{base, bytes / kUnit, 0, std::move(bits)});
    mapped_ += bytes;
  }

  std::vector<Chunk> chunks_;  // sorted by base
  Chunk* current_ = nullptr;   // the chunk being carved at its top
  std::array<unsigned char*, kNumClasses> bins_{};
  uint64_t nonempty_ = 0;  // bit b: bins_[b] is not empty
  size_t used_units_ = 0;
  size_t live_units_ = 0;
  size_t mapped_ = 0;
};

uint32_t Crc32(const void* data, size_t size, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  while (size >= 16) {
    // kCrc[k] advances a byte through k more zero bytes; the 16 contributions are XORed.
    const uint32_t a = Get32(p) ^ crc, b = Get32(p + 4), c = Get32(p + 8), d = Get32(p + 12);
    crc = kCrc[15][a & 0xFF] ^ kCrc[14][(a >> 8) & 0xFF] ^ kCrc[13][(a >> 16) & 0xFF] ^
          kCrc[12][a >> 24] ^ kCrc[11][b & 0xFF] ^ kCrc[10][(b >> 8) & 0xFF] ^
          kCrc[9][(b >> 16) & 0xFF] ^ kCrc[8][b >> 24] ^ kCrc[7][c & 0xFF] ^
          kCrc[6][(c >> 8) & 0xFF] ^ kCrc[5][(c >> 16) & 0xFF] ^ kCrc[4][c >> 24] ^
          kCrc[3][d & 0xFF] ^ kCrc[2][(d >> 8) & 0xFF] ^ kCrc[1][(d >> 16) & 0xFF] ^
          kCrc[0][d >> 24];
    p += 16;
    size -= 16;
  }
  while (size-- > 0) crc = kCrc[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

// ---- construction ------------------------------------------------------------------------------

EventLog::EventLog(const EventLog* base) : base_(base), arena_(std::make_unique<Arena>()) {
  if (base_ == nullptr) return;
  if (base_->base_ != nullptr) {
    throw EventLogError(
        "EventLog: a base log cannot itself have a base; derive all logs from the root log");
  }
  if (!base_->keep_events_) {
    throw EventLogError(
        "EventLog: a write-only log (keep_events = false) cannot be a base; reopen its file with "
        "the default options and derive from that");
  }
  base_queries_ = base_->num_queries();
  base_->derived_count_.fetch_add(1, std::memory_order_acq_rel);
}

EventLog::~EventLog() {
  if (const int derived = derived_count_.load(std::memory_order_acquire); derived != 0) {
    std::fprintf(stderr,
                 "EventLog: destroying a base log while %d derived log(s) still use it; destroy "
                 "the derived logs first\n",
                 derived);
    std::abort();
  }
  if (fd_ >= 0) {
    try {
      Flush();
    } catch (...) {
      // Documented: call Flush() first to see errors.
    }
    ::close(fd_);
  }
  for (size_t u = 0; u < users_size_; ++u) {
    if (IsLarge(users_[u].cap)) ::munmap(users_[u].data, LargeMappingBytes(users_[u].cap));
  }
  if (users_ != nullptr) ::munmap(users_, users_cap_ * sizeof(UserEvents));
  if (order_ != nullptr) ::munmap(order_, order_cap_ * sizeof(UserId));
  if (base_ != nullptr) base_->derived_count_.fetch_sub(1, std::memory_order_acq_rel);
}

std::unique_ptr<EventLog> EventLog::InMemory(const EventLog* base, bool keep_events) {
  std::unique_ptr<EventLog> log(new EventLog(base));
  log->keep_events_ = keep_events;
  return log;
}

std::unique_ptr<EventLog> EventLog::Open(const std::filesystem::path& path,
                                         const EventLogOptions& options, const EventLog* base) {
  std::unique_ptr<EventLog> log(new EventLog(base));
  log->path_ = path;
  log->options_ = options;
  log->keep_events_ = options.keep_events;
  log->block_cap_ = std::max<size_t>(
      kRecordUnit, (options.block_bytes + kRecordUnit - 1) / kRecordUnit * kRecordUnit);
  log->options_.block_bytes = log->block_cap_;
  log->block_alloc_ = log->block_cap_;
  log->block_.reset(new unsigned char[kBlockHeaderBytes + log->block_alloc_]);

  log->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log->fd_ < 0) {
    throw EventLogError(
        fmt::format("{}: cannot open or create event log: {}", path.string(), ErrnoText(errno)));
  }
  if (::flock(log->fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    throw EventLogError(fmt::format(
        "{}: cannot lock event log ({}); it is probably open in another EventLog (this or another "
        "process). Close that one first or use another path.",
        path.string(), err == EWOULDBLOCK ? "already locked" : ErrnoText(err)));
  }
  log->Recover();
  return log;
}

namespace {

// Checks an existing file's 64-byte header (magic, version, checksum, sizes) and returns it.
// Throws EventLogError naming the file and what to do.
FileHeader ReadFileHeader(int fd, const std::filesystem::path& path) {
  const std::string name = path.string();
  std::array<unsigned char, kFileHeaderBytes> hdr{};
  PReadAll(fd, hdr.data(), kFileHeaderBytes, 0, path);
  if (std::memcmp(hdr.data(), kFileMagic, 8) != 0) {
    throw EventLogError(fmt::format(
        "{}: not a Chengfang event log (no event-log magic at the start); refusing to modify it. "
        "Pass the path of an event log, or a new path to create one.",
        name));
  }
  const uint32_t version = Get32(hdr.data() + 8);
  if (version != kFormatVersion) {
    throw EventLogError(fmt::format(
        "{}: event log format version {}, but this build reads version {}; use a matching build, "
        "or delete the file to start a new log.",
        name, version, kFormatVersion));
  }
  if (Crc32(hdr.data(), 60) != Get32(hdr.data() + 60)) {
    throw EventLogError(fmt::format(
        "{}: the event log header is damaged (checksum mismatch); the file was left untouched. "
        "Restore it from a backup or delete it to start a new log.",
        name));
  }
  if (Get32(hdr.data() + 12) != kFileHeaderBytes || Get32(hdr.data() + 16) != kBlockHeaderBytes ||
      Get32(hdr.data() + 20) != sizeof(Event)) {
    throw EventLogError(fmt::format(
        "{}: event log header declares unsupported header/record sizes; use a matching build.",
        name));
  }
  FileHeader found;
  found.flags = Get32(hdr.data() + 24);
  found.base_queries = Get32(hdr.data() + 28);
  found.base_events = Get64(hdr.data() + 32);
  found.base_user_limit = Get32(hdr.data() + 40);
  return found;
}

// Reads the blocks after the header up to the first torn or garbled one, calling on_event and
// on_query for each record (in file order); a callback's EventLogError, or a block that passes its
// checksums but does not parse, throws EventLogError naming the block. `*block_seq` is the next
// expected block number (advanced per good block). Returns the end of the last good block.
uint64_t ScanBlocks(int fd, const std::filesystem::path& path, uint64_t file_size,
                    const std::function<void(const Event&)>& on_event,
                    const std::function<void(uint32_t, std::string_view)>& on_query,
                    uint64_t* block_seq) {
  const std::string name = path.string();
  uint64_t off = kFileHeaderBytes;
  std::vector<unsigned char> payload;
  unsigned char bh[kBlockHeaderBytes];
  while (off < file_size) {
    if (file_size - off < kBlockHeaderBytes) break;
    PReadAll(fd, bh, kBlockHeaderBytes, off, path);
    const uint32_t payload_bytes = Get32(bh + 4);
    const uint32_t records = Get32(bh + 8);
    if (std::memcmp(bh, kBlockMagic, 4) != 0 || Crc32(bh, 28) != Get32(bh + 28) ||
        Get64(bh + 16) != *block_seq || payload_bytes == 0 || payload_bytes % kRecordUnit != 0 ||
        payload_bytes > file_size - off - kBlockHeaderBytes) {
      break;
    }
    payload.resize(payload_bytes);
    if (!PReadAll(fd, payload.data(), payload_bytes, off + kBlockHeaderBytes, path)) break;
    if (Crc32(payload.data(), payload_bytes) != Get32(bh + 12)) break;

    // A block that passed its checksums was written whole by this class; if it does not parse or
    // replay, something other than a crash is wrong, and the file is left alone.
    auto bad = [&](const std::string& what) {
      return EventLogError(fmt::format(
          "{}: block {} at byte offset {} is intact (checksums match) but invalid: {}. The file "
          "was left untouched.",
          name, *block_seq, off, what));
    };
    size_t pos = 0;
    uint32_t n = 0;
    while (pos < payload_bytes) {
      const unsigned char* rec = payload.data() + pos;
      const uint8_t kind = rec[kKindOffset];
      if (kind < kFirstReservedKind) {
        Event e;
        std::memcpy(&e, rec, sizeof(Event));
        try {
          on_event(e);
        } catch (const EventLogError& err) {
          throw bad(err.what());
        }
        pos += sizeof(Event);
      } else if (kind == kKindQuery) {
        const uint32_t id = Get32(rec);
        const uint32_t len = Get32(rec + 4);
        if (len > kMaxQueryBytes || QueryRecordBytes(len) > payload_bytes - pos) {
          throw bad(fmt::format("query record {} has a bad length {}", id, len));
        }
        const std::string_view text(reinterpret_cast<const char*>(rec + kRecordUnit), len);
        try {
          on_query(id, text);
        } catch (const EventLogError& err) {
          throw bad(err.what());
        }
        pos += QueryRecordBytes(len);
      } else {
        throw bad(fmt::format("unknown record kind {} at payload offset {}", kind, pos));
      }
      ++n;
    }
    if (n != records) {
      throw bad(fmt::format("header says {} records, payload holds {}", records, n));
    }
    off += kBlockHeaderBytes + payload_bytes;
    ++*block_seq;
  }

  return off;
}

}  // namespace

EventLogScan EventLog::Scan(const std::filesystem::path& path,
                            const std::function<void(const Event&)>& on_event) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw EventLogError(
        fmt::format("{}: cannot open event log: {}", path.string(), ErrnoText(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw EventLogError(
        fmt::format("{}: not a regular file; an event log must be a file", path.string()));
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < kFileHeaderBytes) {
    throw EventLogError(fmt::format(
        "{}: too short for an event log ({} bytes); pass the events.cflog of a finished run",
        path.string(), file_size));
  }
  EventLogScan r;
  r.has_base = (ReadFileHeader(fd, path).flags & kFlagHasBase) != 0;
  uint64_t seq = 0;
  const uint64_t end = ScanBlocks(
      fd, path, file_size,
      [&](const Event& e) {
        ++r.events;
        on_event(e);
      },
      [&](uint32_t, std::string_view) { ++r.queries; }, &seq);
  r.torn_bytes = file_size - end;
  return r;
}

// Validates the file header (creating it for a new file), then scans blocks, replaying the good
// ones and truncating the file after the last good one.
void EventLog::Recover() {
  const std::string name = path_.string();
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    throw EventLogError(fmt::format("{}: cannot stat event log: {}", name, ErrnoText(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    throw EventLogError(fmt::format("{}: not a regular file; an event log must be a file", name));
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);

  FileHeader expected;
  if (base_ != nullptr) {
    expected.flags = kFlagHasBase;
    expected.base_queries = static_cast<uint32_t>(base_->num_queries());
    expected.base_events = base_->size();
    expected.base_user_limit = base_->user_limit();
  }

  std::array<unsigned char, kFileHeaderBytes> hdr{};
  bool create = file_size == 0;
  if (file_size > 0 && file_size < kFileHeaderBytes) {
    // Only a header torn while this class created the file (which has no blocks yet) looks like
    // this; anything else is somebody else's file.
    PReadAll(fd_, hdr.data(), file_size, 0, path_);
    if (std::memcmp(hdr.data(), kFileMagic, std::min<size_t>(file_size, 8)) != 0) {
      throw EventLogError(fmt::format(
          "{}: not a Chengfang event log (too short and no event-log magic); refusing to modify "
          "it. Pass the path of an event log, or a new path to create one.",
          name));
    }
    recovered_truncated_bytes_ = file_size;
    create = true;
  }
  if (create) {
    const auto bytes = EncodeFileHeader(expected);
    if (::ftruncate(fd_, 0) != 0 || PWriteAll(fd_, bytes.data(), bytes.size(), 0) != 0 ||
        ::fdatasync(fd_) != 0) {
      throw EventLogError(
          fmt::format("{}: cannot write event log header: {}", name, ErrnoText(errno)));
    }
    if (options_.fsync_on_flush) {
      // Make the new directory entry durable too.
      const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
      const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
      }
    }
    file_bytes_ = synced_bytes_ = kFileHeaderBytes;
    return;
  }

  const FileHeader found = ReadFileHeader(fd_, path_);
  if (found.flags != expected.flags || found.base_queries != expected.base_queries ||
      found.base_events != expected.base_events ||
      found.base_user_limit != expected.base_user_limit) {
    auto describe = [](const FileHeader& h) {
      return (h.flags & kFlagHasBase)
                 ? fmt::format("a base log of {} events, {} queries, user limit {}", h.base_events,
                               h.base_queries, h.base_user_limit)
                 : std::string("no base log");
    };
    throw EventLogError(fmt::format(
        "{}: this event log was written on top of {}, but was opened with {}; open it with the "
        "same base it was written with.",
        name, describe(found), describe(expected)));
  }

  // Scan blocks.
  ReserveEvents((file_size - kFileHeaderBytes) / sizeof(Event));
  const uint64_t off = ScanBlocks(
      fd_, path_, file_size, [this](const Event& e) { AppendToMemory(e); },
      [this](uint32_t id, std::string_view text) {
        if (id != num_queries() || FindOwnQuery(text) != nullptr ||
            (base_ != nullptr && base_->FindOwnQuery(text) != nullptr)) {
          throw EventLogError(fmt::format("query record {} is out of sequence or a duplicate", id));
        }
        InternToMemory(text);
      },
      &next_block_seq_);

  file_bytes_ = off;
  if (off < file_size) {
    if (::ftruncate(fd_, static_cast<off_t>(off)) != 0 || ::fdatasync(fd_) != 0) {
      throw EventLogError(fmt::format("{}: cannot truncate the torn tail at byte {}: {}", name, off,
                                      ErrnoText(errno)));
    }
    recovered_truncated_bytes_ = file_size - off;
  }
}

// ---- appending ---------------------------------------------------------------------------------

void EventLog::ThrowNotKept(const char* what) const {
  throw EventLogError(fmt::format(
      "EventLog::{}: {} is write-only (keep_events = false) and keeps no events in memory; {}",
      what, path_.empty() ? std::string("this in-memory log") : path_.string(),
      path_.empty() ? "it was made as a counting sink"
                    : "reopen the file with the default options to read them"));
}

void EventLog::ThrowFrozen(const char* what) const {
  throw EventLogError(fmt::format(
      "EventLog::{}: this log is the base of {} derived log(s) and is read-only while they exist",
      what, derived_count_.load(std::memory_order_relaxed)));
}

Event* EventLog::AllocateEvents(size_t cap) {
  if (!IsLarge(cap)) {
    if (Event* p = arena_->Allocate(cap, true)) return p;
    arena_->Compact(users_, users_size_);  // moves arrays, including the caller's old one
    return arena_->Allocate(cap, false);
  }
  Event* p = static_cast<Event*>(MapMemory(LargeMappingBytes(cap), false));
  arena_->large += LargeMappingBytes(cap);
  return p;
}

void EventLog::FreeEvents(Event* p, size_t cap) {
  if (!IsLarge(cap)) return arena_->Free(p, cap);
  ::munmap(p, LargeMappingBytes(cap));
  arena_->large -= LargeMappingBytes(cap);
}

// Grows ue to exactly new_cap events (> ue.cap). Strong guarantee: on failure ue is unchanged.
void EventLog::GrowUser(UserEvents& ue, size_t new_cap) {
  if (IsLarge(ue.cap)) {
    const size_t old_bytes = LargeMappingBytes(ue.cap), new_bytes = LargeMappingBytes(new_cap);
    ue.data = static_cast<Event*>(RemapMemory(ue.data, old_bytes, new_bytes));
    arena_->large += new_bytes - old_bytes;
  } else {
    if (ue.size == ue.cap && ue.cap > 0 && !IsLarge(new_cap)) {
      if (Event* p = arena_->Regrow(ue.data, ue.cap, new_cap)) {
        ue.data = p;
        ue.cap = static_cast<uint32_t>(new_cap);
        return;
      }
    }
    Event* fresh = AllocateEvents(new_cap);
    if (ue.size > 0) std::memcpy(static_cast<void*>(fresh), ue.data, ue.size * sizeof(Event));
    if (ue.cap > 0) FreeEvents(ue.data, ue.cap);
    ue.data = fresh;
  }
  ue.cap = static_cast<uint32_t>(new_cap);
}

void EventLog::GrowUsers(size_t min_cap) {
  const size_t cap = std::max({min_cap, users_cap_ + users_cap_ / 2, size_t{1} << 10});
  const size_t bytes = RoundUp(cap * sizeof(UserEvents), kPageBytes);
  void* p = users_ == nullptr ? MapMemory(bytes, bytes >= kHugePageBytes)
                              : RemapMemory(users_, users_cap_ * sizeof(UserEvents), bytes);
  users_ = static_cast<UserEvents*>(p);  // new entries are zero: no events
  users_cap_ = bytes / sizeof(UserEvents);
}

void EventLog::GrowOrder(size_t min_cap) {
  const size_t cap = std::max({min_cap, order_cap_ + order_cap_ / 2, size_t{1} << 14});
  const size_t bytes = RoundUp(cap * sizeof(UserId), kPageBytes);
  void* p = order_ == nullptr ? MapMemory(bytes, bytes >= kHugePageBytes)
                              : RemapMemory(order_, order_cap_ * sizeof(UserId), bytes);
  order_ = static_cast<UserId*>(p);
  order_cap_ = bytes / sizeof(UserId);
}

[[gnu::always_inline]] inline void EventLog::AppendToMemory(const Event& e) {
  if (e.user == kNoId) [[unlikely]]
    ThrowNoUser();
  if (static_cast<uint8_t>(e.type) >= kFirstReservedKind) [[unlikely]]
    ThrowBadType(e);
  CheckNotFrozen("Append");
  UserEvents& ue = UserEntry(e.user);
  if (ue.size > 0 || ue.written > 0) {
    if (e.minute < ue.last) [[unlikely]]
      ThrowOutOfOrder(e, ue.last, false);
  } else if (base_ != nullptr) {
    const std::span<const Event> older = base_->OwnEvents(e.user);
    if (!older.empty() && e.minute < older.back().minute)
      ThrowOutOfOrder(e, older.back().minute, true);
  }
  if (!keep_events_) {
    if (ue.written == std::numeric_limits<uint32_t>::max()) ThrowTooMany(e.user);
    ue.last = e.minute;
    ++order_size_;
    if (++ue.written == 1) {
      ++num_users_;
      if (e.user >= user_limit_) user_limit_ = e.user + 1;
    }
    return;
  }
  if (ue.size == ue.cap) [[unlikely]] {
    const size_t next = NextCapacity(ue.cap);
    if (next == 0) ThrowTooMany(e.user);
    GrowUser(ue, next);
  }
  if (order_size_ == order_cap_) [[unlikely]]
    GrowOrder(order_size_ + 1);
  ue.data[ue.size++] = e;
  ue.last = e.minute;
  order_[order_size_++] = e.user;
  if (ue.size == 1) {
    ++num_users_;
    if (e.user >= user_limit_) user_limit_ = e.user + 1;
  }
}

void EventLog::Append(const Event& e) {
  if (fd_ < 0) {
    AppendToMemory(e);
    return;
  }
  if (block_used_ + sizeof(Event) > block_cap_) WriteBlock();
  AppendToMemory(e);
  std::memcpy(block_.get() + kBlockHeaderBytes + block_used_, &e, sizeof(Event));
  block_used_ += sizeof(Event);
  ++block_records_;
}

// ---- queries -----------------------------------------------------------------------------------

const QueryId* EventLog::FindOwnQuery(std::string_view text) const {
  const auto it = query_index_.find(text);
  return it == query_index_.end() ? nullptr : &it->second;
}

QueryId EventLog::InternToMemory(std::string_view text) {
  if (num_queries() >= kNoId) throw EventLogError("EventLog::InternQuery: too many query texts");
  const QueryId id = static_cast<QueryId>(num_queries());
  queries_.emplace_back(text);
  try {
    query_index_.emplace(std::string_view(queries_.back()), id);
  } catch (...) {
    queries_.pop_back();
    throw;
  }
  query_text_bytes_ += text.size();
  return id;
}

QueryId EventLog::InternQuery(std::string_view text) {
  if (base_ != nullptr) {
    if (const QueryId* id = base_->FindOwnQuery(text)) return *id;
  }
  if (const QueryId* id = FindOwnQuery(text)) return *id;
  CheckNotFrozen("InternQuery");
  if (text.size() > kMaxQueryBytes) {
    throw EventLogError(
        fmt::format("EventLog::InternQuery: query text of {} bytes exceeds the {} byte limit",
                    text.size(), kMaxQueryBytes));
  }
  const size_t bytes = QueryRecordBytes(text.size());
  if (fd_ >= 0) ReserveRecord(bytes);
  const QueryId id = InternToMemory(text);
  if (fd_ >= 0) {
    unsigned char* rec = block_.get() + kBlockHeaderBytes + block_used_;
    std::memset(rec, 0, bytes);
    Put32(rec, id);
    Put32(rec + 4, static_cast<uint32_t>(text.size()));
    rec[kKindOffset] = kKindQuery;
    if (!text.empty()) std::memcpy(rec + kRecordUnit, text.data(), text.size());
    block_used_ += bytes;
    ++block_records_;
  }
  return id;
}

std::string_view EventLog::Query(QueryId id) const {
  if (id < base_queries_) return base_->Query(id);
  const size_t i = id - base_queries_;
  if (i >= queries_.size()) {
    throw std::out_of_range(
        fmt::format("EventLog::Query: unknown query id {} (the log has {})", id, num_queries()));
  }
  return queries_[i];
}

// ---- reservations, stats -----------------------------------------------------------------------

void EventLog::Reserve(UserId u, size_t n) {
  if (u == kNoId) throw EventLogError("EventLog::Reserve: user is kNoId");
  CheckNotFrozen("Reserve");
  if (!keep_events_) return;
  if (n > std::numeric_limits<uint32_t>::max()) ThrowTooMany(u);
  UserEvents& ue = UserEntry(u);
  if (n > ue.cap) GrowUser(ue, n);
}

void EventLog::ReserveUsers(size_t n) {
  CheckNotFrozen("ReserveUsers");
  if (n > users_cap_) GrowUsers(n);
}

void EventLog::ReserveEvents(size_t n) {
  CheckNotFrozen("ReserveEvents");
  if (keep_events_ && n > order_cap_) GrowOrder(n);
}

UserId EventLog::user_limit() const {
  return base_ != nullptr ? std::max(base_->user_limit_, user_limit_) : user_limit_;
}

EventLogMemory EventLog::memory_usage() const {
  EventLogMemory m;
  m.event_bytes = keep_events_ ? order_size_ * sizeof(Event) : 0;
  for (size_t u = 0; u < users_size_; ++u) {
    m.event_capacity_bytes += size_t{users_[u].cap} * sizeof(Event);
  }
  m.event_arena_bytes = arena_->used_bytes() + arena_->large;
  m.compactions = arena_->compactions;
  m.index_bytes = users_cap_ * sizeof(UserEvents) + order_cap_ * sizeof(UserId);
  m.query_bytes = query_text_bytes_ + queries_.size() * sizeof(std::string);
  return m;
}

// ---- file writing ------------------------------------------------------------------------------

void EventLog::ReserveRecord(size_t record_bytes) {
  if (block_used_ + record_bytes <= block_cap_) return;
  WriteBlock();
  if (record_bytes > block_alloc_) {
    // An oversized record gets a block of its own; the next record starts a new block because
    // block_used_ will exceed block_cap_.
    block_.reset(new unsigned char[kBlockHeaderBytes + record_bytes]);
    block_alloc_ = record_bytes;
  }
}

void EventLog::WriteBlock() {
  if (block_records_ == 0) return;
  unsigned char* h = block_.get();
  std::memcpy(h, kBlockMagic, 4);
  Put32(h + 4, static_cast<uint32_t>(block_used_));
  Put32(h + 8, block_records_);
  Put32(h + 12, Crc32(h + kBlockHeaderBytes, block_used_));
  Put64(h + 16, next_block_seq_);
  Put32(h + 24, 0);
  Put32(h + 28, Crc32(h, 28));
  const size_t total = kBlockHeaderBytes + block_used_;
  if (const int err = PWriteAll(fd_, h, total, file_bytes_); err != 0) {
    // Cut any partial write so a retry appends at a clean boundary.
    (void)!::ftruncate(fd_, static_cast<off_t>(file_bytes_));
    throw EventLogError(
        fmt::format("{}: cannot write event log block: {}", path_.string(), ErrnoText(err)));
  }
  file_bytes_ += total;
  ++next_block_seq_;
  block_used_ = 0;
  block_records_ = 0;
  if (block_alloc_ > block_cap_) {
    block_.reset(new unsigned char[kBlockHeaderBytes + block_cap_]);
    block_alloc_ = block_cap_;
  }
}

void EventLog::Flush() {
  if (fd_ < 0) return;
  WriteBlock();
  if (options_.fsync_on_flush && synced_bytes_ < file_bytes_) {
    if (::fdatasync(fd_) != 0) {
      throw EventLogError(
          fmt::format("{}: fdatasync of event log failed: {}", path_.string(), ErrnoText(errno)));
    }
    synced_bytes_ = file_bytes_;
  }
}

}  // namespace cf
