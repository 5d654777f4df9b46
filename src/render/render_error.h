// The renderer's error type and FFmpeg error helpers. Promises: every RenderError message names
// what failed (file, font, encoder) and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace cf {

struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// FFmpeg's text for an AVERROR code.
std::string AvErrorText(int code);
// Throws RenderError("<what>: <FFmpeg's text>") when code < 0; returns code otherwise.
int AvCheck(int code, const std::string& what);
// Limits FFmpeg's own console logging to fatal messages (our errors carry the details).
void QuietFfmpegLogs();

}  // namespace cf
