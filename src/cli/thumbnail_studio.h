// The creative studio of `chengfang run` (creative/creative_studio.h): one background thread that,
// for each creative of our products the loop puts in the market, writes its script (the grammar
// writer, from the product's catalogue facts and the creative's hook, scene template and
// selling-point order) and renders its thumbnail (the hook frame, RenderThumbnail) and, if asked,
// its video, into <out>/creatives/. Creatives with the same attributes share their files.
// Promises: files appear whole or not at all; a creative that cannot be made (e.g. a missing
// font) gets CreativeMedia::error and the run goes on; deterministic file names and contents
// given the attributes. Thread-safe as the interface says.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "common/catalogue.h"
#include "creative/creative_studio.h"
#include "creative/grammar_script_writer.h"
#include "creative/scene_template.h"

namespace cf {

struct StudioOptions {
  std::filesystem::path out_dir;  // media go to out_dir/creatives
  int thumb_width = 108,
      thumb_height = 192;  // shown at 72x128 in the report (1.5x for sharp screens)
  bool videos = false;     // also render each creative's video
  int video_width = 720, video_height = 1280;  // 9:16
};

class ThumbnailStudio : public CreativeStudio {
 public:
  // Loads the default templates and script grammar and creates out_dir/creatives; throws
  // std::runtime_error (naming the folder) when it cannot be created, or the loaders' errors.
  // `catalogue` must outlive the studio.
  ThumbnailStudio(const Catalogue& catalogue, StudioOptions options);
  ~ThumbnailStudio() override;

  void Submit(const Creative& c) override;
  std::pair<size_t, size_t> Progress() const override;
  void Finish() override;
  CreativeMedia Media(const Creative& c) const override;

 private:
  void Work();
  CreativeMedia Make(const Creative& c) const;

  const Catalogue& catalogue_;
  StudioOptions options_;
  TemplateLibrary templates_;
  GrammarScriptWriter writer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Creative> queue_;
  std::map<std::string, CreativeMedia> media_;  // by CreativeMediaKey; empty until made
  size_t made_ = 0;
  bool closed_ = false;
  std::thread worker_;
};

}  // namespace cf
