#include "creative/variant_planner.h"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

namespace cf {

std::string VariantSpec::Key() const {
  return fmt::format("{}|{}|{}|{}|{}|{}", HookStyleName(hook), selling_point_order, template_name,
                     duration_s, music_style, voice);
}

std::vector<VariantSpec> PlanVariants(const VariantAxes& axes, int n) {
  if (axes.templates.empty()) throw std::invalid_argument("PlanVariants: no templates");
  if (n < 0) throw std::invalid_argument("PlanVariants: negative count");
  std::vector<HookStyle> hooks = axes.hooks;
  if (hooks.empty()) {
    for (int h = 0; h < kNumHookStyles; ++h) hooks.push_back(static_cast<HookStyle>(h));
  }
  const std::vector<std::string> music =
      axes.music_styles.empty() ? std::vector<std::string>{""} : axes.music_styles;
  const std::vector<std::string> voices =
      axes.voices.empty() ? std::vector<std::string>{""} : axes.voices;
  const std::vector<uint16_t> durations =
      axes.durations.empty() ? std::vector<uint16_t>{15} : axes.durations;
  const size_t orders = static_cast<size_t>(std::max(1, axes.selling_point_orders));
  const size_t sizes[6] = {hooks.size(),  axes.templates.size(), orders,
                           voices.size(), music.size(),          durations.size()};
  size_t total = 1;
  for (size_t s : sizes) total *= s;
  std::vector<VariantSpec> out;
  std::set<std::string> seen;
  auto make = [&](const size_t idx[6]) {
    VariantSpec v;
    v.hook = hooks[idx[0]];
    v.template_name = axes.templates[idx[1]];
    v.selling_point_order = static_cast<uint8_t>(idx[2]);
    v.voice = voices[idx[3]];
    v.music_style = music[idx[4]];
    v.duration_s = durations[idx[5]];
    return v;
  };
  auto add = [&](VariantSpec v) {
    if (out.size() >= static_cast<size_t>(n) || !seen.insert(v.Key()).second) return;
    v.index = static_cast<uint32_t>(out.size());
    out.push_back(std::move(v));
  };
  // Enumerate every combination once: digits d0..d5 of j in mixed radix (hook fastest), each
  // later axis sheared by the sum of the earlier digits — a bijection, so no combination repeats,
  // and neighbouring variants differ in hook, template, order, voice and music at once.
  for (size_t j = 0; j < total && out.size() < static_cast<size_t>(n); ++j) {
    size_t d[6], idx[6], rest = j, sum = 0;
    for (int a = 0; a < 6; ++a) {
      d[a] = rest % sizes[a];
      rest /= sizes[a];
      idx[a] = (d[a] + sum) % sizes[a];
      sum += d[a];
    }
    add(make(idx));
  }
  return out;
}

Creative DescribeVariant(const VariantSpec& v, const Script& script, const SceneTemplate& t,
                         ProductId product) {
  Creative c;
  c.id = v.index;
  c.product = product;
  c.scene = t.scene;
  c.hook = v.hook;
  c.selling_points = script.selling_points;
  c.duration_s = v.duration_s;
  c.music = v.music_style.empty() ? t.music.style : v.music_style;
  c.voice = v.voice;
  c.lang = script.lang;
  c.template_name = t.name;
  c.selling_point_order = v.selling_point_order;
  c.music_bpm = static_cast<uint16_t>(t.music.tempo_bpm);
  c.hook_text = script.hook_text();
  return c;
}

}  // namespace cf
