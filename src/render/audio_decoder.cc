#include "render/audio_decoder.h"

#include <memory>

#include "render/render_error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace cf {
namespace {

struct SwrFreer {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
using Swr = std::unique_ptr<SwrContext, SwrFreer>;

Swr MakeSwr(const AVChannelLayout* in_layout, AVSampleFormat in_fmt, int in_rate,
            const AVChannelLayout* out_layout, int out_rate) {
  SwrContext* raw = nullptr;
  AvCheck(swr_alloc_set_opts2(&raw, const_cast<AVChannelLayout*>(out_layout), AV_SAMPLE_FMT_FLT,
                              out_rate, const_cast<AVChannelLayout*>(in_layout), in_fmt, in_rate, 0,
                              nullptr),
          "cannot set up the audio resampler");
  Swr swr(raw);
  AvCheck(swr_init(swr.get()), "cannot start the audio resampler");
  return swr;
}

// Converts `count` input samples, appending interleaved floats to `out`.
void Convert(SwrContext* swr, const uint8_t** in, int count, int channels,
             std::vector<float>& out) {
  const int cap = swr_get_out_samples(swr, count);
  if (cap <= 0) return;
  const size_t old = out.size();
  out.resize(old + static_cast<size_t>(cap) * channels);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data() + old);
  const int got = AvCheck(swr_convert(swr, &dst, cap, in, count), "audio resampling failed");
  out.resize(old + static_cast<size_t>(got) * channels);
}

}  // namespace

std::vector<float> ResampleMono(const std::vector<float>& in, int in_rate, int out_rate) {
  if (in_rate == out_rate || in.empty()) return in;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  Swr swr = MakeSwr(&mono, AV_SAMPLE_FMT_FLT, in_rate, &mono, out_rate);
  std::vector<float> out;
  const uint8_t* src[1] = {reinterpret_cast<const uint8_t*>(in.data())};
  Convert(swr.get(), src, static_cast<int>(in.size()), 1, out);
  Convert(swr.get(), nullptr, 0, 1, out);  // flush
  return out;
}

std::vector<float> DecodeAudioFile(const std::filesystem::path& file, double seconds,
                                   int sample_rate) {
  const std::string name = file.string();
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, name.c_str(), nullptr, nullptr);
  if (rc < 0) throw RenderError("cannot open music file " + name + ": " + AvErrorText(rc));
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> fmt(
      raw, [](AVFormatContext* f) { avformat_close_input(&f); });
  avformat_find_stream_info(fmt.get(), nullptr);
  const int stream = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (stream < 0) throw RenderError("music file " + name + " has no audio stream");
  const AVCodecParameters* par = fmt->streams[stream]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (codec == nullptr) throw RenderError("music file " + name + ": unsupported audio codec");
  std::unique_ptr<AVCodecContext, void (*)(AVCodecContext*)> dec(
      avcodec_alloc_context3(codec), [](AVCodecContext* c) { avcodec_free_context(&c); });
  AvCheck(avcodec_parameters_to_context(dec.get(), par), "music file " + name);
  AvCheck(avcodec_open2(dec.get(), codec, nullptr), "cannot open decoder for " + name);
  AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
  Swr swr = MakeSwr(&dec->ch_layout, dec->sample_fmt, dec->sample_rate, &stereo, sample_rate);
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> pkt(av_packet_alloc(),
                                                     [](AVPacket* p) { av_packet_free(&p); });
  std::unique_ptr<AVFrame, void (*)(AVFrame*)> frame(av_frame_alloc(),
                                                     [](AVFrame* f) { av_frame_free(&f); });
  std::vector<float> out;
  const size_t want = static_cast<size_t>(seconds * sample_rate) * 2;
  auto drain = [&] {
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
      Convert(swr.get(), const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples, 2,
              out);
      av_frame_unref(frame.get());
    }
  };
  while (out.size() < want && av_read_frame(fmt.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == stream && avcodec_send_packet(dec.get(), pkt.get()) >= 0) drain();
    av_packet_unref(pkt.get());
  }
  avcodec_send_packet(dec.get(), nullptr);
  drain();
  if (out.empty()) throw RenderError("music file " + name + " decoded to no audio");
  const size_t have = out.size();
  out.resize(want);
  for (size_t i = have; i < want; ++i) out[i] = out[i % have];  // loop a short file
  return out;
}

}  // namespace cf
