// Reads back a rendered file's container facts with libavformat (for tests and the manifest).
// Promises: throws RenderError naming the file when it cannot be opened or parsed.
#pragma once

#include <filesystem>
#include <string>

namespace cf {

struct MediaInfo {
  double duration_s = 0;
  int width = 0, height = 0;
  std::string video_codec, audio_codec;  // "" when the stream is absent
  int audio_sample_rate = 0, audio_channels = 0;
  double fps = 0;
  long video_frames = 0;  // counted by reading every packet
};

MediaInfo ProbeMedia(const std::filesystem::path& file);

}  // namespace cf
