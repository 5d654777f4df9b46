#include "render/image_loader.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "render/render_error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

namespace cf {
namespace {

struct FormatCloser {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct CodecFreer {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFreer {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};

// Decodes the first video frame of `file`.
std::unique_ptr<AVFrame, FrameFreer> DecodeFirstFrame(const std::string& file) {
  const std::string hint = " (use a JPEG, PNG or WebP image)";
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);
  if (rc < 0) throw RenderError("cannot open image " + file + ": " + AvErrorText(rc) + hint);
  std::unique_ptr<AVFormatContext, FormatCloser> fmt(raw);
  rc = avformat_find_stream_info(fmt.get(), nullptr);
  const int stream = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (rc < 0 || stream < 0) throw RenderError("image " + file + " holds no picture" + hint);
  const AVCodecParameters* par = fmt->streams[stream]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (codec == nullptr) throw RenderError("image " + file + " has an unsupported format" + hint);
  std::unique_ptr<AVCodecContext, CodecFreer> dec(avcodec_alloc_context3(codec));
  AvCheck(avcodec_parameters_to_context(dec.get(), par), "image " + file);
  dec->thread_count = 1;
  AvCheck(avcodec_open2(dec.get(), codec, nullptr), "cannot open decoder for image " + file);
  std::unique_ptr<AVPacket, PacketFreer> pkt(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFreer> frame(av_frame_alloc());
  bool sent_eof = false;
  while (true) {
    rc = avcodec_receive_frame(dec.get(), frame.get());
    if (rc == 0) break;
    if (rc != AVERROR(EAGAIN)) {
      throw RenderError("image " + file + " could not be decoded: " + AvErrorText(rc) + hint);
    }
    if (sent_eof) throw RenderError("image " + file + " could not be decoded" + hint);
    rc = av_read_frame(fmt.get(), pkt.get());
    if (rc < 0) {
      avcodec_send_packet(dec.get(), nullptr);
      sent_eof = true;
      continue;
    }
    if (pkt->stream_index == stream) {
      rc = avcodec_send_packet(dec.get(), pkt.get());
      if (rc < 0 && rc != AVERROR(EAGAIN)) {
        av_packet_unref(pkt.get());
        throw RenderError("image " + file + " is corrupt: " + AvErrorText(rc) + hint);
      }
    }
    av_packet_unref(pkt.get());
  }
  if (frame->width <= 0 || frame->height <= 0 || frame->format < 0) {
    throw RenderError("image " + file + " decoded to an empty picture" + hint);
  }
  // Some decoders report damaged data through flags rather than errors.
  if (frame->decode_error_flags != 0 || (frame->flags & AV_FRAME_FLAG_CORRUPT)) {
    throw RenderError("image " + file + " is corrupt (damaged data)" + hint);
  }
  return frame;
}

}  // namespace

cairo_surface_t* LoadImageCover(const std::filesystem::path& file, int width, int height,
                                const Rgba& background) {
  QuietFfmpegLogs();
  const std::string name = file.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw RenderError("image " + name + " does not exist or is not a file");
  }
  auto frame = DecodeFirstFrame(name);
  // Scale so the image covers width x height, then crop the centre.
  const double s = std::max(static_cast<double>(width) / frame->width,
                            static_cast<double>(height) / frame->height);
  const int sw = std::max(width, static_cast<int>(std::ceil(frame->width * s)));
  const int sh = std::max(height, static_cast<int>(std::ceil(frame->height * s)));
  SwsContext* sws =
      sws_getContext(frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), sw, sh,
                     AV_PIX_FMT_BGRA, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (sws == nullptr) throw RenderError("image " + name + ": unsupported pixel format");
  std::vector<uint8_t> scaled(static_cast<size_t>(sw) * sh * 4 + 64);
  uint8_t* dst[4] = {scaled.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {sw * 4, 0, 0, 0};
  sws_scale(sws, frame->data, frame->linesize, 0, frame->height, dst, dst_stride);
  sws_freeContext(sws);

  cairo_surface_t* out = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status(out) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(out);
    throw RenderError("out of memory for image " + name);
  }
  cairo_surface_flush(out);
  uint8_t* data = cairo_image_surface_get_data(out);
  const int stride = cairo_image_surface_get_stride(out);
  const int x0 = (sw - width) / 2, y0 = (sh - height) / 2;
  const int br = static_cast<int>(background.r * 255), bg = static_cast<int>(background.g * 255),
            bb = static_cast<int>(background.b * 255);
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = scaled.data() + (static_cast<size_t>(y + y0) * sw + x0) * 4;
    uint8_t* row = data + static_cast<size_t>(y) * stride;
    for (int x = 0; x < width; ++x) {
      const int a = src[4 * x + 3];
      row[4 * x + 0] = static_cast<uint8_t>((src[4 * x + 0] * a + bb * (255 - a)) / 255);
      row[4 * x + 1] = static_cast<uint8_t>((src[4 * x + 1] * a + bg * (255 - a)) / 255);
      row[4 * x + 2] = static_cast<uint8_t>((src[4 * x + 2] * a + br * (255 - a)) / 255);
      row[4 * x + 3] = 255;
    }
  }
  cairo_surface_mark_dirty(out);
  return out;
}

}  // namespace cf
