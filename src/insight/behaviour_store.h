// BehaviourStore: every user's whole behaviour history (item, action, minute; 10^4-10^5+ events a
// user) together with the caches the target-aware search and attention read (TargetAttention,
// target_attention.h), all maintained incrementally as events arrive.
//
// Per user (UserBehaviours) it keeps:
//   - the raw history, in arrival order: item (4 bytes), minute (4), action (1);
//   - one "slot" per distinct item, in first-seen order: item id, SimHash signature (copied from
//     the embedding table), last minute, event count, and logA = log sum_e w(action_e)
//     * exp(-(last - minute_e) / tau): the item's action-weighted, recency-decayed mass at its
//     last event (attention over events of one item collapses exactly onto this slot, since
//     they share one embedding);
//   - per category, the list of its slots and their signatures (the hard search's inverted list);
//   - the profile: sum_e w(action_e) * exp(-(last - minute_e) / tau) * embedding(item_e), d floats
//     (the decayed mean-pooling interest, a running sum).
// Append() costs O(d) amortised (one hash probe, a few pushes, d multiply-adds), never a re-read
// of the history. Memory: 9 bytes per event (raw history) plus, per distinct item, 24 bytes (slot)
// + 12 (category list) + 16 to 32 (hash index, kept at most half full): 61 to 77 bytes per event
// when every event is a new item, barely more than 9 when items repeat; plus d floats and a few
// hundred bytes per user. Vectors grow geometrically, so allocated memory can be up to twice the
// contents (MemoryBytes() reports what is allocated).
//
// Events of one user must arrive in time order (equal minutes allowed): an older event throws
// BehaviourError, as do an item missing from the embedding table and an action whose weight is 0.
// Not thread-safe: one writer, and no reader while it writes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "common/event.h"
#include "common/ids.h"
#include "common/sim_clock.h"
#include "insight/item_embedding_table.h"

namespace cf {

class BehaviourError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct LongHistoryConfig {
  // Recency: a behaviour's weight halves every half_life_days (tau = half-life / ln 2).
  double half_life_days = 30;
  // Weight of each action type (indexed by EventType). 0 = not a behaviour: Observe() skips it and
  // Append() refuses it. Impressions are what the platform showed, not what the user did.
  std::array<float, kNumEventTypes> action_weight = {
      0.0f,  // impression
      1.0f,  // click
      1.5f,  // like
      1.5f,  // comment
      2.0f,  // share
      1.0f,  // follow
      0.0f,  // search (no item)
      0.5f,  // organic view
      3.0f,  // add to cart
      5.0f,  // purchase
      0.0f,  // coupon received
  };
  double TauMinutes() const;
  // Throws BehaviourError when the half-life is not positive or a weight is negative/not finite.
  void Validate() const;
};

struct Behaviour {
  ProductId item = kNoId;
  EventType action = EventType::kClick;
  SimMinute minute = 0;
};

class UserBehaviours {
 public:
  struct CategoryIndex {
    std::vector<uint32_t> slots;       // slots of this category, first-seen order
    std::vector<uint64_t> signatures;  // their signatures, same order
  };

  // `table` and `config` must outlive this object.
  UserBehaviours(const ItemEmbeddingTable& table, std::shared_ptr<const LongHistoryConfig> config);

  // Adds one behaviour; O(d) amortised. Throws BehaviourError (unknown item, weight-0 action,
  // minute older than the last event) and then changes nothing.
  void Append(ProductId item, EventType action, SimMinute minute);

  // The raw history.
  size_t events() const { return event_item_.size(); }
  Behaviour event(size_t i) const {
    return {event_item_[i], static_cast<EventType>(event_action_[i]), event_minute_[i]};
  }
  SimMinute last_minute() const { return last_minute_; }

  // The caches, one entry per distinct item (slot), first-seen order.
  size_t distinct() const { return slot_item_.size(); }
  std::span<const ProductId> slot_items() const { return slot_item_; }
  std::span<const uint64_t> slot_signatures() const { return slot_signature_; }
  std::span<const float> slot_log_mass() const { return slot_log_mass_; }
  std::span<const SimMinute> slot_last_minute() const { return slot_last_; }
  std::span<const uint32_t> slot_events() const { return slot_count_; }
  // The slots of category c, or nullptr when the user has none.
  const CategoryIndex* Category(CategoryId c) const;
  // The profile (d floats), scaled to last_minute(); all zeros before the first event.
  std::span<const float> profile() const { return profile_; }
  // Events per action type.
  const std::array<uint32_t, kNumEventTypes>& action_counts() const { return action_count_; }

  const ItemEmbeddingTable& table() const { return table_; }
  const LongHistoryConfig& config() const { return *config_; }
  size_t MemoryBytes() const;

 private:
  // item -> slot, open addressing with linear probing (8 bytes an entry, load <= 1/2).
  struct SlotEntry {
    ProductId item = kNoId;
    uint32_t slot = 0;
  };
  uint32_t* FindSlot(ProductId item);
  void InsertSlot(ProductId item, uint32_t slot);

  const ItemEmbeddingTable& table_;
  std::shared_ptr<const LongHistoryConfig> config_;
  double inv_tau_;

  std::vector<ProductId> event_item_;
  std::vector<SimMinute> event_minute_;
  std::vector<uint8_t> event_action_;
  SimMinute last_minute_ = 0;

  std::vector<ProductId> slot_item_;
  std::vector<uint64_t> slot_signature_;
  std::vector<float> slot_log_mass_;
  std::vector<SimMinute> slot_last_;
  std::vector<uint32_t> slot_count_;
  std::vector<SlotEntry> index_;  // size 0 or a power of two
  std::unordered_map<CategoryId, CategoryIndex> categories_;

  std::vector<float> profile_;
  std::array<uint32_t, kNumEventTypes> action_count_{};
};

// All users' UserBehaviours, by dense user id. Not thread-safe.
class BehaviourStore {
 public:
  // `table` must outlive the store. Throws BehaviourError on an invalid config.
  BehaviourStore(const ItemEmbeddingTable& table, LongHistoryConfig config = {});

  void Append(UserId user, ProductId item, EventType action, SimMinute minute);
  // Appends an observed event when it is a behaviour (a product and an action of weight > 0);
  // returns whether it did. Throws like Append.
  bool Observe(const Event& e);

  // The user's state, or nullptr when the user has no behaviours yet.
  const UserBehaviours* Find(UserId user) const {
    return user < users_.size() ? users_[user].get() : nullptr;
  }
  size_t users() const;  // users with at least one behaviour
  size_t MemoryBytes() const;
  const LongHistoryConfig& config() const { return *config_; }

 private:
  const ItemEmbeddingTable& table_;
  std::shared_ptr<const LongHistoryConfig> config_;
  std::vector<std::unique_ptr<UserBehaviours>> users_;
};

}  // namespace cf
