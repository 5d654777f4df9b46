#include "cli/bench_creative_command.h"

#include <cairo.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/creative_factory.h"
#include "creative/scene_template.h"
#include "market/completejourney.h"
#include "render/render_error.h"

extern char** environ;

namespace cf {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct CreativeBenchArgs {
  bool quick = false, json = false, no_baseline = false;
  int variants = 0, tall = 0, jobs = 0;
  std::string ffmpeg = "ffmpeg";
  std::string baseline_script;  // "": DefaultDataDir()/../bench/ffmpeg-baseline.sh
  std::string out;
};

// One timed configuration: frame size, duration, variants, language.
struct Config {
  std::string name;
  int width, height, duration_s, variants;
  std::string lang;
};

// Four product photo stand-ins (1080x1350, the fixed baseline's size): gradients with shapes,
// drawn with Cairo.
std::vector<std::string> MakeImages(const fs::path& dir) {
  std::vector<std::string> paths;
  for (int k = 0; k < 4; ++k) {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1080, 1350);
    cairo_t* cr = cairo_create(s);
    cairo_pattern_t* g = cairo_pattern_create_linear(0, 0, 1080, 1350);
    cairo_pattern_add_color_stop_rgb(g, 0, 0.95, 0.75 - 0.15 * k, 0.3 + 0.2 * k);
    cairo_pattern_add_color_stop_rgb(g, 1, 0.2, 0.3 + 0.15 * k, 0.6);
    cairo_set_source(cr, g);
    cairo_paint(cr);
    cairo_pattern_destroy(g);
    for (int i = 0; i < 12; ++i) {
      cairo_set_source_rgba(cr, 1, 1, 1, 0.15 + 0.05 * (i % 4));
      cairo_arc(cr, 120 + 70.0 * i, 300 + 40.0 * ((i * 7 + k) % 9), 40 + 9.0 * (i % 5), 0,
                2 * M_PI);
      cairo_fill(cr);
    }
    const fs::path p = dir / fmt::format("product-{}.png", k + 1);
    const cairo_status_t st = cairo_surface_write_to_png(s, p.c_str());
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
      throw std::runtime_error(
          fmt::format("cannot write {}: {}", p.string(), cairo_status_to_string(st)));
    }
    paths.push_back(p.string());
  }
  return paths;
}

// Runs a program with argv, its stdout to `out` (or discarded) and stderr discarded; returns the
// exit status (127: not found).
int RunProgram(const std::vector<std::string>& argv, const std::string& out = "/dev/null") {
  std::vector<char*> a;
  for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, a[0], &fa, nullptr, a.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return 127;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return 127;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// The ffmpeg command equivalent to one variant of ours: the same images with zoom motion and a
// crossfade, the script's lines as text cards (hook as a title, then subtitles, the promotion
// and call to action as a card), music, the same encoder settings.
std::vector<std::string> FfmpegCommand(const std::string& ffmpeg, const Config& c,
                                       const std::vector<std::string>& images, const Json& script,
                                       const fs::path& dir, const fs::path& out) {
  const int w = c.width, h = c.height, d = c.duration_s, fps = 30;
  const int frames = d * fps / 2 + fps / 4 + 1;  // each image, overlapping by the crossfade
  const double fade = 0.5;
  std::string graph;
  for (size_t k = 0; k < images.size(); ++k) {
    graph += fmt::format(
        "[{0}:v]scale={1}:{2}:force_original_aspect_ratio=increase,crop={1}:{2},"
        "zoompan=z='min(zoom+0.0008,1.2)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d={3}:"
        "s={4}x{5}:fps={6},setsar=1[v{0}];",
        k, 2 * w, 2 * h, frames, w, h, fps);
  }
  graph +=
      fmt::format("[v0][v1]xfade=transition=fade:duration={}:offset={}", fade, d / 2.0 - fade / 2);
  const Json& lines = script.at("lines");
  const double hook_end = std::min(3.0, d / 5.0);
  const double each = (d - hook_end) / std::max<size_t>(1, lines.size() - 1);
  const double m = std::min(w, h);
  for (size_t i = 0; i < lines.size(); ++i) {
    const fs::path text = dir / fmt::format("line-{}.txt", i);
    std::ofstream(text) << lines[i].value("text", "");
    const std::string part = lines[i].value("part", "");
    const double t0 = i == 0 ? 0 : hook_end + (i - 1) * each, t1 = i == 0 ? hook_end : t0 + each;
    std::string style;
    if (part == "hook") {
      style = fmt::format("fontsize={:.0f}:fontcolor=white:borderw=3:y=h*0.14", m * 0.07);
    } else if (part == "promotion" || part == "call_to_action") {
      style = fmt::format(
          "fontsize={:.0f}:fontcolor=white:box=1:boxcolor=0xd83a3a@0.9:"
          "boxborderw=20:y=h*0.45",
          m * 0.08);
    } else {
      style = fmt::format(
          "fontsize={:.0f}:fontcolor=white:box=1:boxcolor=black@0.5:"
          "boxborderw=10:borderw=1:y=h*0.8",
          m * 0.05);
    }
    graph += fmt::format(
        ",drawtext=font='Noto Sans CJK SC':textfile='{}':{}:x=(w-text_w)/2:"
        "enable='between(t,{:.3f},{:.3f})'",
        text.string(), style, t0, t1);
  }
  graph += ",format=yuv420p[v];[2:a][3:a]amix=inputs=2[a]";
  return {ffmpeg,
          "-y",
          "-loglevel",
          "error",
          "-i",
          images[0],
          "-i",
          images[1],
          "-f",
          "lavfi",
          "-t",
          std::to_string(d),
          "-i",
          "sine=frequency=220:sample_rate=44100",
          "-f",
          "lavfi",
          "-t",
          std::to_string(d),
          "-i",
          "sine=frequency=330:sample_rate=44100",
          "-filter_complex",
          graph,
          "-map",
          "[v]",
          "-map",
          "[a]",
          "-c:v",
          "libx264",
          "-preset",
          "veryfast",
          "-crf",
          "23",
          "-r",
          std::to_string(fps),
          "-c:a",
          "aac",
          "-b:a",
          "128k",
          "-t",
          std::to_string(d),
          out.string()};
}

// The fixed baseline (../shared/bench/ffmpeg-baseline.sh) on our four images: its own reported
// render time (asset synthesis excluded), or a negative number when it did not run.
double RunFixedBaseline(const fs::path& script, const Config& c,
                        const std::vector<std::string>& images, const fs::path& out) {
  const fs::path log = out.string() + ".txt";
  std::vector<std::string> argv = {"bash",
                                   script.string(),
                                   std::to_string(c.width),
                                   std::to_string(c.height),
                                   std::to_string(c.duration_s),
                                   out.string()};
  argv.insert(argv.end(), images.begin(), images.end());
  if (RunProgram(argv, log.string()) != 0) return -1;
  std::ifstream in(log);
  double seconds = -1;
  std::string unit;
  if (!(in >> seconds >> unit) || unit != "s") return -1;
  return seconds;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

Json Run(const CreativeBenchArgs& a) {
  const fs::path root =
      a.out.empty() ? fs::temp_directory_path() / fmt::format("cf-bench-creative-{}", ::getpid())
                    : fs::path(a.out);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec)
    throw std::invalid_argument(fmt::format("cannot create {}: {}", root.string(), ec.message()));
  struct Cleanup {
    fs::path dir;
    bool keep;
    ~Cleanup() {
      std::error_code e;
      if (!keep) fs::remove_all(dir, e);
    }
  } cleanup{root, !a.out.empty()};

  const std::vector<std::string> images = MakeImages(root);
  ProductFacts product;
  product.title = "Trail Mix 500g";
  product.category = "snacks";
  product.brand = "Hillside";
  product.price = 5.99;
  product.coupon = 1.0;
  product.facts = {"roasted nuts and dried fruit", "resealable bag", "no added sugar"};
  product.images = images;

  const int n720 = a.variants ? a.variants : (a.quick ? 1 : 6);
  const int ntall = a.tall ? a.tall : (a.quick ? 1 : 2);
  // Chinese scripts, like the fixed baseline's text.
  std::vector<Config> configs = {{"720p", 1280, 720, 15, n720, "zh"},
                                 {"1080x1920", 1080, 1920, a.quick ? 15 : 30, ntall, "zh"}};
  const fs::path fixed = a.baseline_script.empty()
                             ? DefaultDataDir().parent_path() / "bench" / "ffmpeg-baseline.sh"
                             : fs::path(a.baseline_script);
  if (!a.baseline_script.empty() && !fs::is_regular_file(fixed)) {
    throw std::invalid_argument("--baseline-script " + fixed.string() + " does not exist");
  }
  bool use_fixed = fs::is_regular_file(fixed);
  std::string baseline_used;
  const TemplateLibrary lib = TemplateLibrary::LoadDefault();
  bool baseline = !a.no_baseline;
  std::string baseline_note;
  if (baseline && RunProgram({a.ffmpeg, "-version"}) != 0) {
    baseline = false;
    baseline_note = fmt::format(
        "no baseline: '{}' did not run (install Debian's ffmpeg, or pass --ffmpeg PATH)", a.ffmpeg);
    fmt::print(stderr, "{}\n", baseline_note);
  }
  Json results = Json::array();
  for (const Config& c : configs) {
    FactoryRun run;
    run.product = product;
    run.lang = c.lang;
    for (const auto& t : lib.all()) run.axes.templates.push_back(t.name);
    run.axes.durations = {static_cast<uint16_t>(c.duration_s)};
    run.axes.voices = {""};
    run.n = c.variants;
    run.render.width = c.width;
    run.render.height = c.height;
    run.render.thumbnail = false;
    run.out_dir = (root / ("ours-" + c.name)).string();
    run.jobs = a.jobs;
    FactoryHooks hooks;
    hooks.progress = [&](double f, size_t finished, size_t n) {
      fmt::print(stderr, "\rours {} {}x{} {} s: {}/{} variants done {:3.0f}%   ", c.name, c.width,
                 c.height, c.duration_s, finished, n, 100 * f);
    };
    const auto t0 = Clock::now();
    const Json manifest = RunFactory(run, hooks);
    const double ours = Seconds(t0, Clock::now());
    fmt::print(stderr, "\rours {}: {} variants in {:.1f} s{:20}\n", c.name, manifest.size(), ours,
               "");
    Json r = {{"config", c.name},
              {"width", c.width},
              {"height", c.height},
              {"duration_s", c.duration_s},
              {"variants", manifest.size()},
              {"ours_seconds", std::round(ours * 100) / 100},
              {"ours_seconds_per_variant", std::round(ours / manifest.size() * 100) / 100},
              {"variants_per_minute", std::round(60.0 * manifest.size() / ours * 100) / 100}};
    if (baseline) {
      const fs::path dir = root / ("ffmpeg-" + c.name);
      fs::create_directories(dir);
      // One baseline render per variant of ours: the fixed script when it runs, else the
      // built-in equivalent command with the variant's own script lines.
      auto run_baseline = [&](bool with_fixed) -> double {
        double total = 0;
        for (size_t i = 0; i < manifest.size(); ++i) {
          const fs::path out = dir / fmt::format("variant-{:02d}.mp4", i + 1);
          fmt::print(stderr, "\rffmpeg {}: variant {}/{}   ", c.name, i + 1, manifest.size());
          if (with_fixed) {
            const double t = RunFixedBaseline(fixed, c, images, out);
            if (t < 0) return -1;
            total += t;
            continue;
          }
          const fs::path sp = fs::path(run.out_dir) / manifest[i].at("script").get<std::string>();
          const Json script = Json::parse(std::ifstream(sp));
          const auto cmd = FfmpegCommand(a.ffmpeg, c, {images[0], images[1]}, script, dir, out);
          const auto f0 = Clock::now();
          const int rc = RunProgram(cmd);
          total += Seconds(f0, Clock::now());
          if (rc != 0 || !fs::exists(out) || fs::file_size(out) < 10'000) {
            throw std::runtime_error(fmt::format(
                "the ffmpeg baseline failed (exit {}) on variant {}; run with --out DIR to keep "
                "its files, or --no-baseline",
                rc, i + 1));
          }
        }
        return total;
      };
      double ff = use_fixed ? run_baseline(true) : -1;
      if (ff >= 0) {
        baseline_used = fixed.string();
      } else {
        if (use_fixed) {
          // e.g. no python3 for the script's arithmetic
          fmt::print(stderr, "\n{} did not run; using the built-in equivalent command\n",
                     fixed.string());
          use_fixed = false;
        }
        ff = run_baseline(false);
        baseline_used =
            "built-in equivalent ffmpeg command (2 of the images, a crossfade, the "
            "variant's script lines as drawtext cards, two sine tones)";
      }
      fmt::print(stderr, "\rffmpeg {}: {} variants in {:.1f} s{:20}\n", c.name, manifest.size(), ff,
                 "");
      r["ffmpeg_seconds"] = std::round(ff * 100) / 100;
      r["speedup_vs_ffmpeg"] = std::round(ff / ours * 100) / 100;
    }
    results.push_back(r);
  }
  Json j = {{"variants_per_minute_720p", results[0]["variants_per_minute"]},
            {"speedup_vs_ffmpeg_720p", baseline ? results[0]["speedup_vs_ffmpeg"] : Json()},
            {"speedup_vs_ffmpeg_1080x1920", baseline ? results[1]["speedup_vs_ffmpeg"] : Json()},
            {"runs", results},
            {"hardware_threads", std::thread::hardware_concurrency()},
            {"parallel_renders", FactoryJobs(FactoryRun{.jobs = a.jobs})},
            {"settings", "libx264 veryfast CRF 23, 30 fps, AAC 128k, no voice-over"}};
  j["baseline"] = baseline_note.empty() ? baseline_used : baseline_note;
  return j;
}

std::string Format(const Json& j) {
  std::string s =
      fmt::format("{:<10} {:>9} {:>9} {:>10} {:>12} {:>12} {:>9}\n", "config", "duration",
                  "variants", "ours s", "variants/min", "ffmpeg s", "speedup");
  for (const Json& r : j["runs"]) {
    s += fmt::format(
        "{:<10} {:>8}s {:>9} {:>10.1f} {:>12.2f} {:>12} {:>9}\n", r["config"].get<std::string>(),
        r["duration_s"].get<int>(), r["variants"].get<int>(), r["ours_seconds"].get<double>(),
        r["variants_per_minute"].get<double>(),
        r.contains("ffmpeg_seconds") ? fmt::format("{:.1f}", r["ffmpeg_seconds"].get<double>())
                                     : std::string("-"),
        r.contains("speedup_vs_ffmpeg")
            ? fmt::format("{:.2f}x", r["speedup_vs_ffmpeg"].get<double>())
            : std::string("-"));
  }
  if (j.contains("baseline")) s += j["baseline"].get<std::string>() + "\n";
  return s;
}

}  // namespace

void AddBenchCreativeCommand(CLI::App* bench) {
  auto args = std::make_shared<CreativeBenchArgs>();
  auto* cmd = bench->add_subcommand(
      "creative",
      "Creative factory render speed at 1280x720 15 s and 1080x1920 30 s against the ffmpeg "
      "program doing an equivalent job (docs/benchmarks.md)");
  cmd->add_flag("--quick", args->quick,
                "One variant per size, the tall one at 15 s (CI; about a minute)");
  cmd->add_flag("--json", args->json, "Print JSON only");
  cmd->add_option("--variants", args->variants, "720p variants (default 6; --quick 1)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--tall", args->tall, "1080x1920 variants (default 2; --quick 1)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--ffmpeg", args->ffmpeg, "The ffmpeg program of the built-in baseline");
  cmd->add_option("--baseline-script", args->baseline_script,
                  "The fixed baseline script (default ../shared/bench/ffmpeg-baseline.sh beside "
                  "the data; the built-in equivalent command when absent or failing)");
  cmd->add_flag("--no-baseline", args->no_baseline, "Time ours only");
  cmd->add_option("--jobs", args->jobs,
                  "Variants rendered at the same time (default 0: one per hardware thread)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--out", args->out, "Keep the videos in this folder (default: a temporary one)");
  cmd->callback([args] {
    try {
      const Json j = Run(*args);
      std::cout << (args->json ? j.dump() + "\n" : Format(j));
    } catch (const std::invalid_argument& e) {
      fmt::print(stderr, "\nerror: {}\n", e.what());
      throw CLI::RuntimeError(2);
    } catch (const std::exception& e) {
      fmt::print(stderr, "\nerror: {}\n", e.what());
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace cf
