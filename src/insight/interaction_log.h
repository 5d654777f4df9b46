// InteractionLog: a `user item` interaction log (one pair of integer ids per line, each user's
// lines in time order) loaded into dense per-user item sequences, and the leave-one-out split used
// to train and evaluate next-item models.
//
// Promises:
// - Items get dense ids 1..num_items in order of first appearance (0 is reserved for padding);
//   users keep their order of first appearance; a user's lines need not be contiguous.
// - Blank lines are skipped; any other line that is not exactly two integers, an empty log or an
//   unreadable file throws InteractionLogError whose message names the file (and line).
// - fingerprint is a 64-bit FNV-1a hash of the file's bytes: a model trained on one file can tell
//   that it is being evaluated on another.
// - Split (leave-one-out): a user with n >= 3 items trains on the first n-2, is validated on item
//   n-1 (history: the first n-2) and tested on item n (history: the first n-1, validation item
//   included). Users with fewer than 3 items are never evaluated; all their items are training.
// Plain data: not synchronised; concurrent reads are safe.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace cf {

class InteractionLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct InteractionLog {
  std::string source;                           // file name (for messages)
  uint64_t fingerprint = 0;                     // FNV-1a of the bytes read
  int64_t lines = 0;                            // interactions read
  std::vector<int64_t> user_ids;                // raw user id per user index
  std::vector<int64_t> item_ids;                // raw item id of dense item d at [d - 1]
  std::vector<std::vector<int32_t>> sequences;  // per user: dense item ids, time order

  int32_t num_items() const { return static_cast<int32_t>(item_ids.size()); }
  int64_t num_users() const { return static_cast<int64_t>(sequences.size()); }
};

// Reads `path`; throws InteractionLogError (missing file, empty log, malformed line: file:line).
InteractionLog LoadInteractionLog(const std::string& path);
// Parses a stream; `source` names it in messages.
InteractionLog ParseInteractionLog(std::istream& in, const std::string& source);

// The leave-one-out split.
enum class HeldOut { kValidation, kTest };

// Users with at least this many items are evaluated (one validation, one test item).
inline constexpr size_t kMinEvaluatedLength = 3;

// How many leading items of a length-n sequence training may use.
inline size_t TrainingLength(size_t n) { return n >= kMinEvaluatedLength ? n - 2 : n; }

// A held-out prediction case: predict `target` after `history`.
struct HeldOutCase {
  std::span<const int32_t> history;
  int32_t target = 0;
};

// The validation or test case of one user's sequence; nullopt for users with < 3 items.
std::optional<HeldOutCase> HeldOutFor(std::span<const int32_t> sequence, HeldOut which);
// The validation or test cases of every evaluated user of `log`, in user order.
std::vector<HeldOutCase> HeldOutCases(const InteractionLog& log, HeldOut which);

}  // namespace cf
