// Procedural background music: a four-chord loop in the template's key, scale and tempo, with a
// style-specific instrument, bass, arpeggio and drum pattern (styles: MusicStyles()).
// Promises: deterministic (same template and length give the same samples), stereo interleaved
// float in [-1, 1], with a fade-in and a fade-out.
#pragma once

#include <vector>

#include "creative/scene_template.h"

namespace cf {

std::vector<float> SynthesizeMusic(const SceneTemplate::Music& music, double seconds,
                                   int sample_rate);

}  // namespace cf
