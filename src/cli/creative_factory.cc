#include "cli/creative_factory.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/atomic_file.h"
#include "creative/grammar_script_writer.h"
#include "creative/scene_template.h"

namespace cf {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string TitleCase(std::string s) {
  bool start = true;
  for (char& c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = !std::isalnum(u);
  }
  return s;
}

}  // namespace

ProductFacts FactsFromCatalogue(const Catalogue& c, ProductId id) {
  if (id >= c.products.size()) {
    throw std::invalid_argument(
        fmt::format("no product {} in the catalogue ({} products)", id, c.products.size()));
  }
  const Product& p = c.products[id];
  ProductFacts f;
  f.id = p.id;
  f.title = TitleCase(c.types.empty() ? "product" : c.types.at(p.type));
  f.category = TitleCase(c.categories.at(p.category));
  f.package_size = p.package_size;
  f.national_brand = p.national_brand;
  f.consumable = p.consumable;
  f.price = p.shelf_price.units();
  f.currency = "$";
  // f.brand stays empty: the catalogue's merchant names are ids ("M69"), not brand names.
  f.facts.push_back(TitleCase(c.departments.at(p.department)) + " favourite");
  return f;
}

size_t FactoryJobs(const FactoryRun& run) {
  if (run.jobs > 0) return static_cast<size_t>(run.jobs);
  return std::max(1u, std::thread::hardware_concurrency());
}

Json RunFactory(const FactoryRun& run, const FactoryHooks& hooks) {
  if (run.lang != "zh" && run.lang != "en")
    throw std::invalid_argument("the language must be zh or en");
  if (run.out_dir.empty()) throw std::invalid_argument("an output folder is required");
  if (run.n < 1 || run.n > 200)
    throw std::invalid_argument("the number of variants must be 1..200");
  if (run.jobs < 0 || run.jobs > 64)
    throw std::invalid_argument("the number of parallel renders must be 0 (one per core)..64");
  const TemplateLibrary lib = TemplateLibrary::LoadDefault();
  const auto plan = PlanVariants(run.axes, run.n);
  const ProductFacts& product = run.product;
  const GrammarScriptWriter grammar = GrammarScriptWriter::LoadDefault();
  const LlmScriptWriter writer(run.llm, grammar);

  std::error_code ec;
  fs::create_directories(run.out_dir, ec);
  if (!fs::is_directory(run.out_dir)) {
    throw std::invalid_argument("cannot create the output folder " + run.out_dir + ": " +
                                ec.message());
  }
  // Variants render in parallel (each render also keeps two threads busy only part of the time:
  // composition, x264, audio); the hooks are called under one lock.
  const size_t jobs = std::min(plan.size(), FactoryJobs(run));
  std::mutex mu;
  std::vector<double> fraction(plan.size(), 0);
  double reported = 0;
  size_t finished = 0, reported_finished = 0;
  auto report = [&] {  // under mu; only news: more done, or one more variant finished
    double sum = 0;
    for (double f : fraction) sum += f;
    const double overall = std::min(1.0, sum / static_cast<double>(plan.size()));
    if (hooks.progress && (overall > reported || finished > reported_finished)) {
      reported = std::max(reported, overall);
      reported_finished = finished;
      hooks.progress(reported, finished, plan.size());
    }
  };
  auto make = [&](const VariantSpec& v) -> Json {
    SceneTemplate t = lib.Find(v.template_name);
    if (!v.music_style.empty()) t.music.style = v.music_style;
    ScriptRequest req;
    req.product = product;
    req.hook = v.hook;
    req.scene = t.scene;
    req.lang = run.lang;
    req.selling_point_order = v.selling_point_order;
    req.variant = v.index;
    const Script script = writer.Write(req);
    Creative c = DescribeVariant(v, script, t, product.id);
    const std::string stem = fmt::format("variant-{:02d}", v.index + 1);
    const fs::path dir(run.out_dir);
    const fs::path video = dir / (stem + ".mp4"), script_file = dir / (stem + ".script.json");
    RenderOptions r = run.render;
    r.duration_s = v.duration_s;
    r.voice = v.voice;
    if (r.threads == 0 && jobs > 1) r.threads = 1;  // the variants fill the cores
    const size_t i = static_cast<size_t>(v.index);
    r.progress = [&, i](double f) {
      std::lock_guard<std::mutex> lock(mu);
      fraction[i] = f;
      report();
    };
    double seconds = 0;
    if (!run.no_render) {
      const RenderResult res = RenderVideo(product, script, t, r, video);
      seconds = res.wall_seconds;
      c.media_path = video.string();
      c.thumbnail_path = res.thumbnail.string();
      c.width = static_cast<uint16_t>(res.width);
      c.height = static_cast<uint16_t>(res.height);
    }
    Json sj = script.ToJson();
    sj["variant"] = v.index + 1;
    WriteFileAtomic(script_file, sj.dump(2) + "\n");
    c.script_path = script_file.string();
    {
      std::lock_guard<std::mutex> lock(mu);
      fraction[i] = 1;
      ++finished;
      report();
      if (hooks.done) {
        hooks.done(fmt::format(
            "{} {}: {} / {} hook / {} s / voice {}{}\n", run.no_render ? "wrote" : "made", stem,
            t.name, HookStyleName(v.hook), v.duration_s, v.voice.empty() ? "none" : v.voice,
            run.no_render ? "" : fmt::format(" in {:.1f} s", seconds)));
      }
    }
    Json e = {{"file", run.no_render ? "" : video.filename().string()},
              {"thumbnail", run.no_render ? "" : fs::path(c.thumbnail_path).filename().string()},
              {"script", script_file.filename().string()},
              {"duration_s", v.duration_s},
              {"width", run.no_render ? 0 : run.render.width},
              {"height", run.no_render ? 0 : run.render.height},
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
    return e;
  };

  std::vector<Json> entries(plan.size());
  std::vector<char> made(plan.size(), 0);
  size_t next = 0;
  bool stop = false;
  std::exception_ptr error;
  auto worker = [&] {
    while (true) {
      size_t i = 0;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stop || next >= plan.size()) return;
        if (hooks.cancelled && hooks.cancelled()) {
          stop = true;
          return;
        }
        i = next++;
      }
      try {
        Json e = make(plan[i]);
        std::lock_guard<std::mutex> lock(mu);
        entries[i] = std::move(e);
        made[i] = 1;
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        stop = true;
        return;
      }
    }
  };
  std::vector<std::thread> helpers;
  for (size_t k = 1; k < jobs; ++k) helpers.emplace_back(worker);
  worker();
  for (auto& h : helpers) h.join();
  if (error) std::rethrow_exception(error);
  Json manifest = Json::array();
  for (size_t i = 0; i < plan.size(); ++i) {
    if (made[i]) manifest.push_back(std::move(entries[i]));
  }
  const fs::path mf = fs::path(run.out_dir) / "manifest.json";
  WriteFileAtomic(mf, manifest.dump(2) + "\n");
  return manifest;
}

}  // namespace cf
