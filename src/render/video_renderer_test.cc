#include "render/video_renderer.h"

#include <cairo.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "creative/grammar_script_writer.h"
#include "render/media_probe.h"
#include "render/music_synth.h"
#include "render/render_error.h"
#include "render/voice_over.h"
#include "render/yuv420.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace cf {
namespace {

namespace fs = std::filesystem;

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf_render_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A PNG "product photo": coloured background with a box.
  fs::path MakePng(const std::string& name, double r, double g, double b) {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 300, 400);
    cairo_t* cr = cairo_create(s);
    cairo_set_source_rgb(cr, r, g, b);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 1 - r, 1 - g, 1 - b);
    cairo_rectangle(cr, 80, 100, 140, 200);
    cairo_fill(cr);
    cairo_destroy(cr);
    const fs::path p = dir_ / name;
    cairo_surface_write_to_png(s, p.c_str());
    cairo_surface_destroy(s);
    return p;
  }

  ProductFacts Product(const std::string& lang) {
    ProductFacts p;
    p.title = lang == "zh" ? "超轻折叠露营椅" : "Folding camp chair";
    p.category = lang == "zh" ? "露营装备" : "camping gear";
    p.price = 129;
    p.coupon = 30;
    p.facts = {lang == "zh" ? "仅重900克" : "weighs 900 g"};
    return p;
  }

  Script Write(const ProductFacts& p, const std::string& lang) {
    ScriptRequest r;
    r.product = p;
    r.lang = lang;
    r.scene = Scene::kOutdoorCamping;
    return GrammarScriptWriter::LoadDefault().Write(r);
  }

  std::vector<fs::path> Files() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
  TemplateLibrary lib_ = TemplateLibrary::LoadDefault();
};

TEST_F(RenderTest, RendersAShortVerticalVideoWithVoiceAndDecodesBack) {
  ProductFacts p = Product("zh");
  p.images = {MakePng("a.png", 0.9, 0.3, 0.2).string(), MakePng("b.png", 0.2, 0.5, 0.9).string()};
  RenderOptions o;
  o.width = 144;
  o.height = 256;
  o.duration_s = 2;
  o.fps = 10;
  o.voice = "zh-female";
  std::vector<double> progress;
  o.progress = [&](double f) { progress.push_back(f); };
  const auto res = RenderVideo(p, Write(p, "zh"), lib_.Find("camping"), o, dir_ / "v.mp4");
  EXPECT_EQ(res.video, dir_ / "v.mp4");
  ASSERT_TRUE(fs::exists(res.thumbnail));
  EXPECT_GT(fs::file_size(res.thumbnail), 1000u);
  const MediaInfo m = ProbeMedia(dir_ / "v.mp4");
  EXPECT_EQ(m.video_codec, "h264");
  EXPECT_EQ(m.audio_codec, "aac");
  EXPECT_EQ(m.width, 144);
  EXPECT_EQ(m.height, 256);
  EXPECT_EQ(m.audio_channels, 2);
  EXPECT_EQ(m.video_frames, 20);
  EXPECT_NEAR(m.duration_s, 2.0, 0.15);
  ASSERT_FALSE(progress.empty());
  EXPECT_DOUBLE_EQ(progress.back(), 1.0);
  EXPECT_EQ(Files(), (std::vector<fs::path>{"a.png", "b.png", "v.mp4", "v.png"}));
}

TEST_F(RenderTest, ProductWithoutImagesGetsACardAndHorizontalFormat) {
  const ProductFacts p = Product("en");
  RenderOptions o;
  o.width = 128;
  o.height = 72;
  o.duration_s = 1;
  o.fps = 8;
  const auto res = RenderVideo(p, Write(p, "en"), lib_.Find("gym"), o, dir_ / "card.mp4");
  const MediaInfo m = ProbeMedia(res.video);
  EXPECT_EQ(m.width, 128);
  EXPECT_EQ(m.height, 72);
  EXPECT_EQ(m.video_frames, 8);
  EXPECT_NEAR(m.duration_s, 1.0, 0.15);
}

TEST_F(RenderTest, ThumbnailOnlyDrawsTheHookFrameOfTheVideo) {
  ProductFacts p = Product("en");
  p.images = {MakePng("a.png", 0.9, 0.3, 0.2).string()};
  const Script script = Write(p, "en");
  RenderOptions o;
  o.width = 90;
  o.height = 160;
  o.duration_s = 2;
  o.fps = 10;
  const auto video = RenderVideo(p, script, lib_.Find("camping"), o, dir_ / "v.mp4");
  const auto thumb = RenderThumbnail(p, script, lib_.Find("camping"), o, dir_ / "t.png");
  EXPECT_EQ(thumb.thumbnail, dir_ / "t.png");
  EXPECT_TRUE(thumb.video.empty());
  EXPECT_EQ(thumb.width, 90);
  EXPECT_EQ(thumb.height, 160);
  // The same frame as the video's thumbnail, pixel for pixel.
  auto pixels = [](const fs::path& png) {
    cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
    EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << png;
    const int h = cairo_image_surface_get_height(s), stride = cairo_image_surface_get_stride(s);
    const unsigned char* d = cairo_image_surface_get_data(s);
    std::string out(reinterpret_cast<const char*>(d), static_cast<size_t>(h) * stride);
    out += std::to_string(cairo_image_surface_get_width(s)) + "x" + std::to_string(h);
    cairo_surface_destroy(s);
    return out;
  };
  EXPECT_EQ(pixels(video.thumbnail), pixels(thumb.thumbnail));
  EXPECT_EQ(Files(), (std::vector<fs::path>{"a.png", "t.png", "v.mp4", "v.png"}));
  // Bad options and an unwritable folder fail before anything is written.
  o.width = 91;
  EXPECT_THROW(RenderThumbnail(p, script, lib_.Find("camping"), o, dir_ / "odd.png"), RenderError);
  o.width = 90;
  EXPECT_THROW(RenderThumbnail(p, script, lib_.Find("camping"), o, dir_ / "no" / "t.png"),
               RenderError);
  EXPECT_EQ(Files(), (std::vector<fs::path>{"a.png", "t.png", "v.mp4", "v.png"}));
}

// Frame `index` of an MP4's video stream, decoded (4:2:0 8-bit expected).
Yuv420Image DecodeFrame(const fs::path& file, int index) {
  AVFormatContext* fmt = nullptr;
  EXPECT_EQ(avformat_open_input(&fmt, file.c_str(), nullptr, nullptr), 0) << file;
  EXPECT_GE(avformat_find_stream_info(fmt, nullptr), 0);
  const AVCodec* codec = nullptr;
  const int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  EXPECT_GE(si, 0);
  AVCodecContext* dec = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar);
  EXPECT_EQ(avcodec_open2(dec, codec, nullptr), 0);
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  Yuv420Image out;
  int seen = 0;
  auto receive = [&] {
    while (avcodec_receive_frame(dec, frame) == 0) {
      if (seen++ == index) {
        EXPECT_EQ(frame->format, AV_PIX_FMT_YUV420P);
        out = Yuv420Image(frame->width, frame->height);
        const Yuv420View v = out.view();
        for (int p = 0; p < 3; ++p) {
          const int w = p == 0 ? frame->width : (frame->width + 1) / 2;
          const int h = p == 0 ? frame->height : (frame->height + 1) / 2;
          for (int y = 0; y < h; ++y) {
            std::copy_n(frame->data[p] + y * frame->linesize[p], w, v.data[p] + y * v.linesize[p]);
          }
        }
      }
    }
  };
  while (av_read_frame(fmt, pkt) >= 0) {
    if (pkt->stream_index == si) avcodec_send_packet(dec, pkt);
    av_packet_unref(pkt);
    receive();
  }
  avcodec_send_packet(dec, nullptr);
  receive();
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&dec);
  avformat_close_input(&fmt);
  EXPECT_GT(seen, index) << file;
  return out;
}

// A PNG (a thumbnail) in YUV 4:2:0; empty when it cannot be read.
Yuv420Image PngToYuv(const fs::path& png) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
  Yuv420Image out;
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    out = Yuv420Image(cairo_image_surface_get_width(s), cairo_image_surface_get_height(s));
    BgraToYuv420(cairo_image_surface_get_data(s), cairo_image_surface_get_stride(s), out.width(),
                 out.height(), out.view());
  }
  cairo_surface_destroy(s);
  return out;
}

// The video's frames are composed in YUV (the fast path), the thumbnail with Cairo in RGB: the
// same picture. Lossless encoding, so the comparison sees only the two compositions.
TEST_F(RenderTest, VideoFramesMatchTheCairoComposition) {
  ProductFacts p = Product("zh");
  p.images = {MakePng("a.png", 0.9, 0.3, 0.2).string(), MakePng("b.png", 0.2, 0.5, 0.9).string()};
  RenderOptions o;
  o.width = 256;
  o.height = 144;
  o.duration_s = 2;
  o.fps = 25;  // the thumbnail is at 60% of the 0.4 s hook: 0.24 s, frame 6
  o.crf = 0;   // lossless
  const auto res = RenderVideo(p, Write(p, "zh"), lib_.Find("camping"), o, dir_ / "v.mp4");
  const Yuv420Image video = DecodeFrame(res.video, 6);
  ASSERT_EQ(video.width(), 256);
  const Yuv420Image want = PngToYuv(res.thumbnail);
  ASSERT_EQ(want.width(), 256);
  EXPECT_GT(PsnrDb(video.view(), want.view(), 0), 45);
  EXPECT_GT(PsnrDb(video.view(), want.view(), 1), 40);
  EXPECT_GT(PsnrDb(video.view(), want.view(), 2), 40);
  // And not just any picture: the next image's frame is far from it.
  EXPECT_LT(PsnrDb(DecodeFrame(res.video, 45).view(), want.view(), 0), 25);
}

// Every kind of transition, composed in YUV for the video and with Cairo for a thumbnail taken at
// the same moment.
TEST_F(RenderTest, TransitionFramesMatchTheCairoComposition) {
  ProductFacts p = Product("en");
  for (int i = 0; i < 7; ++i) {
    p.images.push_back(
        MakePng(fmt::format("p{}.png", i), 0.1 + 0.12 * i, 0.8 - 0.1 * i, 0.3 + 0.09 * (i % 3))
            .string());
  }
  SceneTemplate t = lib_.Find("camping");
  t.transitions = {Transition::kCut,     Transition::kFade,      Transition::kSlideLeft,
                   Transition::kSlideUp, Transition::kWipeRight, Transition::kZoom};
  t.transition_s = 0.6;
  const Script script = Write(p, "en");
  RenderOptions o;
  o.width = 256;
  o.height = 144;
  o.duration_s = 7;  // 7 images, one a second; transition j at j s, 0.5 s long
  o.fps = 10;
  o.crf = 0;  // lossless
  o.thumbnail = false;
  const auto res = RenderVideo(p, script, t, o, dir_ / "v.mp4");
  for (int j = 1; j <= 6; ++j) {
    SCOPED_TRACE(::testing::Message() << "transition " << j);
    o.thumbnail_at_s = (10 * j + 1) / 10.0;  // 70% through it
    const fs::path png = dir_ / fmt::format("t{}.png", j);
    RenderThumbnail(p, script, t, o, png);
    const Yuv420Image want = PngToYuv(png);
    ASSERT_EQ(want.width(), 256);
    const Yuv420Image got = DecodeFrame(res.video, 10 * j + 1);
    EXPECT_GT(PsnrDb(got.view(), want.view(), 0), 40);  // measured 47-69
    EXPECT_GT(PsnrDb(got.view(), want.view(), 1), 40);  // measured 47-69
    EXPECT_GT(PsnrDb(got.view(), want.view(), 2), 40);  // measured 47-69
  }
}

TEST_F(RenderTest, CorruptImageFailsAndLeavesNoFile) {
  ProductFacts p = Product("en");
  const fs::path bad = dir_ / "broken.jpg";
  std::ofstream(bad) << "this is not a JPEG at all, just text pretending";
  p.images = {bad.string()};
  RenderOptions o;
  o.width = 128;
  o.height = 128;
  o.duration_s = 1;
  o.fps = 5;
  try {
    RenderVideo(p, Write(p, "en"), lib_.Find("gym"), o, dir_ / "x.mp4");
    FAIL() << "rendered a corrupt image";
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.jpg"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("JPEG, PNG or WebP"), std::string::npos) << e.what();
  }
  p.images = {(dir_ / "missing.png").string()};
  EXPECT_THROW(RenderVideo(p, Write(p, "en"), lib_.Find("gym"), o, dir_ / "x.mp4"), RenderError);
  EXPECT_EQ(Files(), std::vector<fs::path>{"broken.jpg"});
}

TEST_F(RenderTest, MissingFontAndUnwritableOutputFailClearly) {
  const ProductFacts p = Product("en");
  RenderOptions o;
  o.width = 128;
  o.height = 128;
  o.duration_s = 1;
  o.fps = 5;
  SceneTemplate t = lib_.Find("gym");
  t.fonts.body = "No Such Font Sans 12";
  try {
    RenderVideo(p, Write(p, "en"), t, o, dir_ / "x.mp4");
    FAIL();
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("\"No Such Font Sans\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fonts-noto-cjk"), std::string::npos) << e.what();
  }
  try {
    RenderVideo(p, Write(p, "en"), lib_.Find("gym"), o, dir_ / "no/such/dir/x.mp4");
    FAIL();
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  o.width = 127;
  EXPECT_THROW(RenderVideo(p, Write(p, "en"), lib_.Find("gym"), o, dir_ / "x.mp4"), RenderError);
  EXPECT_TRUE(Files().empty());
}

TEST(TimeScript, HookFirstWithinThreeSecondsAndLinesTileTheVideo) {
  const auto lib = TemplateLibrary::LoadDefault();
  ScriptRequest r;
  r.product.title = "Chair";
  r.product.price = 10;
  r.lang = "en";
  const Script s = GrammarScriptWriter::LoadDefault().Write(r);
  for (double d : {15.0, 30.0}) {
    for (const auto& t : lib.all()) {
      const auto lines = TimeScript(s, t, d);
      ASSERT_EQ(lines.size(), s.lines.size());
      EXPECT_EQ(lines.front().line.part, ScriptPart::kHook);
      EXPECT_DOUBLE_EQ(lines.front().start, 0);
      EXPECT_LE(lines.front().end, 3.0);
      for (size_t i = 1; i < lines.size(); ++i) {
        EXPECT_NEAR(lines[i].start, lines[i - 1].end, 1e-9);
        EXPECT_GT(lines[i].end, lines[i].start + 0.5) << t.name;
      }
      EXPECT_DOUBLE_EQ(lines.back().end, d);
    }
  }
}

TEST(MusicSynth, DeterministicAudibleAndDifferentPerTemplate) {
  const auto lib = TemplateLibrary::LoadDefault();
  const auto a = SynthesizeMusic(lib.Find("camping").music, 2, 22050);
  EXPECT_EQ(a, SynthesizeMusic(lib.Find("camping").music, 2, 22050));
  ASSERT_EQ(a.size(), 2u * 44100);
  double energy = 0;
  for (float x : a) {
    ASSERT_LE(std::fabs(x), 1.0f);
    energy += x * x;
  }
  EXPECT_GT(energy / a.size(), 1e-3);
  EXPECT_NE(a, SynthesizeMusic(lib.Find("gym").music, 2, 22050));
}

TEST(VoiceOver, SpeaksChineseAndEnglish) {
  const auto zh = Speak("到手价九十九元", "zh-female", 190, 44100);
  const auto en = Speak("Only ninety nine", "en-male", 175, 44100);
  EXPECT_GT(zh.size(), 44100u / 2);
  EXPECT_GT(en.size(), 44100u / 2);
  EXPECT_THROW(Speak("x", "klingon", 175, 44100), RenderError);
}

}  // namespace
}  // namespace cf
