// YUV 4:2:0 pictures for the renderer's fast path: frames are composed directly in the encoder's
// pixel format instead of painting RGB with Cairo and converting every frame. Promises: colours
// are BT.601 limited range ("MPEG", what libswscale writes for yuv420p by default and what the
// H.264 stream signals), within 1-2 levels of libswscale's conversion; the bilinear Ken-Burns
// scale samples at pixel centres exactly as Cairo/pixman do, so a frame composed here matches the
// Cairo-composed one to within rounding; overlays blend as Cairo's OVER operator does
// (premultiplied alpha). Odd sizes are allowed (the chroma planes round up). No allocation per
// frame once the pictures exist; nothing here is shared between threads.
#pragma once

#include <cstdint>
#include <vector>

namespace cf {

// Three planes of an 8-bit 4:2:0 picture owned elsewhere (e.g. an AVFrame). Chroma planes are
// (width + 1) / 2 x (height + 1) / 2.
struct Yuv420View {
  uint8_t* data[3] = {nullptr, nullptr, nullptr};
  int linesize[3] = {0, 0, 0};
  int width = 0, height = 0;
};

// An 8-bit 4:2:0 picture that owns its planes.
class Yuv420Image {
 public:
  Yuv420Image() = default;
  Yuv420Image(int width, int height);
  int width() const { return width_; }
  int height() const { return height_; }
  Yuv420View view();
  Yuv420View view() const { return const_cast<Yuv420Image*>(this)->view(); }

 private:
  int width_ = 0, height_ = 0;
  std::vector<uint8_t> planes_[3];
};

// Cairo's RGB24 / ARGB32 memory layout (native-endian 32-bit, blue in the lowest byte), colour
// only (alpha ignored): each chroma sample is the average of its 2x2 block.
void BgraToYuv420(const uint8_t* bgra, int stride, int width, int height, const Yuv420View& dst);

// A premultiplied-alpha overlay (text, cards) converted once, blended over frames many times.
// Only the box [x0, x1) x [y0, y1) (even-aligned) is stored and blended.
class YuvOverlay {
 public:
  // From a Cairo ARGB32 (premultiplied) surface of the frame's size; the box is where its
  // non-transparent pixels are (empty when the surface is fully transparent).
  YuvOverlay(const uint8_t* argb, int stride, int width, int height);
  bool empty() const { return x1_ <= x0_ || y1_ <= y0_; }
  int x0() const { return x0_; }
  int y0() const { return y0_; }
  int x1() const { return x1_; }
  int y1() const { return y1_; }
  // dst = overlay + dst * (1 - alpha), per plane; dst must have the overlay's frame size.
  void BlendOver(const Yuv420View& dst) const;

 private:
  int width_ = 0, height_ = 0;
  int x0_ = 0, y0_ = 0, x1_ = 0, y1_ = 0;
  // Per plane: premultiplied value and 255 - alpha, box-sized (chroma: half the box).
  std::vector<uint8_t> value_[3], keep_[3];
};

// A box of luma pixels, [x0, x1) x [y0, y1).
struct PixelBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Ken-Burns: dst(x, y) = src sampled bilinearly at ((x + 0.5) / scale + ox - 0.5, same for y),
// luma coordinates; samples beyond the source's edge repeat the edge. scale > 0. Only pixels in
// `box` (default: all; clipped to the frame; chroma: the samples the box touches) are drawn, and
// mixed with what is there at `alpha` (1 = replace, 0 = nothing drawn). Bilinear weights have 7
// bits, as pixman's.
void ScaleBilinear(const Yuv420View& src, double scale, double ox, double oy, const Yuv420View& dst,
                   const PixelBox* box = nullptr, double alpha = 1);

struct YuvColour {
  uint8_t y = 16, u = 128, v = 128;
};
// An RGB colour (components 0..1) in the same BT.601 limited range.
YuvColour ToYuv(double r, double g, double b);
void Fill(const Yuv420View& dst, const YuvColour& c);

// Peak signal-to-noise ratio of one plane (0 = Y, 1 = U, 2 = V) of two pictures of the same
// size, in dB; 99 when they are identical. For tests and quality checks.
double PsnrDb(const Yuv420View& a, const Yuv420View& b, int plane);

}  // namespace cf
