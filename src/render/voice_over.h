// Voice-over with espeak-ng (Mandarin "cmn" and English voices). Promises: Speak returns mono
// float samples at `sample_rate`; an unknown voice name or a missing espeak-ng-data throws
// RenderError saying what to install. Thread-safe (espeak-ng's global state is behind a mutex).
#pragma once

#include <string>
#include <vector>

namespace cf {

// Voice names of Creative::voice: "zh-female", "zh-male", "en-female", "en-male".
const std::vector<std::string>& VoiceNames();

// Speaks `text` with `voice` at `words_per_minute` (80..450).
std::vector<float> Speak(const std::string& text, const std::string& voice, int words_per_minute,
                         int sample_rate);

}  // namespace cf
