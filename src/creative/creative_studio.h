// Interface: a creative studio makes the media of the creatives the loop puts in the market (the
// script, a thumbnail and, if asked, the video), in the background, off the loop's thread. The
// loop describes a creative only by its observable attributes; the studio turns them into files.
// Creatives with the same attributes (CreativeMediaKey) share their media: they are made once.
// Implementation: cli/thumbnail_studio.h (it links the renderer; the loop never does).
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "common/creative.h"

namespace cf {

struct CreativeMedia {
  std::string script;     // files, relative to the studio's folder; empty when not made
  std::string thumbnail;  // PNG of the hook frame
  std::string video;      // MP4, when the studio renders videos
  std::string template_name;
  std::string hook_text;  // the script's hook line
  std::string error;      // why it could not be made (the run goes on without it)
};

class CreativeStudio {
 public:
  virtual ~CreativeStudio() = default;
  // Queues a creative; returns at once. Thread-safe (the manual and autopilot runs submit
  // concurrently).
  virtual void Submit(const Creative& c) = 0;
  // (made, distinct creatives submitted) so far. Thread-safe.
  virtual std::pair<size_t, size_t> Progress() const = 0;
  // Waits until everything submitted is made. Further Submit calls are refused after it.
  virtual void Finish() = 0;
  // The media for a creative with c's attributes; an empty CreativeMedia if none was submitted.
  virtual CreativeMedia Media(const Creative& c) const = 0;
};

// The attributes that decide a creative's media: product, hook, scene, template, selling-point
// order, duration, music, voice, language (not its id or day).
std::string CreativeMediaKey(const Creative& c);

}  // namespace cf
