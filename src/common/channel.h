// Traffic channels of the platform. Promises: a small closed enum, stable numeric values (they are
// written into event logs), with English and Chinese display names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cf {

enum class Channel : uint8_t { kFeed = 0, kLive = 1, kSearch = 2, kMall = 3 };
inline constexpr int kNumChannels = 4;
inline constexpr std::array<Channel, kNumChannels> kAllChannels = {
    Channel::kFeed, Channel::kLive, Channel::kSearch, Channel::kMall};

constexpr std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kFeed:
      return "feed";
    case Channel::kLive:
      return "live";
    case Channel::kSearch:
      return "search";
    case Channel::kMall:
      return "mall";
  }
  return "?";
}
constexpr std::string_view ChannelNameZh(Channel c) {
  switch (c) {
    case Channel::kFeed:
      return "短视频信息流";
    case Channel::kLive:
      return "直播间";
    case Channel::kSearch:
      return "搜索";
    case Channel::kMall:
      return "商城";
  }
  return "?";
}
std::optional<Channel> ParseChannel(std::string_view name);

// A set of channels as a bitmask (bit i = channel with value i).
struct ChannelSet {
  uint8_t bits = 0b1111;
  constexpr bool Has(Channel c) const { return bits & (1u << static_cast<int>(c)); }
  constexpr void Add(Channel c) { bits |= static_cast<uint8_t>(1u << static_cast<int>(c)); }
  static constexpr ChannelSet All() { return ChannelSet{0b1111}; }
  static constexpr ChannelSet None() { return ChannelSet{0}; }
};

}  // namespace cf
