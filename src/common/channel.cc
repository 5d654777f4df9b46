#include "common/channel.h"

namespace cf {

std::optional<Channel> ParseChannel(std::string_view name) {
  for (Channel c : kAllChannels) {
    if (ChannelName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace cf
