#include "render/yuv420.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cf {
namespace {

// BT.601 limited range, 16-bit fixed point: Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255,
// U = 128 + (-37.797 R - 74.203 G + 112 B) / 255, V = 128 + (112 R - 93.786 G - 18.214 B) / 255.
constexpr int kYR = 16829, kYG = 33039, kYB = 6416;
constexpr int kUR = -9714, kUG = -19070, kUB = 28784;
constexpr int kVR = 28784, kVG = -24103, kVB = -4681;

inline uint8_t Clamp8(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// One pixel of Cairo's 32-bit layout: blue, green, red, alpha from the lowest byte up.
struct Px {
  int b, g, r, a;
};
inline Px Read(const uint8_t* row, int x) {
  const uint32_t p = reinterpret_cast<const uint32_t*>(row)[x];
  return {static_cast<int>(p & 0xff), static_cast<int>((p >> 8) & 0xff),
          static_cast<int>((p >> 16) & 0xff), static_cast<int>(p >> 24)};
}

// The sums of the (up to) 2x2 block at chroma sample (cx, cy), each pixel counted so that a
// block cut by an odd edge still sums four pixels (the edge pixels repeat).
Px BlockSum(const uint8_t* data, int stride, int width, int height, int cx, int cy) {
  const int x0 = 2 * cx, x1 = std::min(x0 + 1, width - 1);
  const int y0 = 2 * cy, y1 = std::min(y0 + 1, height - 1);
  const uint8_t* r0 = data + static_cast<size_t>(y0) * stride;
  const uint8_t* r1 = data + static_cast<size_t>(y1) * stride;
  Px s{0, 0, 0, 0};
  for (const Px& p : {Read(r0, x0), Read(r0, x1), Read(r1, x0), Read(r1, x1)}) {
    s.b += p.b, s.g += p.g, s.r += p.r, s.a += p.a;
  }
  return s;
}

inline int Luma16(int r, int g, int b) { return kYR * r + kYG * g + kYB * b; }
inline int CbSum(const Px& s) { return kUR * s.r + kUG * s.g + kUB * s.b; }
inline int CrSum(const Px& s) { return kVR * s.r + kVG * s.g + kVB * s.b; }

// x / 255 rounded, for 0 <= x <= 255 * 255.
inline int Div255(int x) {
  x += 128;
  return (x + (x >> 8)) >> 8;
}

// Bilinear weights have 7 bits (as pixman's): a vertical tap then fits in int16 (255 * 128) and
// the horizontal pair is one multiply-add of 16-bit lanes.
constexpr int kWeightBits = 7, kOne = 1 << kWeightBits;

// Where destination columns (or rows) i0..i1-1 sample the source: index and weight of the next
// sample, for dst i -> (i + 0.5) * inv + offset - 0.5, clamped to the source.
void SamplePositions(int i0, int i1, int src_n, double inv, double offset, std::vector<int>& idx,
                     std::vector<int16_t>& frac) {
  idx.resize(i1 - i0);
  frac.resize(i1 - i0);
  for (int i = i0; i < i1; ++i) {
    double s = (i + 0.5) * inv + offset - 0.5;
    s = std::clamp(s, 0.0, static_cast<double>(src_n - 1));
    int k = static_cast<int>(s);
    int f = static_cast<int>(std::lround((s - k) * kOne));
    if (f >= kOne) ++k, f = 0;
    if (k >= src_n - 1) k = src_n - 1, f = 0;
    idx[i - i0] = k;
    frac[i - i0] = static_cast<int16_t>(f);
  }
}

// t[i] = r0[i] * gy + r1[i] * fy (gy + fy = 128): vectorised by the compiler.
void VerticalPass(const uint8_t* __restrict r0, const uint8_t* __restrict r1, int gy, int fy, int n,
                  int16_t* __restrict t) {
  for (int i = 0; i < n; ++i) t[i] = static_cast<int16_t>(r0[i] * gy + r1[i] * fy);
}

// out[x] = the two taps of t at xi[x] and xi[x] + 1, weights 128 - xf[x] and xf[x]; `w` holds
// the same weights as int16 pairs (128 - f, f) for the SIMD path.
void HorizontalPass(const int16_t* __restrict t, const int* __restrict xi,
                    const int16_t* __restrict xf, const int16_t* __restrict w, int n,
                    uint8_t* __restrict out) {
  int x = 0;
#if defined(__SSE2__)
  auto pair = [t](int k) {
    int32_t v;
    std::memcpy(&v, t + k, sizeof v);
    return v;
  };
  const __m128i round = _mm_set1_epi32(1 << (2 * kWeightBits - 1));
  for (; x + 8 <= n; x += 8) {
    const __m128i a = _mm_set_epi32(pair(xi[x + 3]), pair(xi[x + 2]), pair(xi[x + 1]), pair(xi[x]));
    const __m128i b =
        _mm_set_epi32(pair(xi[x + 7]), pair(xi[x + 6]), pair(xi[x + 5]), pair(xi[x + 4]));
    const __m128i wa = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2 * x));
    const __m128i wb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2 * x + 8));
    const __m128i ra = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(a, wa), round), 2 * kWeightBits);
    const __m128i rb = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(b, wb), round), 2 * kWeightBits);
    const __m128i px = _mm_packus_epi16(_mm_packs_epi32(ra, rb), _mm_setzero_si128());
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + x), px);
  }
#else
  (void)w;
#endif
  for (; x < n; ++x) {
    const int k = xi[x], f = xf[x];
    out[x] = static_cast<uint8_t>(
        (t[k] * (kOne - f) + t[k + 1] * f + (1 << (2 * kWeightBits - 1))) >> (2 * kWeightBits));
  }
}

// dst = dst * (1 - alpha) + src * alpha, alpha in 1/256.
void MixRow(const uint8_t* __restrict src, int alpha, int n, uint8_t* __restrict dst) {
  for (int x = 0; x < n; ++x) {
    dst[x] = static_cast<uint8_t>((dst[x] * (256 - alpha) + src[x] * alpha + 128) >> 8);
  }
}

// One plane: destination box [x0, x1) x [y0, y1) from the source, mixed at alpha (256 = copy).
void ScalePlane(const uint8_t* src, int src_stride, int sw, int sh, uint8_t* dst, int dst_stride,
                int x0, int y0, int x1, int y1, double inv, double ox, double oy, int alpha) {
  if (x1 <= x0 || y1 <= y0) return;
  std::vector<int> xi, yi;
  std::vector<int16_t> xf, yf;
  SamplePositions(x0, x1, sw, inv, ox, xi, xf);
  SamplePositions(y0, y1, sh, inv, oy, yi, yf);
  const int n = x1 - x0;
  // The source columns the row uses: [lo, hi], hi = the last index + 1 so that k + 1 is always
  // readable (it repeats the last column at the source's edge).
  const int lo = xi.front(), hi = xi.back() + 1;
  std::vector<int16_t> w(2 * static_cast<size_t>(n));
  for (int x = 0; x < n; ++x) {
    xi[x] -= lo;
    w[2 * x] = static_cast<int16_t>(kOne - xf[x]);
    w[2 * x + 1] = xf[x];
  }
  std::vector<int16_t> tmp(static_cast<size_t>(hi - lo) + 1);
  std::vector<uint8_t> row(alpha < 256 ? n : 0);
  for (int y = y0; y < y1; ++y) {
    const int sy = yi[y - y0];
    const uint8_t* r0 = src + static_cast<size_t>(sy) * src_stride;
    const uint8_t* r1 = src + static_cast<size_t>(std::min(sy + 1, sh - 1)) * src_stride;
    const int fy = yf[y - y0];
    const int m = std::min(hi + 1, sw) - lo;
    VerticalPass(r0 + lo, r1 + lo, kOne - fy, fy, m, tmp.data());
    if (m < hi - lo + 1) tmp[m] = tmp[m - 1];  // the source's last column repeats
    uint8_t* out = dst + static_cast<size_t>(y) * dst_stride + x0;
    if (alpha >= 256) {
      HorizontalPass(tmp.data(), xi.data(), xf.data(), w.data(), n, out);
    } else {
      HorizontalPass(tmp.data(), xi.data(), xf.data(), w.data(), n, row.data());
      MixRow(row.data(), alpha, n, out);
    }
  }
}

}  // namespace

Yuv420Image::Yuv420Image(int width, int height) : width_(width), height_(height) {
  const size_t cw = (width + 1) / 2, ch = (height + 1) / 2;
  planes_[0].assign(static_cast<size_t>(width) * height, 16);
  planes_[1].assign(cw * ch, 128);
  planes_[2].assign(cw * ch, 128);
}

Yuv420View Yuv420Image::view() {
  Yuv420View v;
  for (int p = 0; p < 3; ++p) v.data[p] = planes_[p].data();
  v.linesize[0] = width_;
  v.linesize[1] = v.linesize[2] = (width_ + 1) / 2;
  v.width = width_;
  v.height = height_;
  return v;
}

void BgraToYuv420(const uint8_t* bgra, int stride, int width, int height, const Yuv420View& dst) {
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(bgra + static_cast<size_t>(y) * stride);
    uint8_t* out = dst.data[0] + static_cast<size_t>(y) * dst.linesize[0];
    for (int x = 0; x < width; ++x) {
      const uint32_t p = row[x];
      const int b = p & 0xff, g = (p >> 8) & 0xff, r = (p >> 16) & 0xff;
      out[x] = static_cast<uint8_t>((Luma16(r, g, b) + (16 << 16) + 32768) >> 16);
    }
  }
  const int cw = (width + 1) / 2, ch = (height + 1) / 2;
  for (int cy = 0; cy < ch; ++cy) {
    uint8_t* u = dst.data[1] + static_cast<size_t>(cy) * dst.linesize[1];
    uint8_t* v = dst.data[2] + static_cast<size_t>(cy) * dst.linesize[2];
    if (2 * cy + 1 < height) {
      // Full rows: the common case, written so that the compiler can vectorise it.
      const auto* r0 =
          reinterpret_cast<const uint32_t*>(bgra + static_cast<size_t>(2 * cy) * stride);
      const auto* r1 =
          reinterpret_cast<const uint32_t*>(bgra + static_cast<size_t>(2 * cy + 1) * stride);
      for (int cx = 0; cx < width / 2; ++cx) {
        const uint32_t a = r0[2 * cx], b = r0[2 * cx + 1], c = r1[2 * cx], d = r1[2 * cx + 1];
        const int sb = (a & 0xff) + (b & 0xff) + (c & 0xff) + (d & 0xff);
        const int sg =
            ((a >> 8) & 0xff) + ((b >> 8) & 0xff) + ((c >> 8) & 0xff) + ((d >> 8) & 0xff);
        const int sr =
            ((a >> 16) & 0xff) + ((b >> 16) & 0xff) + ((c >> 16) & 0xff) + ((d >> 16) & 0xff);
        u[cx] =
            static_cast<uint8_t>((kUR * sr + kUG * sg + kUB * sb + (128 << 18) + (1 << 17)) >> 18);
        v[cx] =
            static_cast<uint8_t>((kVR * sr + kVG * sg + kVB * sb + (128 << 18) + (1 << 17)) >> 18);
      }
      if (width % 2 == 0) continue;
    }
    for (int cx = (2 * cy + 1 < height ? width / 2 : 0); cx < cw; ++cx) {
      const Px s = BlockSum(bgra, stride, width, height, cx, cy);
      u[cx] = Clamp8((CbSum(s) + (128 << 18) + (1 << 17)) >> 18);
      v[cx] = Clamp8((CrSum(s) + (128 << 18) + (1 << 17)) >> 18);
    }
  }
}

YuvOverlay::YuvOverlay(const uint8_t* argb, int stride, int width, int height)
    : width_(width), height_(height) {
  x0_ = width, y0_ = height, x1_ = 0, y1_ = 0;
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(argb + static_cast<size_t>(y) * stride);
    for (int x = 0; x < width; ++x) {
      if (row[x] >> 24) {
        x0_ = std::min(x0_, x), x1_ = std::max(x1_, x + 1);
        y0_ = std::min(y0_, y), y1_ = std::max(y1_, y + 1);
      }
    }
  }
  if (empty()) return;
  // Even-aligned, so that the box holds whole chroma samples.
  x0_ &= ~1, y0_ &= ~1;
  x1_ = std::min(width, (x1_ + 1) & ~1), y1_ = std::min(height, (y1_ + 1) & ~1);
  const int bw = x1_ - x0_, bh = y1_ - y0_;
  value_[0].resize(static_cast<size_t>(bw) * bh);
  keep_[0].resize(value_[0].size());
  for (int y = 0; y < bh; ++y) {
    const uint8_t* row = argb + static_cast<size_t>(y0_ + y) * stride;
    for (int x = 0; x < bw; ++x) {
      const Px p = Read(row, x0_ + x);
      const size_t i = static_cast<size_t>(y) * bw + x;
      value_[0][i] = Clamp8((Luma16(p.r, p.g, p.b) + 16 * 257 * p.a + 32768) >> 16);
      keep_[0][i] = static_cast<uint8_t>(255 - p.a);
    }
  }
  const int cw = (bw + 1) / 2, ch = (bh + 1) / 2;
  for (int p = 1; p < 3; ++p) {
    value_[p].resize(static_cast<size_t>(cw) * ch);
    keep_[p].resize(value_[p].size());
  }
  for (int cy = 0; cy < ch; ++cy) {
    for (int cx = 0; cx < cw; ++cx) {
      const Px s = BlockSum(argb, stride, width, height, x0_ / 2 + cx, y0_ / 2 + cy);
      const size_t i = static_cast<size_t>(cy) * cw + cx;
      value_[1][i] = Clamp8((CbSum(s) + 128 * 257 * s.a + (1 << 17)) >> 18);
      value_[2][i] = Clamp8((CrSum(s) + 128 * 257 * s.a + (1 << 17)) >> 18);
      keep_[1][i] = keep_[2][i] = static_cast<uint8_t>(255 - (s.a + 2) / 4);
    }
  }
}

void YuvOverlay::BlendOver(const Yuv420View& dst) const {
  if (empty()) return;
  for (int p = 0; p < 3; ++p) {
    const int sub = p == 0 ? 1 : 2;
    const int bx = x0_ / sub, by = y0_ / sub;
    const int bw = p == 0 ? x1_ - x0_ : (x1_ - x0_ + 1) / 2;
    const int bh = p == 0 ? y1_ - y0_ : (y1_ - y0_ + 1) / 2;
    for (int y = 0; y < bh; ++y) {
      uint8_t* out = dst.data[p] + static_cast<size_t>(by + y) * dst.linesize[p] + bx;
      const uint8_t* val = value_[p].data() + static_cast<size_t>(y) * bw;
      const uint8_t* keep = keep_[p].data() + static_cast<size_t>(y) * bw;
      for (int x = 0; x < bw; ++x) {
        out[x] = static_cast<uint8_t>(std::min(255, val[x] + Div255(out[x] * keep[x])));
      }
    }
  }
}

void ScaleBilinear(const Yuv420View& src, double scale, double ox, double oy, const Yuv420View& dst,
                   const PixelBox* box, double alpha) {
  PixelBox b{0, 0, dst.width, dst.height};
  if (box != nullptr) {
    b = {std::max(box->x0, 0), std::max(box->y0, 0), std::min(box->x1, dst.width),
         std::min(box->y1, dst.height)};
  }
  const int a = static_cast<int>(std::lround(std::clamp(alpha, 0.0, 1.0) * 256));
  if (a == 0) return;
  const double inv = 1.0 / scale;
  ScalePlane(src.data[0], src.linesize[0], src.width, src.height, dst.data[0], dst.linesize[0],
             b.x0, b.y0, b.x1, b.y1, inv, ox, oy, a);
  for (int p = 1; p < 3; ++p) {
    ScalePlane(src.data[p], src.linesize[p], (src.width + 1) / 2, (src.height + 1) / 2, dst.data[p],
               dst.linesize[p], b.x0 / 2, b.y0 / 2, (b.x1 + 1) / 2, (b.y1 + 1) / 2, inv, ox / 2,
               oy / 2, a);
  }
}

YuvColour ToYuv(double r, double g, double b) {
  auto c = [](double v) { return std::clamp(v, 0.0, 1.0) * 255; };
  return {Clamp8(static_cast<int>(
              std::lround(16 + (65.481 * c(r) + 128.553 * c(g) + 24.966 * c(b)) / 255))),
          Clamp8(static_cast<int>(
              std::lround(128 + (-37.797 * c(r) - 74.203 * c(g) + 112 * c(b)) / 255))),
          Clamp8(static_cast<int>(
              std::lround(128 + (112 * c(r) - 93.786 * c(g) - 18.214 * c(b)) / 255)))};
}

void Fill(const Yuv420View& dst, const YuvColour& c) {
  const uint8_t v[3] = {c.y, c.u, c.v};
  for (int p = 0; p < 3; ++p) {
    const int w = p == 0 ? dst.width : (dst.width + 1) / 2;
    const int h = p == 0 ? dst.height : (dst.height + 1) / 2;
    for (int y = 0; y < h; ++y)
      std::memset(dst.data[p] + static_cast<size_t>(y) * dst.linesize[p], v[p], w);
  }
}

double PsnrDb(const Yuv420View& a, const Yuv420View& b, int plane) {
  const int w = plane == 0 ? a.width : (a.width + 1) / 2;
  const int h = plane == 0 ? a.height : (a.height + 1) / 2;
  double se = 0;
  for (int y = 0; y < h; ++y) {
    const uint8_t* ra = a.data[plane] + static_cast<size_t>(y) * a.linesize[plane];
    const uint8_t* rb = b.data[plane] + static_cast<size_t>(y) * b.linesize[plane];
    for (int x = 0; x < w; ++x) {
      const double d = ra[x] - rb[x];
      se += d * d;
    }
  }
  return se == 0 ? 99 : 10 * std::log10(255.0 * 255.0 * w * h / se);
}

}  // namespace cf
