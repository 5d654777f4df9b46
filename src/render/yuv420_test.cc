#include "render/yuv420.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

extern "C" {
#include <libswscale/swscale.h>
}

namespace cf {
namespace {

using Surface = std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)>;

// A photo-like test picture: two gradients, a disc and fine stripes (edges at every scale).
Surface TestPicture(int w, int h, cairo_format_t format = CAIRO_FORMAT_RGB24) {
  Surface s(cairo_image_surface_create(format, w, h), cairo_surface_destroy);
  cairo_t* cr = cairo_create(s.get());
  cairo_pattern_t* g = cairo_pattern_create_linear(0, 0, w, h);
  cairo_pattern_add_color_stop_rgb(g, 0, 0.95, 0.7, 0.2);
  cairo_pattern_add_color_stop_rgb(g, 1, 0.1, 0.3, 0.8);
  cairo_set_source(cr, g);
  cairo_paint(cr);
  cairo_pattern_destroy(g);
  cairo_set_source_rgb(cr, 0.2, 0.9, 0.4);
  cairo_arc(cr, w * 0.4, h * 0.5, std::min(w, h) * 0.25, 0, 2 * M_PI);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  for (int x = 0; x < w; x += 9) cairo_rectangle(cr, x, h * 0.8, 3, h * 0.1);
  cairo_fill(cr);
  cairo_destroy(cr);
  cairo_surface_flush(s.get());
  return s;
}

Yuv420Image SurfaceToYuv(cairo_surface_t* s) {
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  Yuv420Image img(w, h);
  BgraToYuv420(cairo_image_surface_get_data(s), cairo_image_surface_get_stride(s), w, h,
               img.view());
  return img;
}

int MaxDiff(const Yuv420View& a, const Yuv420View& b, int p) {
  const int w = p == 0 ? a.width : (a.width + 1) / 2, h = p == 0 ? a.height : (a.height + 1) / 2;
  int m = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      m = std::max(m,
                   std::abs(a.data[p][y * a.linesize[p] + x] - b.data[p][y * b.linesize[p] + x]));
    }
  }
  return m;
}

TEST(Yuv420, ConversionMatchesLibswscale) {
  const int w = 320, h = 180;
  Surface s = TestPicture(w, h);
  Yuv420Image ours = SurfaceToYuv(s.get());
  Yuv420Image ref(w, h);
  SwsContext* sws = sws_getContext(w, h, AV_PIX_FMT_BGRA, w, h, AV_PIX_FMT_YUV420P,
                                   SWS_BILINEAR | SWS_ACCURATE_RND, nullptr, nullptr, nullptr);
  ASSERT_NE(sws, nullptr);
  const uint8_t* src[1] = {cairo_image_surface_get_data(s.get())};
  const int stride[1] = {cairo_image_surface_get_stride(s.get())};
  const Yuv420View rv = ref.view();
  sws_scale(sws, src, stride, 0, h, rv.data, rv.linesize);
  sws_freeContext(sws);
  // Luma is the same formula: at most one level of rounding apart.
  EXPECT_LE(MaxDiff(ours.view(), rv, 0), 1);
  // Chroma: the 2x2 average against libswscale's own downsampling filter; equal on flat areas,
  // a little apart on the stripes' edges.
  EXPECT_GT(PsnrDb(ours.view(), rv, 1), 45);  // measured 54.6
  EXPECT_GT(PsnrDb(ours.view(), rv, 2), 45);  // 52.2
  // Known values: white, black and pure red in limited range.
  const uint32_t px[4] = {0xffffffff, 0xff000000, 0xffff0000, 0xffff0000};
  Yuv420Image one(2, 2);
  BgraToYuv420(reinterpret_cast<const uint8_t*>(px), 8, 2, 2, one.view());
  const Yuv420View v = one.view();
  EXPECT_EQ(v.data[0][0], 235);
  EXPECT_EQ(v.data[0][1], 16);
  EXPECT_EQ(v.data[0][2], 81);  // red: 16 + 65.481
  EXPECT_EQ(v.data[1][0], 128 + static_cast<int>(std::lround(-37.797 / 2)));
  EXPECT_EQ(v.data[2][0], 128 + 56);
}

TEST(Yuv420, OddSizesConvertEveryPixel) {
  Surface s = TestPicture(7, 5);
  Yuv420Image img = SurfaceToYuv(s.get());
  const Yuv420View v = img.view();
  EXPECT_EQ(v.linesize[1], 4);
  // The last chroma sample (a single pixel block) has that pixel's colour: not the initial 128.
  const uint32_t last = reinterpret_cast<const uint32_t*>(
      cairo_image_surface_get_data(s.get()) + 4 * cairo_image_surface_get_stride(s.get()))[6];
  const int r = (last >> 16) & 0xff, g = (last >> 8) & 0xff, b = last & 0xff;
  EXPECT_NEAR(v.data[2][2 * 4 + 3], 128 + (112 * r - 93.786 * g - 18.214 * b) / 255, 1);
  EXPECT_NEAR(v.data[0][4 * 7 + 6], 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255, 1);
}

// The Ken-Burns scale in YUV against Cairo drawing the same motion in RGB and converting.
class KenBurns : public ::testing::TestWithParam<std::pair<int, int>> {};

// Frame widths with and without a remainder for the 8-pixel SIMD loop.
INSTANTIATE_TEST_SUITE_P(Yuv420, KenBurns,
                         ::testing::Values(std::pair{320, 180}, std::pair{318, 178},
                                           std::pair{90, 58}));

TEST_P(KenBurns, ScaleMatchesCairo) {
  const int sw = 400, sh = 250;
  const auto [w, h] = GetParam();
  Surface src = TestPicture(sw, sh);
  const Yuv420Image src_yuv = SurfaceToYuv(src.get());
  for (const auto& [scale, ox, oy] : {std::tuple{1.0, 0.0, 0.0}, std::tuple{0.8, 0.0, 0.0},
                                      std::tuple{0.93, 17.3, 9.61}, std::tuple{1.1, 80.5, 70.25}}) {
    Surface canvas(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h), cairo_surface_destroy);
    cairo_t* cr = cairo_create(canvas.get());
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, src.get(), -ox, -oy);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_flush(canvas.get());
    const Yuv420Image want = SurfaceToYuv(canvas.get());
    Yuv420Image got(w, h);
    ScaleBilinear(src_yuv.view(), scale, ox, oy, got.view());
    SCOPED_TRACE(::testing::Message() << "scale " << scale << " at " << ox << "," << oy);
    // Measured 56-99 dB luma, 46-99 dB chroma (Cairo's 7-bit bilinear weights against 8).
    EXPECT_GT(PsnrDb(got.view(), want.view(), 0), 50);
    EXPECT_GT(PsnrDb(got.view(), want.view(), 1), 42);
    EXPECT_GT(PsnrDb(got.view(), want.view(), 2), 42);
    if (scale == 1.0 && ox == 0) {
      EXPECT_EQ(MaxDiff(got.view(), src_yuv.view(), 0), 0);
    }
  }
  // Beyond the source's edge the edge repeats: a shift past the right edge gives its last column.
  Yuv420Image past(8, 8);
  ScaleBilinear(src_yuv.view(), 1.0, sw + 50.0, 0, past.view());
  const Yuv420View s = src_yuv.view(), p = past.view();
  for (int y = 0; y < 8; ++y)
    EXPECT_EQ(p.data[0][y * p.linesize[0]], s.data[0][y * s.linesize[0] + sw - 1]);
}

// A box drawn at half strength over a flat frame: mixed inside the box, untouched outside.
TEST_P(KenBurns, BoxAndAlphaMixOnlyInsideTheBox) {
  const auto [w, h] = GetParam();
  Surface src = TestPicture(400, 250);
  const Yuv420Image src_yuv = SurfaceToYuv(src.get());
  Yuv420Image full(w, h), mixed(w, h);
  ScaleBilinear(src_yuv.view(), 0.9, 11.5, 7.25, full.view());
  const YuvColour grey = ToYuv(0.5, 0.5, 0.5);
  EXPECT_EQ(grey.u, 128);
  EXPECT_EQ(grey.v, 128);
  Fill(mixed.view(), grey);
  const PixelBox box{9, 5, w - 21, h - 3};  // odd edges: chroma takes the samples touched
  ScaleBilinear(src_yuv.view(), 0.9, 11.5, 7.25, mixed.view(), &box, 0.5);
  const Yuv420View f = full.view(), m = mixed.view();
  int inside = 0, outside = 0;
  for (int p = 0; p < 3; ++p) {
    const int sub = p == 0 ? 1 : 2;
    const uint8_t flat = p == 0 ? grey.y : 128;
    for (int y = 0; y < (h + sub - 1) / sub; ++y) {
      for (int x = 0; x < (w + sub - 1) / sub; ++x) {
        const bool in = x >= box.x0 / sub && x < (box.x1 + sub - 1) / sub && y >= box.y0 / sub &&
                        y < (box.y1 + sub - 1) / sub;
        const int got = m.data[p][y * m.linesize[p] + x];
        if (in) {
          ++inside;
          EXPECT_NEAR(got, (flat + f.data[p][y * f.linesize[p] + x]) / 2.0, 1) << p << " " << x;
        } else {
          ++outside;
          EXPECT_EQ(got, flat) << p << " " << x << "," << y;
        }
      }
    }
  }
  EXPECT_GT(inside, 0);
  EXPECT_GT(outside, 0);
  Yuv420Image none(w, h), flat(w, h);
  Fill(none.view(), grey);
  Fill(flat.view(), grey);
  ScaleBilinear(src_yuv.view(), 0.9, 0, 0, none.view(), nullptr, 0);  // alpha 0: nothing drawn
  for (int p = 0; p < 3; ++p) EXPECT_EQ(PsnrDb(none.view(), flat.view(), p), 99);
}

// Text and cards blended in YUV against Cairo's OVER in RGB, converted.
TEST(Yuv420, OverlayBlendsLikeCairoOver) {
  const int w = 320, h = 180;
  Surface overlay(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h), cairo_surface_destroy);
  cairo_t* cr = cairo_create(overlay.get());
  cairo_set_source_rgba(cr, 0, 0, 0, 0.55);  // a subtitle box
  cairo_rectangle(cr, 31, 121, 251, 41);
  cairo_fill(cr);
  cairo_set_source_rgba(cr, 1, 0.85, 0.1, 1);  // anti-aliased "text": a disc and a ring
  cairo_arc(cr, 160, 140, 12.3, 0, 2 * M_PI);
  cairo_fill(cr);
  cairo_set_line_width(cr, 2.5);
  cairo_arc(cr, 100, 140, 10.7, 0, 2 * M_PI);
  cairo_stroke(cr);
  cairo_destroy(cr);
  cairo_surface_flush(overlay.get());

  const YuvOverlay ov(cairo_image_surface_get_data(overlay.get()),
                      cairo_image_surface_get_stride(overlay.get()), w, h);
  ASSERT_FALSE(ov.empty());
  EXPECT_EQ(ov.x0(), 30);
  EXPECT_EQ(ov.y0(), 120);
  EXPECT_EQ(ov.x1(), 282);
  EXPECT_EQ(ov.y1(), 162);

  Surface frame = TestPicture(w, h);
  Yuv420Image got = SurfaceToYuv(frame.get());
  ov.BlendOver(got.view());
  cr = cairo_create(frame.get());
  cairo_set_source_surface(cr, overlay.get(), 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_flush(frame.get());
  const Yuv420Image want = SurfaceToYuv(frame.get());
  EXPECT_LE(MaxDiff(got.view(), want.view(), 0), 1);
  EXPECT_GT(PsnrDb(got.view(), want.view(), 1), 50);  // measured 61.0
  EXPECT_GT(PsnrDb(got.view(), want.view(), 2), 50);  // 61.7

  Surface clear(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h), cairo_surface_destroy);
  const YuvOverlay none(cairo_image_surface_get_data(clear.get()),
                        cairo_image_surface_get_stride(clear.get()), w, h);
  EXPECT_TRUE(none.empty());
  none.BlendOver(got.view());  // a no-op, not a crash
}

}  // namespace
}  // namespace cf
