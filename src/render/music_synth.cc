#include "render/music_synth.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace cf {
namespace {

struct StyleParams {
  int wave;          // pad: 0 sine, 1 triangle, 2 soft saw, 3 square-ish
  bool arpeggio;     // eighth-note arpeggio
  int drums;         // 0 none, 1 soft kick, 2 kick+snare, 3 four on the floor + hats
  double pad_level;  // pad gain
  bool pluck;        // pad re-struck every beat with a decay
};

StyleParams Params(const std::string& style) {
  if (style == "acoustic") return {1, true, 1, 0.22, true};
  if (style == "electronic") return {2, true, 3, 0.16, false};
  if (style == "tropical") return {0, true, 3, 0.2, true};
  if (style == "lofi") return {1, false, 2, 0.22, false};
  if (style == "pop") return {2, true, 2, 0.17, true};
  if (style == "lullaby") return {0, true, 0, 0.2, true};
  if (style == "rock") return {3, false, 2, 0.14, false};
  return {0, false, 0, 0.25, false};  // ambient
}

double Wave(int kind, double phase) {  // phase in cycles
  const double p = phase - std::floor(phase);
  switch (kind) {
    case 1:
      return 4 * std::fabs(p - 0.5) - 1;
    case 2:
      return (std::sin(2 * M_PI * p) + 0.5 * std::sin(4 * M_PI * p) +
              0.25 * std::sin(6 * M_PI * p)) /
             1.4;
    case 3:
      return std::tanh(3 * std::sin(2 * M_PI * p));
    default:
      return std::sin(2 * M_PI * p);
  }
}

double Midi(double note) { return 440.0 * std::pow(2.0, (note - 69) / 12.0); }

}  // namespace

std::vector<float> SynthesizeMusic(const SceneTemplate::Music& music, double seconds,
                                   int sample_rate) {
  const StyleParams st = Params(music.style);
  const size_t n = static_cast<size_t>(std::max(0.0, seconds) * sample_rate);
  std::vector<float> out(2 * n);
  // Scale degrees (semitones) and a four-chord loop: I-V-vi-IV (major) or i-VI-III-VII (minor).
  static constexpr std::array<int, 7> kMajor = {0, 2, 4, 5, 7, 9, 11};
  static constexpr std::array<int, 7> kMinor = {0, 2, 3, 5, 7, 8, 10};
  const auto& scale = music.minor ? kMinor : kMajor;
  const std::array<int, 4> roots =
      music.minor ? std::array<int, 4>{0, 5, 2, 6} : std::array<int, 4>{0, 4, 5, 3};
  const double beat_s = 60.0 / music.tempo_bpm;
  const int base = 48 + music.key;  // C3 + key
  uint32_t noise = 0x12345678u;
  double hp_state = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    const double beats = t / beat_s;
    const int beat = static_cast<int>(beats);
    const double in_beat = beats - beat;  // 0..1
    const int chord = roots[(beat / 4) % 4];
    auto degree = [&](int d) { return scale[(chord + d) % 7] + 12 * ((chord + d) / 7); };
    double v = 0;
    // Pad: triad.
    const double pad_env = st.pluck ? std::exp(-3.0 * in_beat) * 0.7 + 0.3 : 1.0;
    for (int k = 0; k < 3; ++k) {
      v += st.pad_level * pad_env * Wave(st.wave, Midi(base + 12 + degree(2 * k)) * t) / 3;
    }
    // Bass: root on every beat, decaying.
    v += 0.25 * std::exp(-2.5 * in_beat) * std::sin(2 * M_PI * Midi(base - 12 + degree(0)) * t);
    // Arpeggio: eighth notes over the triad an octave up.
    if (st.arpeggio) {
      const double eighths = beats * 2;
      const int e = static_cast<int>(eighths);
      const double in_e = eighths - e;
      const int steps[4] = {0, 2, 4, 2};
      v += 0.1 * std::exp(-5 * in_e) * Wave(1, Midi(base + 24 + degree(steps[e % 4])) * t);
    }
    // Drums.
    noise = noise * 1664525u + 1013904223u;
    const double white = static_cast<double>(noise >> 8) / (1u << 24) * 2 - 1;
    if (st.drums >= 1 && (st.drums == 3 || beat % 2 == 0)) {
      const double kt = in_beat * beat_s;
      v += 0.45 * std::exp(-kt * 18) *
           std::sin(2 * M_PI * (50 * kt + 60 * (1 - std::exp(-kt * 30)) / 30));
    }
    if (st.drums >= 2 && beat % 2 == 1) {
      const double sn = in_beat * beat_s;
      v += 0.18 * std::exp(-sn * 25) * white;
    }
    if (st.drums == 3) {
      const double he = std::fmod(beats * 2, 1.0) * beat_s / 2;
      hp_state = white - hp_state * 0.5;
      v += 0.05 * std::exp(-he * 60) * hp_state;
    }
    // Fades: 0.5 s in, 1 s out.
    const double fade = std::min({1.0, t / 0.5, (seconds - t) / 1.0});
    v = std::tanh(v * 1.2) * std::max(0.0, fade) * 0.8;
    // A little stereo width: the arpeggio and hats lean right through a tiny delay-free pan.
    out[2 * i] = static_cast<float>(v);
    out[2 * i + 1] = static_cast<float>(v * (0.9 + 0.1 * std::sin(2 * M_PI * 0.25 * t)));
  }
  return out;
}

}  // namespace cf
