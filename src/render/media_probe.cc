#include "render/media_probe.h"

#include <memory>

#include "render/render_error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace cf {

MediaInfo ProbeMedia(const std::filesystem::path& file) {
  QuietFfmpegLogs();
  AVFormatContext* raw = nullptr;
  const std::string name = file.string();
  int rc = avformat_open_input(&raw, name.c_str(), nullptr, nullptr);
  if (rc < 0) throw RenderError("cannot open " + name + ": " + AvErrorText(rc));
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> fmt(
      raw, [](AVFormatContext* f) { avformat_close_input(&f); });
  AvCheck(avformat_find_stream_info(fmt.get(), nullptr), "cannot parse " + name);
  MediaInfo info;
  if (fmt->duration > 0) info.duration_s = static_cast<double>(fmt->duration) / AV_TIME_BASE;
  int video = -1;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVStream* s = fmt->streams[i];
    const AVCodecParameters* p = s->codecpar;
    if (p->codec_type == AVMEDIA_TYPE_VIDEO && video < 0) {
      video = static_cast<int>(i);
      info.width = p->width;
      info.height = p->height;
      info.video_codec = avcodec_get_name(p->codec_id);
      if (s->avg_frame_rate.den > 0) info.fps = av_q2d(s->avg_frame_rate);
    } else if (p->codec_type == AVMEDIA_TYPE_AUDIO && info.audio_codec.empty()) {
      info.audio_codec = avcodec_get_name(p->codec_id);
      info.audio_sample_rate = p->sample_rate;
      info.audio_channels = p->ch_layout.nb_channels;
    }
  }
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> pkt(av_packet_alloc(),
                                                     [](AVPacket* p) { av_packet_free(&p); });
  while (av_read_frame(fmt.get(), pkt.get()) >= 0) {
    info.video_frames += pkt->stream_index == video;
    av_packet_unref(pkt.get());
  }
  return info;
}

}  // namespace cf
