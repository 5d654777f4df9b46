#include "insight/behaviour_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace cf {

double LongHistoryConfig::TauMinutes() const {
  return half_life_days * static_cast<double>(kMinutesPerDay) / std::numbers::ln2;
}

void LongHistoryConfig::Validate() const {
  if (!(half_life_days > 0) || !std::isfinite(half_life_days)) {
    throw BehaviourError(
        fmt::format("long-history config: half_life_days is {}; give a positive number of days",
                    half_life_days));
  }
  for (int a = 0; a < kNumEventTypes; ++a) {
    if (!(action_weight[a] >= 0) || !std::isfinite(action_weight[a])) {
      throw BehaviourError(fmt::format(
          "long-history config: the weight of action '{}' is {}; weights are finite and >= 0",
          EventTypeName(static_cast<EventType>(a)), action_weight[a]));
    }
  }
}

namespace {

inline size_t HashItem(ProductId item, size_t mask) {
  return static_cast<size_t>((item * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

}  // namespace

UserBehaviours::UserBehaviours(const ItemEmbeddingTable& table,
                               std::shared_ptr<const LongHistoryConfig> config)
    : table_(table),
      config_(std::move(config)),
      inv_tau_(1.0 / config_->TauMinutes()),
      profile_(table.dim(), 0.0f) {}

uint32_t* UserBehaviours::FindSlot(ProductId item) {
  if (index_.empty()) return nullptr;
  const size_t mask = index_.size() - 1;
  for (size_t i = HashItem(item, mask);; i = (i + 1) & mask) {
    if (index_[i].item == item) return &index_[i].slot;
    if (index_[i].item == kNoId) return nullptr;
  }
}

void UserBehaviours::InsertSlot(ProductId item, uint32_t slot) {
  if ((slot_item_.size() + 1) * 2 > index_.size()) {
    // Grow to keep the load at most 1/2: re-insert every slot (amortised O(1) per insert).
    std::vector<SlotEntry> old;
    old.swap(index_);
    index_.assign(old.empty() ? 16 : old.size() * 2, SlotEntry{});
    const size_t mask = index_.size() - 1;
    for (const SlotEntry& e : old) {
      if (e.item == kNoId) continue;
      size_t i = HashItem(e.item, mask);
      while (index_[i].item != kNoId) i = (i + 1) & mask;
      index_[i] = e;
    }
  }
  const size_t mask = index_.size() - 1;
  size_t i = HashItem(item, mask);
  while (index_[i].item != kNoId) i = (i + 1) & mask;
  index_[i] = {item, slot};
}

void UserBehaviours::Append(ProductId item, EventType action, SimMinute minute) {
  table_.Check(item, "long-history append");
  const int a = static_cast<int>(action);
  if (a >= kNumEventTypes || !(config_->action_weight[a] > 0)) {
    throw BehaviourError(fmt::format(
        "long-history append: action '{}' (item {}, minute {}) has weight 0, so it is not a "
        "behaviour; give it a weight in LongHistoryConfig::action_weight or skip it (Observe() "
        "skips it)",
        a < kNumEventTypes ? EventTypeName(action) : "unknown", item, minute));
  }
  if (!event_item_.empty() && minute < last_minute_) {
    throw BehaviourError(fmt::format(
        "long-history append: event at minute {} (item {}) is older than the user's last event "
        "(minute {}); append each user's events in time order (sort the log by minute first)",
        minute, item, last_minute_));
  }
  const float w = config_->action_weight[a];
  const double log_w = std::log(static_cast<double>(w));

  // Raw history.
  event_item_.push_back(item);
  event_minute_.push_back(minute);
  event_action_.push_back(static_cast<uint8_t>(a));
  ++action_count_[a];

  // The item's slot: logA <- logaddexp(logA - age / tau, log w).
  if (uint32_t* slot = FindSlot(item)) {
    const uint32_t s = *slot;
    const double decayed = slot_log_mass_[s] - (minute - slot_last_[s]) * inv_tau_;
    const double hi = std::max(decayed, log_w), lo = std::min(decayed, log_w);
    slot_log_mass_[s] = static_cast<float>(hi + std::log1p(std::exp(lo - hi)));
    slot_last_[s] = minute;
    ++slot_count_[s];
  } else {
    const uint32_t s = static_cast<uint32_t>(slot_item_.size());
    InsertSlot(item, s);
    slot_item_.push_back(item);
    slot_signature_.push_back(table_.Signature(item));
    slot_log_mass_.push_back(static_cast<float>(log_w));
    slot_last_.push_back(minute);
    slot_count_.push_back(1);
    CategoryIndex& c = categories_[table_.Category(item)];
    c.slots.push_back(s);
    c.signatures.push_back(table_.Signature(item));
  }

  // Profile: decay to this minute, then add w * embedding. O(d).
  const float* e = table_.Row(item);
  const int d = table_.dim();
  if (event_item_.size() > 1 && minute != last_minute_) {
    const float f =
        static_cast<float>(std::exp(-static_cast<double>(minute - last_minute_) * inv_tau_));
    for (int k = 0; k < d; ++k) profile_[k] = profile_[k] * f + w * e[k];
  } else {
    for (int k = 0; k < d; ++k) profile_[k] += w * e[k];
  }
  last_minute_ = minute;
}

const UserBehaviours::CategoryIndex* UserBehaviours::Category(CategoryId c) const {
  const auto it = categories_.find(c);
  return it == categories_.end() ? nullptr : &it->second;
}

size_t UserBehaviours::MemoryBytes() const {
  size_t b = sizeof(*this);
  b += event_item_.capacity() * sizeof(ProductId) + event_minute_.capacity() * sizeof(SimMinute) +
       event_action_.capacity();
  b += slot_item_.capacity() * sizeof(ProductId) + slot_signature_.capacity() * sizeof(uint64_t) +
       slot_log_mass_.capacity() * sizeof(float) + slot_last_.capacity() * sizeof(SimMinute) +
       slot_count_.capacity() * sizeof(uint32_t) + index_.capacity() * sizeof(SlotEntry);
  // unordered_map: a node (key, value, next pointer, cached hash) per category plus buckets.
  b += categories_.bucket_count() * sizeof(void*) +
       categories_.size() * (sizeof(CategoryIndex) + 3 * sizeof(void*));
  for (const auto& [c, list] : categories_) {
    b += list.slots.capacity() * sizeof(uint32_t) + list.signatures.capacity() * sizeof(uint64_t);
  }
  b += profile_.capacity() * sizeof(float);
  return b;
}

BehaviourStore::BehaviourStore(const ItemEmbeddingTable& table, LongHistoryConfig config)
    : table_(table) {
  config.Validate();
  config_ = std::make_shared<const LongHistoryConfig>(std::move(config));
}

void BehaviourStore::Append(UserId user, ProductId item, EventType action, SimMinute minute) {
  if (user == kNoId) throw BehaviourError("long-history append: the event has no user");
  if (user >= users_.size()) users_.resize(static_cast<size_t>(user) + 1);
  if (!users_[user]) {
    auto fresh = std::make_unique<UserBehaviours>(table_, config_);
    fresh->Append(item, action, minute);  // throws before the user exists
    users_[user] = std::move(fresh);
    return;
  }
  users_[user]->Append(item, action, minute);
}

bool BehaviourStore::Observe(const Event& e) {
  const int a = static_cast<int>(e.type);
  if (e.product == kNoId || a >= kNumEventTypes || !(config_->action_weight[a] > 0)) return false;
  Append(e.user, e.product, e.type, e.minute);
  return true;
}

size_t BehaviourStore::users() const {
  size_t n = 0;
  for (const auto& u : users_) n += u != nullptr;
  return n;
}

size_t BehaviourStore::MemoryBytes() const {
  size_t b = sizeof(*this) + users_.capacity() * sizeof(users_[0]);
  for (const auto& u : users_) {
    if (u) b += u->MemoryBytes();
  }
  return b;
}

}  // namespace cf
