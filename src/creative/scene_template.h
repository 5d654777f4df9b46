// Scene templates: the look, motion, music and pacing of one kind of video (office commute,
// outdoor camping, ...), loaded from JSON data files (data/templates/*.json; format in
// docs/creative.md). Promises: loading is strict — a missing or unknown key, a wrong type, an
// out-of-range number, a bad colour or an unknown enum value throws TemplateError naming the file,
// the key and what to do. Loaded templates are immutable plain data.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/creative.h"

namespace cf {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;  // each in [0,1]
};

enum class Transition : uint8_t { kCut = 0, kFade, kSlideLeft, kSlideUp, kWipeRight, kZoom };
std::string_view TransitionName(Transition t);

enum class Pan : uint8_t { kCenter = 0, kLeftToRight, kRightToLeft, kTopToBottom, kBottomToTop };

struct SceneTemplate {
  std::string name;  // file stem, e.g. "outdoor_camping"
  Scene scene = Scene::kNone;
  std::vector<std::string> aliases;  // other names accepted by --template, e.g. "camping"
  std::string title_zh, title_en;
  struct Colors {
    Rgba background, primary, accent, text, outline, subtitle_box, price_card, price_text,
        coupon_card, coupon_text;
  } colors;
  struct Fonts {
    std::string title, body;  // Pango font descriptions, e.g. "Noto Sans CJK SC Bold"
  } fonts;
  struct Layout {
    double title_y = 0.14;     // hook title centre, share of the frame height
    double subtitle_y = 0.80;  // subtitle centre
    bool price_card_right = true;
    double text_size = 1.0;  // scales every font size
  } layout;
  std::vector<Transition> transitions;  // used in turn between images
  double transition_s = 0.5;
  struct Motion {
    double zoom_from = 1.0, zoom_to = 1.15;
    std::vector<Pan> pans;  // used in turn per image
  } motion;
  struct Music {
    std::string style;  // one of MusicStyles()
    int tempo_bpm = 100;
    int key = 0;  // semitones above C
    bool minor = false;
  } music;
  struct Pacing {
    double hook_s = 2.5;  // the hook's seconds (<= 3)
    // Shares of the remaining time; sum to 1.
    double selling_points = 0.5, proof = 0.15, promotion = 0.2, call_to_action = 0.15;
  } pacing;
};

// Music styles the synthesiser knows.
const std::vector<std::string>& MusicStyles();

// Parses one template; `origin` names the file in errors.
SceneTemplate ParseSceneTemplate(const nlohmann::json& j, const std::string& origin,
                                 const std::string& name);
SceneTemplate LoadSceneTemplate(const std::filesystem::path& file);

class TemplateLibrary {
 public:
  // Loads every *.json of `dir` (sorted by name); throws TemplateError on the first bad file, on
  // duplicate names or aliases, or when the folder has none.
  static TemplateLibrary LoadDir(const std::filesystem::path& dir);
  // CreativeDataDir()/templates.
  static TemplateLibrary LoadDefault();

  const std::vector<SceneTemplate>& all() const { return templates_; }
  // By name or alias; throws TemplateError listing the available names.
  const SceneTemplate& Find(const std::string& name) const;
  // The first template of `scene`, or nullptr.
  const SceneTemplate* ForScene(Scene scene) const;

 private:
  std::vector<SceneTemplate> templates_;
};

}  // namespace cf
