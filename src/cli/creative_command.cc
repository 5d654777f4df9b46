#include "cli/creative_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/json_config.h"
#include "creative/grammar_script_writer.h"
#include "creative/llm_script_writer.h"
#include "creative/scene_template.h"
#include "creative/variant_planner.h"
#include "market/completejourney.h"
#include "render/media_probe.h"
#include "render/render_error.h"
#include "render/video_renderer.h"
#include "render/voice_over.h"

namespace cf {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct MakeOptions {
  long long product = -1;
  std::string images, title, category, facts, brand;
  double price = 0, coupon = 0;
  std::string template_name, lang = "zh", aspect = "9:16", size, durations = "15";
  int n = 6, fps = 30, crf = 23;
  std::string voice = "auto", music, music_file, out_dir, config, llm_url, llm_model;
  std::string preset = "veryfast";
  bool json = false, no_render = false;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string TitleCase(std::string s) {
  bool start = true;
  for (char& c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = !std::isalnum(u);
  }
  return s;
}

// The product's facts from the catalogue (the Complete Journey loader lives in market; the CLI
// may use it, the creative engine may not).
ProductFacts CatalogueProduct(long long id, const std::string& data_dir) {
  const RealData data = LoadCompleteJourney(fs::path(data_dir) / "completejourney");
  const Catalogue& c = data.catalogue;
  const Product* p = nullptr;
  if (id >= 0 && static_cast<size_t>(id) < c.products.size()) {
    p = &c.products[static_cast<size_t>(id)];
  } else {
    for (const auto& x : c.products) {
      if (static_cast<long long>(x.source_id) == id) p = &x;
    }
  }
  if (p == nullptr) {
    throw UsageError(
        fmt::format("no product {} in the catalogue ({} products; give a catalogue "
                    "id 0..{} or a source product_id)",
                    id, c.products.size(), c.products.size() - 1));
  }
  ProductFacts f;
  f.id = p->id;
  f.title = TitleCase(c.types.empty() ? "product" : c.types.at(p->type));
  f.category = TitleCase(c.categories.at(p->category));
  f.package_size = p->package_size;
  f.national_brand = p->national_brand;
  f.consumable = p->consumable;
  f.price = p->shelf_price.units();
  f.currency = "$";
  // f.brand stays empty: the catalogue's merchant names are ids ("M69"), not brand names.
  f.facts.push_back(TitleCase(c.departments.at(p->department)) + " favourite");
  return f;
}

LlmConfig ReadLlmConfig(const MakeOptions& o) {
  LlmConfig c;
  if (!o.config.empty()) {
    std::ifstream in(o.config);
    if (!in) throw UsageError("cannot read --config " + o.config);
    Json j;
    try {
      j = Json::parse(in);
    } catch (const Json::parse_error& e) {
      throw UsageError("--config " + o.config + " is not valid JSON: " + e.what());
    }
    if (j.contains("creative")) {
      CheckKnownKeys(Json{{"llm", c.ToJson()}}, j.at("creative"), "creative");
      if (j.at("creative").contains("llm")) c = LlmConfig::FromJson(j["creative"]["llm"]);
    }
  }
  if (!o.llm_url.empty()) c.url = o.llm_url;
  if (!o.llm_model.empty()) c.model = o.llm_model;
  if (!o.llm_url.empty() || !o.llm_model.empty()) {
    if (c.url.empty() || c.model.empty()) {
      throw UsageError("--llm-url and --llm-model go together");
    }
    c.enabled = true;
  }
  return c;
}

int Make(const MakeOptions& o, const std::string& data_dir, std::ostream& out, std::ostream& err) {
  // Product.
  ProductFacts product;
  if (o.product >= 0) {
    if (!o.images.empty() || !o.title.empty()) {
      throw UsageError("give either --product or --images/--title/--price, not both");
    }
    product = CatalogueProduct(o.product, data_dir);
  } else {
    if (o.title.empty() || !(o.price > 0)) {
      throw UsageError(
          "give --product ID, or --title and --price (and --images) for a new product");
    }
    product.title = o.title;
    product.price = o.price;
    product.category = o.category;
    product.brand = o.brand;
    product.facts = Split(o.facts, ';');
    product.images = Split(o.images, ',');
    for (const auto& img : product.images) {
      if (!fs::is_regular_file(img)) throw UsageError("image " + img + " does not exist");
    }
  }
  if (o.coupon < 0 || (o.coupon > 0 && o.coupon >= product.price)) {
    throw UsageError(
        fmt::format("--coupon {} must be >= 0 and below the price {}", o.coupon, product.price));
  }
  product.coupon = o.coupon;
  if (o.lang != "zh" && o.lang != "en") throw UsageError("--lang must be zh or en");
  if (o.out_dir.empty()) throw UsageError("--out DIR is required");

  // Frame size.
  RenderOptions ro;
  if (o.aspect == "9:16") {
    ro.width = 1080, ro.height = 1920;
  } else if (o.aspect == "16:9") {
    ro.width = 1280, ro.height = 720;
  } else {
    throw UsageError("--aspect must be 9:16 or 16:9");
  }
  if (!o.size.empty()) {
    int w = 0, h = 0;
    char x = 0;
    std::istringstream in(o.size);
    if (!(in >> w >> x >> h) || x != 'x') throw UsageError("--size must look like 540x960");
    ro.width = w, ro.height = h;
  }
  ro.fps = o.fps;
  ro.crf = o.crf;
  ro.preset = o.preset;
  if (!o.music_file.empty()) {
    if (!fs::is_regular_file(o.music_file)) {
      throw UsageError("--music-file " + o.music_file + " does not exist");
    }
    ro.music_file = o.music_file;
  }

  // Axes.
  const TemplateLibrary lib = TemplateLibrary::LoadDefault();
  VariantAxes axes;
  if (!o.template_name.empty()) {
    for (const auto& t : Split(o.template_name, ',')) axes.templates.push_back(lib.Find(t).name);
  } else {
    for (const auto& t : lib.all()) axes.templates.push_back(t.name);
  }
  axes.durations.clear();
  for (const auto& d : Split(o.durations, ',')) {
    int v = 0;
    try {
      v = std::stoi(d);
    } catch (const std::exception&) {
    }
    if (v < 1 || v > 60) throw UsageError("--duration takes seconds 1..60 (15 or 30 for ads)");
    axes.durations.push_back(static_cast<uint16_t>(v));
  }
  if (o.voice == "auto") {
    axes.voices = {o.lang + "-female", o.lang + "-male"};
  } else if (o.voice == "none") {
    axes.voices = {""};
  } else {
    axes.voices = Split(o.voice, ',');
    for (const auto& v : axes.voices) {
      const auto& names = VoiceNames();
      if (std::find(names.begin(), names.end(), v) == names.end()) {
        throw UsageError("--voice " + v +
                         ": use auto, none, or zh-female, zh-male, en-female, en-male");
      }
    }
  }
  for (const auto& m : Split(o.music, ',')) {
    const auto& styles = MusicStyles();
    if (std::find(styles.begin(), styles.end(), m) == styles.end()) {
      throw UsageError(fmt::format("--music {}: use one of {}", m, fmt::join(styles, ", ")));
    }
    axes.music_styles.push_back(m);
  }
  if (o.n < 1 || o.n > 200) throw UsageError("-n must be 1..200");
  const auto plan = PlanVariants(axes, o.n);

  const GrammarScriptWriter grammar = GrammarScriptWriter::LoadDefault();
  const LlmConfig llm = ReadLlmConfig(o);
  const LlmScriptWriter writer(llm, grammar);

  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (!fs::is_directory(o.out_dir)) {
    throw UsageError("cannot create the output folder " + o.out_dir + ": " + ec.message());
  }
  if (plan.size() < static_cast<size_t>(o.n)) {
    err << fmt::format("note: only {} distinct variants exist for these options (asked for {})\n",
                       plan.size(), o.n);
  }
  const bool tty = isatty(2) && &err == &std::cerr;
  Json manifest = Json::array();
  for (const VariantSpec& v : plan) {
    SceneTemplate t = lib.Find(v.template_name);
    if (!v.music_style.empty()) t.music.style = v.music_style;
    ScriptRequest req;
    req.product = product;
    req.hook = v.hook;
    req.scene = t.scene;
    req.lang = o.lang;
    req.selling_point_order = v.selling_point_order;
    req.variant = v.index;
    const Script script = writer.Write(req);
    Creative c = DescribeVariant(v, script, t, product.id);
    const std::string stem = fmt::format("variant-{:02d}", v.index + 1);
    const fs::path dir(o.out_dir);
    const fs::path video = dir / (stem + ".mp4"), script_file = dir / (stem + ".script.json");
    RenderOptions r = ro;
    r.duration_s = v.duration_s;
    r.voice = v.voice;
    if (tty) {
      r.progress = [&, i = v.index](double f) {
        err << fmt::format("\r  rendering {}/{}  {:3.0f}%", i + 1, plan.size(), 100 * f)
            << std::flush;
      };
    }
    double seconds = 0;
    if (!o.no_render) {
      const RenderResult res = RenderVideo(product, script, t, r, video);
      seconds = res.wall_seconds;
      c.media_path = video.string();
      c.thumbnail_path = res.thumbnail.string();
      c.width = static_cast<uint16_t>(res.width);
      c.height = static_cast<uint16_t>(res.height);
    }
    Json sj = script.ToJson();
    sj["variant"] = v.index + 1;
    {
      const fs::path tmp = script_file.string() + ".part";
      std::ofstream(tmp) << sj.dump(2) << "\n";
      fs::rename(tmp, script_file);
    }
    c.script_path = script_file.string();
    if (tty) err << "\r";
    err << fmt::format("{} {}: {} / {} hook / {} s / voice {}{}\n", o.no_render ? "wrote" : "made",
                       stem, t.name, HookStyleName(v.hook), v.duration_s,
                       v.voice.empty() ? "none" : v.voice,
                       o.no_render ? "" : fmt::format(" in {:.1f} s", seconds));
    Json e = {{"file", o.no_render ? "" : video.filename().string()},
              {"thumbnail", o.no_render ? "" : fs::path(c.thumbnail_path).filename().string()},
              {"script", script_file.filename().string()},
              {"duration_s", v.duration_s},
              {"width", o.no_render ? 0 : ro.width},
              {"height", o.no_render ? 0 : ro.height},
              {"template", t.name},
              {"scene", std::string(SceneName(t.scene))},
              {"hook", std::string(HookStyleName(v.hook))},
              {"hook_text", c.hook_text},
              {"lang", c.lang},
              {"voice", c.voice},
              {"music", c.music},
              {"music_bpm", c.music_bpm},
              {"selling_point_order", c.selling_point_order},
              {"selling_points", c.selling_points},
              {"script_source", script.source},
              {"render_seconds", std::round(seconds * 100) / 100}};
    if (product.id != kNoId) e["product"] = product.id;
    manifest.push_back(std::move(e));
  }
  const fs::path mf = fs::path(o.out_dir) / "manifest.json";
  {
    const fs::path tmp = mf.string() + ".part";
    std::ofstream(tmp) << manifest.dump(2) << "\n";
    fs::rename(tmp, mf);
  }
  if (o.json) {
    out << manifest.dump() << "\n";
  } else {
    out << fmt::format("wrote {} variants and {}\n", plan.size(), mf.string());
  }
  return 0;
}

}  // namespace

void AddCreativeCommand(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto* creative =
      app.add_subcommand("creative", "The creative factory (scripts, templates, video)");
  creative->require_subcommand(1);
  auto* make = creative->add_subcommand(
      "make", "Write scripts and render short-video variants for one product (docs/creative.md)");
  auto o = std::make_shared<MakeOptions>();
  make->add_option("--product", o->product,
                   "Catalogue product (catalogue id, or Complete Journey product_id)");
  make->add_option("--images", o->images, "Comma-separated product images (JPEG/PNG/WebP)");
  make->add_option("--title", o->title, "Product title (with --images)");
  make->add_option("--price", o->price, "Price (with --images)");
  make->add_option("--coupon", o->coupon, "Coupon amount off (0 = none)");
  make->add_option("--category", o->category, "Product category (with --images)");
  make->add_option("--brand", o->brand, "Brand (with --images)");
  make->add_option("--facts", o->facts, "Selling facts, separated by ';'");
  make->add_option("--template", o->template_name,
                   "Scene template name(s) or alias, comma-separated (default: all)");
  make->add_option("--lang", o->lang, "Script language: zh or en")->capture_default_str();
  make->add_option("-n", o->n, "Number of variants")->capture_default_str();
  make->add_option("--aspect", o->aspect, "9:16 (1080x1920) or 16:9 (1280x720)")
      ->capture_default_str();
  make->add_option("--size", o->size, "Frame size WxH overriding --aspect (e.g. 270x480)");
  make->add_option("--duration", o->durations, "Seconds, or a list to vary (e.g. 15,30)")
      ->capture_default_str();
  make->add_option("--fps", o->fps, "Frames per second")->capture_default_str();
  make->add_option("--crf", o->crf, "x264 quality (lower is better)")->capture_default_str();
  make->add_option("--preset", o->preset, "x264 preset")->capture_default_str();
  make->add_option("--voice", o->voice,
                   "auto (both voices of --lang), none, or a list of zh-female, zh-male, "
                   "en-female, en-male")
      ->capture_default_str();
  make->add_option("--music", o->music, "Music style(s) to vary instead of the template's own");
  make->add_option("--music-file", o->music_file, "Use this music file for every variant");
  make->add_option("--config", o->config, "JSON config; reads its \"creative\": {\"llm\": ...}");
  make->add_option("--llm-url", o->llm_url, "OpenAI-compatible chat completions URL");
  make->add_option("--llm-model", o->llm_model, "Model name for --llm-url");
  make->add_option("--out", o->out_dir, "Output folder")->required();
  make->add_flag("--json", o->json, "Print the manifest as JSON");
  make->add_flag("--no-render", o->no_render, "Write scripts and the manifest only");
  make->callback([o, &app, &out, &err] {
    std::string data_dir = DefaultDataDir().string();
    if (auto* opt = app.get_option_no_throw("--data"); opt != nullptr && opt->count() > 0) {
      data_dir = opt->as<std::string>();
    }
    int rc = 0;
    try {
      rc = Make(*o, data_dir, out, err);
    } catch (const UsageError& e) {
      err << "error: " << e.what() << "\n";
      rc = 2;
    } catch (const TemplateError& e) {
      err << "error: " << e.what() << "\n";
      rc = 2;
    } catch (const ConfigError& e) {
      err << "error: " << e.what() << "\n";
      rc = 2;
    } catch (const CsvError& e) {
      err << "error: " << e.what() << "\n";
      rc = 2;
    } catch (const std::exception& e) {
      err << "error: " << e.what() << "\n";
      rc = 1;
    }
    if (rc != 0) throw CLI::RuntimeError(rc);
    throw CLI::Success();
  });
}

}  // namespace cf
