#include "cli/creative_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/creative_factory.h"
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
  int n = 6, fps = 30, crf = 23, jobs = 0;
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

// The product's facts from the catalogue (the Complete Journey loader lives in market; the CLI
// may use it, the creative engine may not).
ProductFacts CatalogueProduct(long long id, const std::string& data_dir) {
  const RealData data = LoadCompleteJourney(fs::path(data_dir) / "completejourney");
  const Catalogue& c = data.catalogue;
  if (id >= 0 && static_cast<size_t>(id) < c.products.size()) {
    return FactsFromCatalogue(c, static_cast<ProductId>(id));
  }
  for (const auto& x : c.products) {
    if (static_cast<long long>(x.source_id) == id) return FactsFromCatalogue(c, x.id);
  }
  throw UsageError(
      fmt::format("no product {} in the catalogue ({} products; give a catalogue "
                  "id 0..{} or a source product_id)",
                  id, c.products.size(), c.products.size() - 1));
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
  FactoryRun run;
  run.product = product;
  run.lang = o.lang;
  run.axes = axes;
  run.n = o.n;
  run.render = ro;
  run.no_render = o.no_render;
  run.out_dir = o.out_dir;
  run.jobs = o.jobs;
  run.llm = ReadLlmConfig(o);
  const size_t distinct = PlanVariants(axes, o.n).size();
  if (distinct < static_cast<size_t>(o.n)) {
    err << fmt::format("note: only {} distinct variants exist for these options (asked for {})\n",
                       distinct, o.n);
  }
  const bool tty = isatty(2) && &err == &std::cerr;
  FactoryHooks hooks;
  if (tty) {
    hooks.progress = [&](double f, size_t finished, size_t n) {
      err << fmt::format("\r  rendering: {}/{} done  {:3.0f}%", finished, n, 100 * f) << std::flush;
    };
  }
  hooks.done = [&](const std::string& line) {
    if (tty) err << "\r";
    err << line << "\n";
  };
  Json manifest;
  try {
    manifest = RunFactory(run, hooks);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const fs::path mf = fs::path(o.out_dir) / "manifest.json";
  if (o.json) {
    out << manifest.dump() << "\n";
  } else {
    out << fmt::format("wrote {} variants and {}\n", manifest.size(), mf.string());
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
  make->add_option("--jobs", o->jobs,
                   "Variants rendered at the same time (0: one per hardware thread)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
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
