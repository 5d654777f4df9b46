#include "creative/scene_template.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>

#include "creative/creative_data.h"

namespace cf {
namespace {

using Json = nlohmann::json;

// Reads one JSON object strictly: every key must be consumed, missing keys and bad types throw.
class Obj {
 public:
  Obj(const Json& j, std::string origin, std::string path)
      : j_(j), origin_(std::move(origin)), path_(std::move(path)) {
    if (!j_.is_object()) Fail(path_.empty() ? "the file" : path_, "must be a JSON object");
  }
  [[noreturn]] void Fail(const std::string& key, const std::string& what) const {
    throw TemplateError(
        fmt::format("template {}: {} {} (fix the file; the format is in "
                    "docs/creative.md)",
                    origin_, key, what));
  }
  std::string Key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
  const Json& Get(const std::string& k) {
    if (!j_.contains(k)) Fail(Key(k), "is missing");
    used_.insert(k);
    return j_.at(k);
  }
  std::string String(const std::string& k) {
    const Json& v = Get(k);
    if (!v.is_string() || v.get<std::string>().empty()) Fail(Key(k), "must be a non-empty string");
    return v.get<std::string>();
  }
  double Number(const std::string& k, double lo, double hi) {
    const Json& v = Get(k);
    if (!v.is_number()) Fail(Key(k), "must be a number");
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) Fail(Key(k), fmt::format("must be in [{}, {}], got {}", lo, hi, x));
    return x;
  }
  std::vector<std::string> Strings(const std::string& k, bool allow_empty) {
    const Json& v = Get(k);
    if (!v.is_array() || (!allow_empty && v.empty())) {
      Fail(Key(k), allow_empty ? "must be an array of strings" : "must be a non-empty array");
    }
    std::vector<std::string> out;
    for (const auto& s : v) {
      if (!s.is_string() || s.get<std::string>().empty()) Fail(Key(k), "must hold strings");
      out.push_back(s.get<std::string>());
    }
    return out;
  }
  Rgba Colour(const std::string& k) {
    const std::string s = String(k);
    const bool ok = (s.size() == 7 || s.size() == 9) && s[0] == '#' &&
                    std::all_of(s.begin() + 1, s.end(), [](char c) { return std::isxdigit(c); });
    if (!ok)
      Fail(Key(k), fmt::format("must be a colour \"#rrggbb\" or \"#rrggbbaa\", got \"{}\"", s));
    auto byte = [&](size_t i) { return std::stoi(s.substr(i, 2), nullptr, 16) / 255.0; };
    return {byte(1), byte(3), byte(5), s.size() == 9 ? byte(7) : 1.0};
  }
  Obj Child(const std::string& k) { return Obj(Get(k), origin_, Key(k)); }
  // Throws on keys that were never read.
  void Done() const {
    for (const auto& [k, v] : j_.items()) {
      if (!used_.count(k)) Fail(Key(k), "is not a known key");
    }
  }
  template <typename E, size_t N>
  E Enum(const std::string& k, const std::string& value, const std::array<const char*, N>& names) {
    for (size_t i = 0; i < N; ++i) {
      if (value == names[i]) return static_cast<E>(i);
    }
    std::string all;
    for (const char* n : names) all += std::string(all.empty() ? "" : ", ") + n;
    Fail(Key(k), fmt::format("has unknown value \"{}\"; use one of {}", value, all));
  }

 private:
  const Json& j_;
  std::string origin_, path_;
  std::set<std::string> used_;
};

constexpr std::array<const char*, 6> kTransitionNames = {"cut",      "fade",       "slide_left",
                                                         "slide_up", "wipe_right", "zoom"};
constexpr std::array<const char*, 5> kPanNames = {"center", "left_to_right", "right_to_left",
                                                  "top_to_bottom", "bottom_to_top"};
constexpr std::array<const char*, 12> kKeys = {"C",  "C#", "D",  "D#", "E",  "F",
                                               "F#", "G",  "G#", "A",  "A#", "B"};

}  // namespace

std::string_view TransitionName(Transition t) {
  return kTransitionNames.at(static_cast<size_t>(t));
}

const std::vector<std::string>& MusicStyles() {
  static const std::vector<std::string> kStyles = {"acoustic", "electronic", "tropical", "lofi",
                                                   "pop",      "lullaby",    "ambient",  "rock"};
  return kStyles;
}

SceneTemplate ParseSceneTemplate(const Json& j, const std::string& origin,
                                 const std::string& name) {
  Obj o(j, origin, "");
  SceneTemplate t;
  if (o.String("format") != "chengfang-scene-template/1") {
    o.Fail("format", "must be \"chengfang-scene-template/1\"");
  }
  t.name = o.String("name");
  if (t.name != name) {
    o.Fail("name", fmt::format("\"{}\" must equal the file name \"{}\"", t.name, name));
  }
  const std::string scene = o.String("scene");
  if (auto s = FindScene(scene)) {
    t.scene = *s;
  } else {
    o.Fail("scene", fmt::format("has unknown value \"{}\" (see common/creative.h)", scene));
  }
  t.aliases = o.Strings("aliases", true);
  {
    Obj title = o.Child("title");
    t.title_zh = title.String("zh");
    t.title_en = title.String("en");
    title.Done();
  }
  {
    Obj c = o.Child("colors");
    auto& k = t.colors;
    k.background = c.Colour("background");
    k.primary = c.Colour("primary");
    k.accent = c.Colour("accent");
    k.text = c.Colour("text");
    k.outline = c.Colour("outline");
    k.subtitle_box = c.Colour("subtitle_box");
    k.price_card = c.Colour("price_card");
    k.price_text = c.Colour("price_text");
    k.coupon_card = c.Colour("coupon_card");
    k.coupon_text = c.Colour("coupon_text");
    c.Done();
  }
  {
    Obj f = o.Child("fonts");
    t.fonts.title = f.String("title");
    t.fonts.body = f.String("body");
    f.Done();
  }
  {
    Obj l = o.Child("layout");
    t.layout.title_y = l.Number("title_y", 0.05, 0.95);
    t.layout.subtitle_y = l.Number("subtitle_y", 0.05, 0.95);
    const std::string pc = l.String("price_card");
    if (pc != "top_right" && pc != "top_left") {
      l.Fail(l.Key("price_card"), "must be \"top_right\" or \"top_left\"");
    }
    t.layout.price_card_right = pc == "top_right";
    t.layout.text_size = l.Number("text_size", 0.5, 2.0);
    l.Done();
  }
  for (const auto& s : o.Strings("transitions", false)) {
    t.transitions.push_back(o.Enum<Transition>("transitions", s, kTransitionNames));
  }
  t.transition_s = o.Number("transition_s", 0, 1.5);
  {
    Obj m = o.Child("motion");
    t.motion.zoom_from = m.Number("zoom_from", 1.0, 2.0);
    t.motion.zoom_to = m.Number("zoom_to", 1.0, 2.0);
    for (const auto& s : m.Strings("pan", false)) {
      t.motion.pans.push_back(m.Enum<Pan>("pan", s, kPanNames));
    }
    m.Done();
  }
  {
    Obj m = o.Child("music");
    t.music.style = m.String("style");
    const auto& styles = MusicStyles();
    if (std::find(styles.begin(), styles.end(), t.music.style) == styles.end()) {
      m.Fail(m.Key("style"), fmt::format("has unknown value \"{}\"; use one of {}", t.music.style,
                                         fmt::join(styles, ", ")));
    }
    t.music.tempo_bpm = static_cast<int>(m.Number("tempo_bpm", 40, 200));
    t.music.key = static_cast<int>(m.Enum<int>("key", m.String("key"), kKeys));
    const std::string scale = m.String("scale");
    if (scale != "major" && scale != "minor") m.Fail(m.Key("scale"), "must be major or minor");
    t.music.minor = scale == "minor";
    m.Done();
  }
  {
    Obj p = o.Child("pacing");
    t.pacing.hook_s = p.Number("hook_s", 1.0, 3.0);
    t.pacing.selling_points = p.Number("selling_points", 0.05, 1);
    t.pacing.proof = p.Number("proof", 0.0, 1);
    t.pacing.promotion = p.Number("promotion", 0.05, 1);
    t.pacing.call_to_action = p.Number("call_to_action", 0.05, 1);
    const double sum =
        t.pacing.selling_points + t.pacing.proof + t.pacing.promotion + t.pacing.call_to_action;
    if (std::fabs(sum - 1) > 0.01) {
      p.Fail("pacing", fmt::format("shares (selling_points + proof + promotion + call_to_action) "
                                   "must sum to 1, got {:.3f}",
                                   sum));
    }
    p.Done();
  }
  o.Done();
  return t;
}

SceneTemplate LoadSceneTemplate(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw TemplateError("cannot read template " + file.string());
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw TemplateError("template " + file.string() + " is not valid JSON: " + e.what());
  }
  return ParseSceneTemplate(j, file.string(), file.stem().string());
}

TemplateLibrary TemplateLibrary::LoadDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw TemplateError("template folder " + dir.string() +
                        " does not exist (set CHENGFANG_CREATIVE_DATA to the folder holding "
                        "templates/)");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw TemplateError("template folder " + dir.string() + " has no *.json");
  TemplateLibrary lib;
  std::set<std::string> names;
  for (const auto& f : files) {
    SceneTemplate t = LoadSceneTemplate(f);
    std::vector<std::string> all = t.aliases;
    all.push_back(t.name);
    for (const auto& n : all) {
      if (!names.insert(n).second) {
        throw TemplateError(
            fmt::format("template {}: name or alias \"{}\" is already used by "
                        "another template; rename one",
                        f.string(), n));
      }
    }
    lib.templates_.push_back(std::move(t));
  }
  return lib;
}

TemplateLibrary TemplateLibrary::LoadDefault() { return LoadDir(CreativeDataDir() / "templates"); }

const SceneTemplate& TemplateLibrary::Find(const std::string& name) const {
  for (const auto& t : templates_) {
    if (t.name == name || std::find(t.aliases.begin(), t.aliases.end(), name) != t.aliases.end()) {
      return t;
    }
  }
  std::vector<std::string> names;
  for (const auto& t : templates_) names.push_back(t.name);
  throw TemplateError(
      fmt::format("unknown template \"{}\"; available: {}", name, fmt::join(names, ", ")));
}

const SceneTemplate* TemplateLibrary::ForScene(Scene scene) const {
  for (const auto& t : templates_) {
    if (t.scene == scene) return &t;
  }
  return nullptr;
}

}  // namespace cf
