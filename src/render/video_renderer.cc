#include "render/video_renderer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>

#include "render/audio_decoder.h"
#include "render/image_loader.h"
#include "render/music_synth.h"
#include "render/render_error.h"
#include "render/text_painter.h"
#include "render/voice_over.h"
#include "render/yuv420.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

namespace cf {
namespace {

constexpr int kSampleRate = 44100;

using Surface = std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)>;
Surface MakeSurface(cairo_surface_t* s) { return Surface(s, cairo_surface_destroy); }
using Context = std::unique_ptr<cairo_t, void (*)(cairo_t*)>;
Context MakeContext(cairo_surface_t* s) { return Context(cairo_create(s), cairo_destroy); }

Surface NewSurface(cairo_format_t format, int w, int h) {
  Surface s = MakeSurface(cairo_image_surface_create(format, w, h));
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS) {
    throw RenderError(fmt::format("cannot allocate a {}x{} image", w, h));
  }
  return s;
}

double Smooth(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

std::string Money(const ProductFacts& p, const std::string& lang, double v) {
  const std::string cur = !p.currency.empty() ? p.currency : (lang == "zh" ? "¥" : "$");
  const double r = std::round(v * 100) / 100;
  return std::fabs(r - std::round(r)) < 1e-9 ? fmt::format("{}{:.0f}", cur, r)
                                             : fmt::format("{}{:.2f}", cur, r);
}

// Removes the files it holds unless Commit() renames them to their final names.
class TempFiles {
 public:
  std::filesystem::path Add(const std::filesystem::path& final_path) {
    auto tmp = final_path;
    tmp += ".part";
    pairs_.push_back({tmp, final_path});
    return tmp;
  }
  void Commit() {
    for (const auto& [tmp, fin] : pairs_) {
      std::error_code ec;
      std::filesystem::rename(tmp, fin, ec);
      if (ec)
        throw RenderError("cannot rename " + tmp.string() + " to " + fin.string() + ": " +
                          ec.message());
    }
    pairs_.clear();
  }
  ~TempFiles() {
    for (const auto& [tmp, fin] : pairs_) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
    }
  }

 private:
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> pairs_;
};

// A generated product card (name, category, price) for products without images.
Surface ProductCard(const ProductFacts& p, const SceneTemplate& t, const std::string& lang, int w,
                    int h) {
  Surface s = NewSurface(CAIRO_FORMAT_RGB24, w, h);
  Context cr = MakeContext(s.get());
  cairo_pattern_t* g = cairo_pattern_create_linear(0, 0, w, h);
  const auto& bg = t.colors.background;
  const auto& pr = t.colors.primary;
  cairo_pattern_add_color_stop_rgb(g, 0, bg.r, bg.g, bg.b);
  cairo_pattern_add_color_stop_rgb(g, 1, (bg.r + pr.r) / 2, (bg.g + pr.g) / 2, (bg.b + pr.b) / 2);
  cairo_set_source(cr.get(), g);
  cairo_paint(cr.get());
  cairo_pattern_destroy(g);
  const double m = std::min(w, h);
  RoundedRect(cr.get(), w * 0.12, h * 0.3, w * 0.76, h * 0.4, m * 0.05, Rgba{1, 1, 1, 0.12});
  TextStyle title{t.fonts.title, m * 0.09, t.colors.text, t.colors.outline, m * 0.004};
  title.max_width_px = w * 0.68;
  DrawText(cr.get(), p.title, title, w / 2.0, h * 0.44);
  if (!p.category.empty()) {
    TextStyle cat{t.fonts.body, m * 0.05, t.colors.primary};
    cat.max_width_px = w * 0.68;
    DrawText(cr.get(), p.category, cat, w / 2.0, h * 0.54);
  }
  TextStyle price{t.fonts.title, m * 0.1, t.colors.accent};
  DrawText(cr.get(), Money(p, lang, p.final_price()), price, w / 2.0, h * 0.63);
  return s;
}

struct Layer {
  double start, end;
  Surface overlay;
  YuvOverlay yuv;  // the same overlay in the encoder's pixel format, with its drawn box
};

class Composer {
 public:
  Composer(const ProductFacts& p, const Script& script, const SceneTemplate& t,
           const RenderOptions& o)
      : p_(p), t_(t), o_(o), w_(o.width), h_(o.height) {
    zoom_to_ = std::max(t.motion.zoom_to, t.motion.zoom_from);
    pw_ = static_cast<int>(std::ceil(w_ * zoom_to_));
    ph_ = static_cast<int>(std::ceil(h_ * zoom_to_));
    for (const auto& file : p.images) {
      images_.push_back(MakeSurface(LoadImageCover(file, pw_, ph_, t.colors.background)));
    }
    if (images_.empty()) images_.push_back(ProductCard(p, t, script.lang, pw_, ph_));
    background_ = ToYuv(t.colors.background.r, t.colors.background.g, t.colors.background.b);
    for (const Surface& s : images_) {
      cairo_surface_flush(s.get());
      yuv_images_.emplace_back(pw_, ph_);
      BgraToYuv420(cairo_image_surface_get_data(s.get()), cairo_image_surface_get_stride(s.get()),
                   pw_, ph_, yuv_images_.back().view());
    }
    lines_ = TimeScript(script, t, o.duration_s);
    for (const auto& l : lines_) {
      Surface s = Overlay(l, script.lang);
      YuvOverlay yuv(cairo_image_surface_get_data(s.get()), cairo_image_surface_get_stride(s.get()),
                     w_, h_);
      layers_.push_back({l.start, l.end, std::move(s), std::move(yuv)});
    }
    hook_end_ = lines_.empty() ? 0 : lines_.front().end;
  }

  double hook_end() const { return hook_end_; }

  // Frame at time t, Cairo-composed in RGB (the thumbnail).
  void Frame(cairo_t* cr, double t) {
    bool background = false;
    const std::vector<ImageOp> ops = Ops(t, background);
    if (background) {
      const auto& bg = t_.colors.background;
      cairo_set_source_rgb(cr, bg.r, bg.g, bg.b);
      cairo_paint(cr);
    } else {
      cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);  // one image covers the frame: copy
    }
    for (const ImageOp& op : ops) {
      const Placement pl = Place(op.k, t, op.extra_zoom);
      cairo_save(cr);
      if (op.clip_w >= 0) {
        cairo_rectangle(cr, 0, 0, op.clip_w, h_);
        cairo_clip(cr);
      }
      cairo_translate(cr, op.dx, op.dy);
      cairo_scale(cr, pl.scale, pl.scale);
      cairo_set_source_surface(cr, images_[op.k].get(), -pl.ox, -pl.oy);
      cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
      if (op.alpha >= 1) {
        cairo_paint(cr);
      } else {
        cairo_paint_with_alpha(cr, op.alpha);
      }
      cairo_restore(cr);
    }
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    for (const auto& l : layers_) {
      if (t >= l.start && t < l.end && !l.yuv.empty()) {
        // Only the box that holds the overlay's pixels is composited.
        cairo_set_source_surface(cr, l.overlay.get(), 0, 0);
        cairo_rectangle(cr, l.yuv.x0(), l.yuv.y0(), l.yuv.x1() - l.yuv.x0(),
                        l.yuv.y1() - l.yuv.y0());
        cairo_fill(cr);
      }
    }
  }

  // The same frame composed directly in the encoder's pixel format (the video): the Ken-Burns
  // scale of each image's YUV copy and the overlays blended over it, without an RGB pass and a
  // colour conversion per frame. Matches Frame() to within rounding; image edges uncovered by a
  // transition are hard where Cairo's are anti-aliased.
  void FrameYuv(const Yuv420View& dst, double t) {
    bool background = false;
    const std::vector<ImageOp> ops = Ops(t, background);
    if (background) Fill(dst, background_);
    for (const ImageOp& op : ops) {
      const Placement pl = Place(op.k, t, op.extra_zoom);
      const double s = pl.scale;
      // The image's footprint: the pixels whose centres it covers.
      auto first = [](double edge) { return static_cast<int>(std::ceil(edge - 0.5)); };
      PixelBox box{first(op.dx - pl.ox * s), first(op.dy - pl.oy * s),
                   first(op.dx + (pw_ - pl.ox) * s), first(op.dy + (ph_ - pl.oy) * s)};
      if (op.clip_w >= 0) box.x1 = std::min(box.x1, static_cast<int>(std::lround(op.clip_w)));
      ScaleBilinear(yuv_images_[op.k].view(), s, pl.ox - op.dx / s, pl.oy - op.dy / s, dst, &box,
                    op.alpha);
    }
    for (const auto& l : layers_) {
      if (t >= l.start && t < l.end) l.yuv.BlendOver(dst);
    }
  }

 private:
  // One image drawn into a frame: image k, mixed at alpha, shifted by (dx, dy), zoomed a further
  // extra_zoom about the frame's corner, and (when clip_w >= 0) only left of x = clip_w.
  struct ImageOp {
    int k = 0;
    double alpha = 1, dx = 0, dy = 0, extra_zoom = 1, clip_w = -1;
  };

  // What frame t shows, bottom to top. `background`: a transition may uncover the background
  // (a single image always covers the frame).
  std::vector<ImageOp> Ops(double t, bool& background) const {
    const int k = static_cast<int>(images_.size());
    double u = 0;
    const int j = TransitionAt(t, u);
    background = j > 0;
    if (j == 0) return {{std::clamp(static_cast<int>(t / (o_.duration_s / k)), 0, k - 1)}};
    const double e = Smooth(u);
    switch (t_.transitions[(j - 1) % t_.transitions.size()]) {
      case Transition::kCut:
        return {{u < 0.5 ? j - 1 : j}};
      case Transition::kFade:
        return {{j - 1}, {j, u}};
      case Transition::kSlideLeft:
        return {{j - 1, 1, -e * w_}, {j, 1, (1 - e) * w_}};
      case Transition::kSlideUp:
        return {{j - 1, 1, 0, -e * h_}, {j, 1, 0, (1 - e) * h_}};
      case Transition::kWipeRight:
        return {{j - 1}, {j, 1, 0, 0, 1, e * w_}};
      case Transition::kZoom:
        return {{j - 1}, {j, u, 0, 0, 1 + 0.3 * (1 - u)}};
    }
    return {{j}};
  }

  // The transition into image j (>= 1) that is under way at time t, with its progress u in
  // [0, 1); 0 when one image fills the frame.
  int TransitionAt(double t, double& u) const {
    const int k = static_cast<int>(images_.size());
    const double slot = o_.duration_s / k;
    const double ts = std::min(t_.transition_s, slot * 0.5);
    const int j = static_cast<int>(std::lround(t / slot));
    if (j >= 1 && j < k && ts > 0 && std::fabs(t - j * slot) < ts / 2) {
      u = (t - j * slot + ts / 2) / ts;
      return j;
    }
    return 0;
  }

  // Image k's Ken-Burns motion at time t: frame pixel (x, y) shows the image's (prescaled)
  // pixel (x / scale + ox, y / scale + oy).
  struct Placement {
    double scale, ox, oy;
  };
  Placement Place(int k, double t, double extra_zoom) const {
    const double slot = o_.duration_s / images_.size();
    const double ts = t_.transition_s;
    const double e = Smooth((t - (k * slot - ts / 2)) / (slot + ts));
    const double z = (t_.motion.zoom_from + (t_.motion.zoom_to - t_.motion.zoom_from) * e);
    const double s = z / zoom_to_ * extra_zoom;
    double px = 0.5, py = 0.5;
    switch (t_.motion.pans[k % t_.motion.pans.size()]) {
      case Pan::kLeftToRight:
        px = e;
        break;
      case Pan::kRightToLeft:
        px = 1 - e;
        break;
      case Pan::kTopToBottom:
        py = e;
        break;
      case Pan::kBottomToTop:
        py = 1 - e;
        break;
      case Pan::kCenter:
        break;
    }
    return {s, (pw_ - w_ / s) * px, (ph_ - h_ / s) * py};
  }

  // Everything drawn over the images while line `l` plays.
  Surface Overlay(const TimedLine& l, const std::string& lang) {
    Surface s = NewSurface(CAIRO_FORMAT_ARGB32, w_, h_);
    Context c = MakeContext(s.get());
    cairo_t* cr = c.get();
    const double m = std::min(w_, h_) * t_.layout.text_size;
    const auto& col = t_.colors;
    const bool zh = lang == "zh";
    if (l.line.part == ScriptPart::kHook) {
      TextStyle st{t_.fonts.title, m * 0.085, col.text, col.outline, m * 0.006};
      st.max_width_px = w_ * 0.86;
      DrawText(cr, l.line.text, st, w_ / 2.0, h_ * t_.layout.title_y);
    } else {
      // Price card in a top corner.
      const double cw = std::max(w_ * 0.3, m * 0.36), ch = m * 0.16;
      const double cx = t_.layout.price_card_right ? w_ - cw - m * 0.04 : m * 0.04;
      const double cy = m * 0.05;
      RoundedRect(cr, cx, cy, cw, ch, m * 0.02, col.price_card);
      TextStyle label{t_.fonts.body, m * 0.035, col.price_text};
      DrawText(cr, zh ? "到手价" : "Now", label, cx + cw / 2, cy + ch * 0.28);
      TextStyle price{t_.fonts.title, m * 0.065, col.price_text};
      DrawText(cr, Money(p_, lang, p_.final_price()), price, cx + cw / 2, cy + ch * 0.66);
      // Subtitle.
      TextStyle sub{t_.fonts.body, m * 0.058, col.text, col.outline, m * 0.003};
      sub.box = col.subtitle_box;
      sub.box_pad_px = m * 0.02;
      sub.max_width_px = w_ * 0.86;
      DrawText(cr, l.line.text, sub, w_ / 2.0, h_ * t_.layout.subtitle_y);
    }
    if (l.line.part == ScriptPart::kPromotion || l.line.part == ScriptPart::kCallToAction) {
      const double cw = std::min(w_ * 0.8, m * 1.1), ch = m * 0.42;
      const double x = (w_ - cw) / 2, y = h_ * 0.47 - ch / 2;
      RoundedRect(cr, x, y, cw, ch, m * 0.03, col.coupon_card);
      const bool coupon = p_.coupon > 0 && p_.coupon < p_.price;
      const std::string head = coupon ? (zh ? "领券立减 " : "Coupon -") + Money(p_, lang, p_.coupon)
                                      : std::string(zh ? "限时特价" : "Limited-time price");
      TextStyle a{t_.fonts.body, m * 0.05, col.coupon_text};
      DrawText(cr, head, a, w_ / 2.0, y + ch * 0.2);
      TextStyle b{t_.fonts.title, m * 0.12, col.coupon_text};
      DrawText(cr, Money(p_, lang, p_.final_price()), b, w_ / 2.0, y + ch * 0.52);
      if (coupon) {
        TextStyle c2{t_.fonts.body, m * 0.04, col.coupon_text};
        const std::string was = (zh ? "原价 " : "Was ") + Money(p_, lang, p_.price);
        DrawText(cr, was, c2, w_ / 2.0, y + ch * 0.83);
        cairo_set_source_rgba(cr, col.coupon_text.r, col.coupon_text.g, col.coupon_text.b, 0.8);
        cairo_set_line_width(cr, std::max(1.0, m * 0.004));
        cairo_move_to(cr, w_ / 2.0 - m * 0.14, y + ch * 0.83);
        cairo_line_to(cr, w_ / 2.0 + m * 0.14, y + ch * 0.83);
        cairo_stroke(cr);
      }
    }
    if (l.line.part == ScriptPart::kCallToAction) {
      const double bw = std::min(w_ * 0.6, m * 0.8), bh = m * 0.11;
      const double y = std::min(h_ * 0.92, h_ - bh) - bh / 2;
      RoundedRect(cr, (w_ - bw) / 2, y, bw, bh, bh / 2, col.accent);
      TextStyle st{t_.fonts.title, m * 0.05, col.price_text};
      DrawText(cr, zh ? "立即购买 ›" : "Buy now ›", st, w_ / 2.0, y + bh / 2);
    }
    cairo_surface_flush(s.get());
    return s;
  }

  const ProductFacts& p_;
  const SceneTemplate& t_;
  const RenderOptions& o_;
  int w_, h_, pw_ = 0, ph_ = 0;
  double zoom_to_ = 1, hook_end_ = 0;
  std::vector<Surface> images_;
  std::vector<Yuv420Image> yuv_images_;  // images_ in the encoder's pixel format
  YuvColour background_;
  std::vector<TimedLine> lines_;
  std::vector<Layer> layers_;
};

// Music (synthesised or from a file) with the voice-over mixed on top and the music ducked under
// it. Stereo interleaved float.
std::vector<float> MixAudio(const Script& script, const SceneTemplate& t, const RenderOptions& o) {
  const size_t n = static_cast<size_t>(o.duration_s * kSampleRate);
  std::vector<float> music = o.music_file.empty()
                                 ? SynthesizeMusic(t.music, o.duration_s, kSampleRate)
                                 : DecodeAudioFile(o.music_file, o.duration_s, kSampleRate);
  music.resize(2 * n);
  std::vector<float> voice(n, 0.f);
  if (!o.voice.empty()) {
    const int base_wpm = o.voice.rfind("zh", 0) == 0 ? 190 : 175;
    for (const auto& l : TimeScript(script, t, o.duration_s)) {
      const double avail = l.end - l.start - 0.12;
      if (avail <= 0.2) continue;
      std::vector<float> v = Speak(l.line.text, o.voice, base_wpm, kSampleRate);
      const double len = static_cast<double>(v.size()) / kSampleRate;
      if (len > avail) {  // speak faster to fit the line's time
        v = Speak(l.line.text, o.voice, static_cast<int>(base_wpm * len / avail * 1.05),
                  kSampleRate);
      }
      const size_t at = static_cast<size_t>((l.start + 0.06) * kSampleRate);
      const size_t stop = std::min(n, static_cast<size_t>(l.end * kSampleRate));
      for (size_t i = 0; i < v.size() && at + i < stop; ++i) {
        const double fade =
            std::min(1.0, static_cast<double>(stop - at - i) / (0.02 * kSampleRate));
        voice[at + i] = static_cast<float>(v[i] * fade);
      }
    }
  }
  // Ducking: music at 0.8 alone, 0.3 under speech, with a 60 ms smoothing.
  std::vector<float> out(2 * n);
  const size_t block = kSampleRate / 100;
  double gain = 0.8;
  const double coeff = 1 - std::exp(-1.0 / 6);  // per 10 ms block
  for (size_t b = 0; b < n; b += block) {
    float peak = 0;
    for (size_t i = b; i < std::min(n, b + 3 * block); ++i)
      peak = std::max(peak, std::fabs(voice[i]));
    const double target = peak > 0.02f ? 0.3 : 0.8;
    gain += (target - gain) * coeff;
    for (size_t i = b; i < std::min(n, b + block); ++i) {
      for (int c = 0; c < 2; ++c) {
        out[2 * i + c] = static_cast<float>(std::tanh(music[2 * i + c] * gain + voice[i] * 0.95));
      }
    }
  }
  return out;
}

struct Encoder {
  AVCodecContext* ctx = nullptr;
  AVStream* stream = nullptr;
  ~Encoder() { avcodec_free_context(&ctx); }
};

struct Output {
  AVFormatContext* oc = nullptr;
  ~Output() {
    if (oc != nullptr) {
      if (oc->pb != nullptr) avio_closep(&oc->pb);
      avformat_free_context(oc);
    }
  }
};

void Drain(Encoder& e, AVFormatContext* oc, AVPacket* pkt, const std::string& what) {
  while (true) {
    const int rc = avcodec_receive_packet(e.ctx, pkt);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    AvCheck(rc, what);
    av_packet_rescale_ts(pkt, e.ctx->time_base, e.stream->time_base);
    pkt->stream_index = e.stream->index;
    AvCheck(av_interleaved_write_frame(oc, pkt), what);
  }
}

void CheckOptions(const RenderOptions& o) {
  if (o.width < 64 || o.height < 64 || o.width % 2 || o.height % 2 || o.width > 4096 ||
      o.height > 4096) {
    throw RenderError(fmt::format("frame size {}x{}: width and height must be even, 64..4096",
                                  o.width, o.height));
  }
  if (!(o.duration_s >= 1 && o.duration_s <= 120)) {
    throw RenderError(fmt::format("duration {} s: must be 1..120 s", o.duration_s));
  }
  if (o.fps < 1 || o.fps > 60) throw RenderError(fmt::format("fps {}: must be 1..60", o.fps));
  if (o.crf < 0 || o.crf > 51) throw RenderError(fmt::format("crf {}: must be 0..51", o.crf));
}

// The thumbnail: the frame at options.thumbnail_at_s (default 60% into the hook), as PNG.
void WriteThumbnail(Composer& composer, const RenderOptions& o, const std::filesystem::path& png) {
  Surface canvas = NewSurface(CAIRO_FORMAT_RGB24, o.width, o.height);
  Context cr = MakeContext(canvas.get());
  const double t = o.thumbnail_at_s >= 0 ? std::min(o.thumbnail_at_s, o.duration_s)
                                         : std::max(0.0, composer.hook_end() * 0.6);
  composer.Frame(cr.get(), t);
  cairo_surface_flush(canvas.get());
  if (cairo_surface_write_to_png(canvas.get(), png.c_str()) != CAIRO_STATUS_SUCCESS) {
    throw RenderError("cannot write thumbnail " + png.string() +
                      "; check that the output folder is writable");
  }
}

// Checks what every render needs before anything is written: options, script, fonts, folder.
void CheckRenderInputs(const Script& script, const SceneTemplate& tmpl, const RenderOptions& o,
                       const std::filesystem::path& out) {
  CheckOptions(o);
  if (script.lines.empty()) throw RenderError("the script has no lines");
  CheckFont(tmpl.fonts.title, "template " + tmpl.name + " fonts.title");
  CheckFont(tmpl.fonts.body, "template " + tmpl.name + " fonts.body");
  const std::filesystem::path dir =
      out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw RenderError("output folder " + dir.string() + " does not exist; create it first");
  }
}

}  // namespace

std::vector<TimedLine> TimeScript(const Script& script, const SceneTemplate& t, double duration_s) {
  const auto& pc = t.pacing;
  const double hook = std::min(pc.hook_s, duration_s * 0.2);
  int points = 0;
  bool has[kNumScriptParts] = {};
  for (const auto& l : script.lines) {
    points += l.part == ScriptPart::kSellingPoint;
    has[static_cast<int>(l.part)] = true;
  }
  auto share = [&](ScriptPart p) {
    if (!has[static_cast<int>(p)]) return 0.0;
    switch (p) {
      case ScriptPart::kSellingPoint:
        return pc.selling_points;
      case ScriptPart::kProof:
        return pc.proof;
      case ScriptPart::kPromotion:
        return pc.promotion;
      case ScriptPart::kCallToAction:
        return pc.call_to_action;
      case ScriptPart::kHook:
        return 0.0;
    }
    return 0.0;
  };
  double total = 0;
  for (int p = 1; p < kNumScriptParts; ++p) total += share(static_cast<ScriptPart>(p));
  const double rest = duration_s - (has[0] ? hook : 0);
  std::vector<TimedLine> out;
  double at = 0;
  for (const auto& l : script.lines) {
    double len = l.part == ScriptPart::kHook ? hook : 0;
    if (l.part != ScriptPart::kHook && total > 0) {
      len = rest * share(l.part) / total;
      if (l.part == ScriptPart::kSellingPoint) len /= std::max(points, 1);
    }
    out.push_back({l, at, at + len});
    at += len;
  }
  if (!out.empty()) out.back().end = duration_s;
  return out;
}

RenderResult RenderVideo(const ProductFacts& product, const Script& script,
                         const SceneTemplate& tmpl, const RenderOptions& o,
                         const std::filesystem::path& out_mp4) {
  const auto t0 = std::chrono::steady_clock::now();
  QuietFfmpegLogs();
  CheckRenderInputs(script, tmpl, o, out_mp4);
  // Inputs first: images, fonts, voice and music fail here, before any file exists.
  Composer composer(product, script, tmpl, o);
  const std::vector<float> audio = MixAudio(script, tmpl, o);

  TempFiles temps;
  const std::filesystem::path tmp_mp4 = temps.Add(out_mp4);
  std::filesystem::path thumb = out_mp4;
  thumb.replace_extension(".png");
  const std::string what = "writing " + out_mp4.string();

  Output out;
  AvCheck(avformat_alloc_output_context2(&out.oc, nullptr, "mp4", tmp_mp4.c_str()), what);
  const AVCodec* h264 = avcodec_find_encoder_by_name("libx264");
  if (h264 == nullptr) {
    throw RenderError(
        "this FFmpeg has no libx264 encoder; install Debian's libavcodec59 "
        "(it includes libx264)");
  }
  Encoder video;
  video.ctx = avcodec_alloc_context3(h264);
  video.ctx->width = o.width;
  video.ctx->height = o.height;
  video.ctx->time_base = AVRational{1, o.fps};
  video.ctx->framerate = AVRational{o.fps, 1};
  video.ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  video.ctx->gop_size = o.fps * 2;
  video.ctx->thread_count = o.threads;
  av_opt_set(video.ctx->priv_data, "preset", o.preset.c_str(), 0);
  av_opt_set(video.ctx->priv_data, "crf", std::to_string(o.crf).c_str(), 0);
  if (out.oc->oformat->flags & AVFMT_GLOBALHEADER) video.ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AvCheck(avcodec_open2(video.ctx, h264, nullptr), "cannot open the H.264 encoder");
  video.stream = avformat_new_stream(out.oc, nullptr);
  video.stream->time_base = video.ctx->time_base;
  AvCheck(avcodec_parameters_from_context(video.stream->codecpar, video.ctx), what);

  const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (aac == nullptr) throw RenderError("this FFmpeg has no AAC encoder");
  Encoder audio_enc;
  audio_enc.ctx = avcodec_alloc_context3(aac);
  audio_enc.ctx->sample_fmt = AV_SAMPLE_FMT_FLTP;
  audio_enc.ctx->sample_rate = kSampleRate;
  audio_enc.ctx->bit_rate = 128000;
  audio_enc.ctx->time_base = AVRational{1, kSampleRate};
  av_channel_layout_default(&audio_enc.ctx->ch_layout, 2);
  if (out.oc->oformat->flags & AVFMT_GLOBALHEADER) {
    audio_enc.ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  }
  AvCheck(avcodec_open2(audio_enc.ctx, aac, nullptr), "cannot open the AAC encoder");
  audio_enc.stream = avformat_new_stream(out.oc, nullptr);
  audio_enc.stream->time_base = audio_enc.ctx->time_base;
  AvCheck(avcodec_parameters_from_context(audio_enc.stream->codecpar, audio_enc.ctx), what);

  const int rc = avio_open(&out.oc->pb, tmp_mp4.c_str(), AVIO_FLAG_WRITE);
  if (rc < 0) {
    throw RenderError("cannot write " + tmp_mp4.string() + ": " + AvErrorText(rc) +
                      "; check that the output folder is writable");
  }
  AVDictionary* mux_opts = nullptr;
  av_dict_set(&mux_opts, "movflags", "+faststart", 0);
  const int hrc = avformat_write_header(out.oc, &mux_opts);
  av_dict_free(&mux_opts);
  AvCheck(hrc, what);

  std::unique_ptr<AVPacket, void (*)(AVPacket*)> pkt(av_packet_alloc(),
                                                     [](AVPacket* p) { av_packet_free(&p); });
  // Two frames: frame i+1 is composed on a helper thread while the encoder takes frame i, so
  // composition and x264 use both cores. x264 copies its input, and av_frame_make_writable
  // copies a frame the encoder would still hold.
  struct Slot {
    std::unique_ptr<AVFrame, void (*)(AVFrame*)> yuv{av_frame_alloc(),
                                                     [](AVFrame* f) { av_frame_free(&f); }};
  };
  Slot slots[2];
  for (Slot& sl : slots) {
    AVFrame* f = sl.yuv.get();
    f->format = AV_PIX_FMT_YUV420P;
    f->width = o.width;
    f->height = o.height;
    AvCheck(av_frame_get_buffer(f, 0), "cannot allocate a video frame");
  }
  std::unique_ptr<AVFrame, void (*)(AVFrame*)> aframe(av_frame_alloc(),
                                                      [](AVFrame* f) { av_frame_free(&f); });
  const int frame_size = audio_enc.ctx->frame_size > 0 ? audio_enc.ctx->frame_size : 1024;
  aframe->format = AV_SAMPLE_FMT_FLTP;
  aframe->nb_samples = frame_size;
  aframe->sample_rate = kSampleRate;
  av_channel_layout_default(&aframe->ch_layout, 2);
  AvCheck(av_frame_get_buffer(aframe.get(), 0), "cannot allocate an audio frame");

  const size_t total_samples = audio.size() / 2;
  size_t next_sample = 0;
  auto encode_audio_until = [&](double seconds) {
    while (next_sample < total_samples &&
           static_cast<double>(next_sample) / kSampleRate <= seconds) {
      AvCheck(av_frame_make_writable(aframe.get()), what);
      auto* l = reinterpret_cast<float*>(aframe->data[0]);
      auto* r = reinterpret_cast<float*>(aframe->data[1]);
      for (int i = 0; i < frame_size; ++i) {
        const size_t s = next_sample + i;
        l[i] = s < total_samples ? audio[2 * s] : 0.f;
        r[i] = s < total_samples ? audio[2 * s + 1] : 0.f;
      }
      aframe->pts = static_cast<int64_t>(next_sample);
      next_sample += frame_size;
      AvCheck(avcodec_send_frame(audio_enc.ctx, aframe.get()), what);
      Drain(audio_enc, out.oc, pkt.get(), what);
    }
  };

  const int frames = static_cast<int>(std::lround(o.duration_s * o.fps));
  // Composes frame i into its slot's YUV frame (on the helper thread; one at a time, so the
  // composer is never used concurrently).
  auto prepare = [&](int i) {
    Slot& sl = slots[i % 2];
    AvCheck(av_frame_make_writable(sl.yuv.get()), what);
    Yuv420View dst;
    for (int p = 0; p < 3; ++p) {
      dst.data[p] = sl.yuv->data[p];
      dst.linesize[p] = sl.yuv->linesize[p];
    }
    dst.width = o.width;
    dst.height = o.height;
    composer.FrameYuv(dst, static_cast<double>(i) / o.fps);
    sl.yuv->pts = i;
  };
  std::future<void> next;
  if (frames > 0) next = std::async(std::launch::async, prepare, 0);
  for (int i = 0; i < frames; ++i) {
    next.get();  // frame i is ready (or its error is thrown here)
    if (i + 1 < frames) next = std::async(std::launch::async, prepare, i + 1);
    const double t = static_cast<double>(i) / o.fps;
    AvCheck(avcodec_send_frame(video.ctx, slots[i % 2].yuv.get()), what);
    Drain(video, out.oc, pkt.get(), what);
    encode_audio_until(t + 1.0 / o.fps);
    if (o.progress && (i % o.fps == o.fps - 1 || i == frames - 1)) {
      o.progress(static_cast<double>(i + 1) / frames);
    }
  }
  encode_audio_until(o.duration_s);
  AvCheck(avcodec_send_frame(video.ctx, nullptr), what);
  Drain(video, out.oc, pkt.get(), what);
  AvCheck(avcodec_send_frame(audio_enc.ctx, nullptr), what);
  Drain(audio_enc, out.oc, pkt.get(), what);
  AvCheck(av_write_trailer(out.oc), what);
  AvCheck(avio_closep(&out.oc->pb), what);

  if (o.thumbnail) WriteThumbnail(composer, o, temps.Add(thumb));
  temps.Commit();
  RenderResult res;
  res.video = out_mp4;
  if (o.thumbnail) res.thumbnail = thumb;
  res.duration_s = o.duration_s;
  res.width = o.width;
  res.height = o.height;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

RenderResult RenderThumbnail(const ProductFacts& product, const Script& script,
                             const SceneTemplate& tmpl, const RenderOptions& o,
                             const std::filesystem::path& out_png) {
  const auto t0 = std::chrono::steady_clock::now();
  CheckRenderInputs(script, tmpl, o, out_png);
  Composer composer(product, script, tmpl, o);
  TempFiles temps;
  WriteThumbnail(composer, o, temps.Add(out_png));
  temps.Commit();
  RenderResult res;
  res.thumbnail = out_png;
  res.width = o.width;
  res.height = o.height;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace cf
