// Audio helpers on libswresample/libavformat: resampling, and decoding a user-supplied music
// file. Promises: DecodeAudioFile returns stereo interleaved float at `sample_rate`, looped or cut
// to `seconds`; an unreadable or audio-less file throws RenderError naming it.
#pragma once

#include <filesystem>
#include <vector>

namespace cf {

std::vector<float> ResampleMono(const std::vector<float>& in, int in_rate, int out_rate);
std::vector<float> DecodeAudioFile(const std::filesystem::path& file, double seconds,
                                   int sample_rate);

}  // namespace cf
