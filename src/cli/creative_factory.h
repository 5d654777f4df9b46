// The creative factory's production run, shared by `chengfang creative make` and the
// generate_creatives tool of `chengfang serve`/`mcp`: for one product, plan variants, write their
// scripts, render videos and thumbnails into a folder, and write manifest.json. Promises: a
// variant's files appear whole or not at all (written under a temporary name, then renamed);
// manifest.json lists exactly the variants made; a cancelled run stops between variants and its
// manifest lists the ones finished. Not thread-safe (one run at a time per folder).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/catalogue.h"
#include "creative/llm_script_writer.h"
#include "creative/product_facts.h"
#include "creative/variant_planner.h"
#include "render/video_renderer.h"

namespace cf {

struct FactoryRun {
  ProductFacts product;
  std::string lang = "zh";
  VariantAxes axes;
  int n = 6;
  RenderOptions render;  // frame size, fps, quality; duration and voice come from each variant
  bool no_render = false;
  std::string out_dir;
  // Variants rendered at the same time: 0 = one per hardware thread. With more than one, each
  // render's encoder gets one thread (unless render.threads says otherwise): on 2 cores two
  // single-threaded renders finish a batch sooner than one two-threaded render after another.
  int jobs = 0;
  LlmConfig llm;  // empty url: the grammar writer only
};

struct FactoryHooks {
  // Fraction of the whole run done (0..1, increasing), and how many of the n variants are finished.
  std::function<void(double fraction, size_t finished, size_t n)> progress;
  // After each variant, a line saying what was made.
  std::function<void(const std::string& line)> done;
  std::function<bool()> cancelled;  // checked before each variant starts
};

// The number of variants rendered at the same time for `run` (before capping at the plan's size).
size_t FactoryJobs(const FactoryRun& run);

// Runs the factory; returns the manifest (an array, one object per variant made). Throws
// std::invalid_argument for bad options and RenderError when rendering fails.
nlohmann::json RunFactory(const FactoryRun& run, const FactoryHooks& hooks = {});

// A product's facts from a catalogue (title from its type, category, price, a department fact).
ProductFacts FactsFromCatalogue(const Catalogue& c, ProductId id);

}  // namespace cf
