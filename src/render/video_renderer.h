// The in-process video renderer: product images (or a generated product card) + a script + a
// scene template -> an H.264/AAC MP4 with Ken-Burns motion, transitions, CJK-correct subtitles,
// price and coupon cards, procedural (or user) music, espeak-ng voice-over mixed under it, and a
// PNG thumbnail. FFmpeg libraries, Cairo and Pango; never runs the ffmpeg program.
// Promises: all inputs (images, fonts, voice, music file, options) are checked before anything is
// written; the MP4 and the thumbnail are written to temporary names in the output folder and
// renamed only on success, so a failed render leaves no file behind; errors are RenderError
// naming what was wrong. Not thread-safe per call on shared options; separate calls may run on
// separate threads.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "creative/product_facts.h"
#include "creative/scene_template.h"
#include "creative/script.h"

namespace cf {

struct RenderOptions {
  int width = 1080, height = 1920;  // even, >= 64
  double duration_s = 15;
  int fps = 30;
  int crf = 23;
  std::string preset = "veryfast";  // x264 preset
  int threads = 0;                  // encoder threads, 0 = auto
  std::string voice;                // "" = no voice-over, else one of VoiceNames()
  std::string music_file;           // "" = synthesise from the template
  bool thumbnail = true;
  double thumbnail_at_s = -1;            // the thumbnail's moment; < 0: 60% into the hook
  std::function<void(double)> progress;  // fraction done, called a few times per second of video
};

struct RenderResult {
  std::filesystem::path video, thumbnail;
  double duration_s = 0;
  int width = 0, height = 0;
  double wall_seconds = 0;
};

// Where each script line is on screen: [start, end) seconds, given the template's pacing.
struct TimedLine {
  ScriptLine line;
  double start = 0, end = 0;
};
std::vector<TimedLine> TimeScript(const Script& script, const SceneTemplate& t, double duration_s);

RenderResult RenderVideo(const ProductFacts& product, const Script& script,
                         const SceneTemplate& tmpl, const RenderOptions& options,
                         const std::filesystem::path& out_mp4);

// Only the thumbnail (the hook frame, or the frame at thumbnail_at_s, as RenderVideo draws it) at
// the options' frame size, without encoding a video or mixing audio: a creative's preview. Same
// checks and the same promise (the PNG appears whole or not at all); `video` and `duration_s` of
// the result stay empty.
RenderResult RenderThumbnail(const ProductFacts& product, const Script& script,
                             const SceneTemplate& tmpl, const RenderOptions& options,
                             const std::filesystem::path& out_png);

}  // namespace cf
