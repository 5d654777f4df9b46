// `chengfang bench creative [--json] [--quick]`: the creative factory's render speed against the
// `ffmpeg` program doing an equivalent job in the same run (docs/benchmarks.md). Ours: scripts and
// videos for N variants of one product (two product images, Ken-Burns motion, transitions, text
// cards, synthesised music, no voice-over) at 1280x720 15 s and 1080x1920 30 s, through the same
// factory as `chengfang creative make`. Baseline: for each variant, one `ffmpeg` run on the same
// images with zoompan motion, a crossfade, drawtext cards with the variant's script lines, two
// sine tones mixed as music, and the same encoder settings (libx264 veryfast, CRF 23, 30 fps, AAC).
// Prints a table (or JSON with --json) on stdout and progress on stderr; exits 2 on bad input and
// 1 when rendering fails. Without an ffmpeg program the baseline is skipped and said so.
#pragma once

namespace CLI {
class App;
}

namespace cf {

void AddBenchCreativeCommand(CLI::App* bench);

}  // namespace cf
