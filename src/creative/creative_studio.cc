#include "creative/creative_studio.h"

#include <fmt/format.h>

namespace cf {

std::string CreativeMediaKey(const Creative& c) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", c.product, HookStyleName(c.hook),
                     SceneName(c.scene), c.template_name, c.selling_point_order, c.duration_s,
                     c.music, c.voice, c.lang, c.hook_text);
}

}  // namespace cf
