#include "cli/thumbnail_studio.h"

#include <fmt/format.h>

#include <stdexcept>

#include "cli/creative_factory.h"
#include "common/atomic_file.h"
#include "common/random.h"
#include "render/video_renderer.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

}  // namespace

ThumbnailStudio::ThumbnailStudio(const Catalogue& catalogue, StudioOptions options)
    : catalogue_(catalogue),
      options_(std::move(options)),
      templates_(TemplateLibrary::LoadDefault()),
      writer_(GrammarScriptWriter::LoadDefault()) {
  const fs::path dir = options_.out_dir / "creatives";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("cannot create the creatives folder " + dir.string() + ": " +
                             ec.message());
  }
  worker_ = std::thread([this] { Work(); });
}

ThumbnailStudio::~ThumbnailStudio() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    queue_.clear();  // not waiting for work nobody will read
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ThumbnailStudio::Submit(const Creative& c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw std::logic_error("ThumbnailStudio::Submit after Finish");
    if (!media_.try_emplace(CreativeMediaKey(c)).second) return;  // same attributes: made once
    queue_.push_back(c);
  }
  cv_.notify_all();
}

std::pair<size_t, size_t> ThumbnailStudio::Progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {made_, media_.size()};
}

void ThumbnailStudio::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

CreativeMedia ThumbnailStudio::Media(const Creative& c) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = media_.find(CreativeMediaKey(c));
  return it == media_.end() ? CreativeMedia{} : it->second;
}

void ThumbnailStudio::Work() {
  for (;;) {
    Creative c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closed and drained
      c = queue_.front();
      queue_.pop_front();
    }
    CreativeMedia m = Make(c);
    std::lock_guard<std::mutex> lock(mu_);
    media_[CreativeMediaKey(c)] = std::move(m);
    ++made_;
  }
}

CreativeMedia ThumbnailStudio::Make(const Creative& c) const {
  CreativeMedia m;
  try {
    const ProductFacts facts = FactsFromCatalogue(catalogue_, c.product);
    const SceneTemplate* found =
        !c.template_name.empty() ? &templates_.Find(c.template_name) : templates_.ForScene(c.scene);
    const SceneTemplate& t = found != nullptr ? *found : templates_.Find("studio");
    const std::string key = CreativeMediaKey(c);
    ScriptRequest req;
    req.product = facts;
    req.hook = c.hook;
    req.scene = c.scene;
    req.lang = c.lang.empty() ? "zh" : c.lang;
    req.selling_point_order = c.selling_point_order;
    const uint64_t hash = HashName(key);
    req.variant = static_cast<uint32_t>(hash % 1000);
    const Script script = writer_.Write(req);
    m.template_name = t.name;
    m.hook_text = script.lines.empty() ? "" : script.lines.front().text;
    const std::string stem = fmt::format("p{}-{:016x}", c.product, hash);
    const fs::path dir = options_.out_dir / "creatives";
    nlohmann::json sj = script.ToJson();
    sj["template"] = t.name;
    WriteFileAtomic(dir / (stem + ".script.json"), sj.dump(2) + "\n");
    m.script = "creatives/" + stem + ".script.json";
    RenderOptions r;
    r.duration_s = c.duration_s > 0 ? c.duration_s : 15;
    if (options_.videos) {
      r.width = options_.video_width;
      r.height = options_.video_height;
      r.voice = c.voice;
      r.threads = 1;        // the simulation has the other core
      r.thumbnail = false;  // the report's preview below is small
      RenderVideo(facts, script, t, r, dir / (stem + ".mp4"));
      m.video = "creatives/" + stem + ".mp4";
    }
    r.width = options_.thumb_width;
    r.height = options_.thumb_height;
    r.voice.clear();
    RenderThumbnail(facts, script, t, r, dir / (stem + ".png"));
    m.thumbnail = "creatives/" + stem + ".png";
  } catch (const std::exception& e) {
    m.error = fmt::format("creative {} of product {}: {}", c.id, c.product, e.what());
  }
  return m;
}

}  // namespace cf
