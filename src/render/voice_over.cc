#include "render/voice_over.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <mutex>

#include "render/audio_decoder.h"
#include "render/render_error.h"

namespace cf {
namespace {

std::mutex g_espeak_mutex;
int g_espeak_rate = 0;  // espeak's output sample rate once initialised

int Collect(short* wav, int n, espeak_EVENT* events) {
  if (wav != nullptr && n > 0 && events != nullptr && events->user_data != nullptr) {
    auto* out = static_cast<std::vector<float>*>(events->user_data);
    for (int i = 0; i < n; ++i) out->push_back(wav[i] / 32768.0f);
  }
  return 0;
}

std::string EspeakVoice(const std::string& voice) {
  if (voice == "zh-female") return "cmn+f3";
  if (voice == "zh-male") return "cmn";
  if (voice == "en-female") return "en-us+f3";
  if (voice == "en-male") return "en-us";
  throw RenderError("unknown voice \"" + voice +
                    "\"; use zh-female, zh-male, en-female or en-male (or none)");
}

}  // namespace

const std::vector<std::string>& VoiceNames() {
  static const std::vector<std::string> kNames = {"zh-female", "zh-male", "en-female", "en-male"};
  return kNames;
}

std::vector<float> Speak(const std::string& text, const std::string& voice, int words_per_minute,
                         int sample_rate) {
  const std::string name = EspeakVoice(voice);
  std::vector<float> pcm;
  {
    std::lock_guard<std::mutex> lock(g_espeak_mutex);
    if (g_espeak_rate <= 0) {
      g_espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
      if (g_espeak_rate <= 0) {
        throw RenderError("espeak-ng could not start; install espeak-ng-data");
      }
      espeak_SetSynthCallback(Collect);
    }
    if (espeak_SetVoiceByName(name.c_str()) != EE_OK) {
      throw RenderError("espeak-ng voice \"" + name + "\" (for " + voice +
                        ") is not available; install espeak-ng-data");
    }
    espeak_SetParameter(espeakRATE, std::clamp(words_per_minute, 80, 450), 0);
    const espeak_ERROR rc = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                         espeakCHARS_UTF8, nullptr, &pcm);
    if (rc != EE_OK) throw RenderError("espeak-ng failed to speak \"" + text + "\"");
  }
  return ResampleMono(pcm, g_espeak_rate, sample_rate);
}

}  // namespace cf
