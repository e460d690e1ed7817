#include "media_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <memory>
#include <vector>

#include "media/av_handles.h"

namespace ttycall::itest {
namespace {

struct OutputCloser {
  void operator()(AVFormatContext* f) const {
    if (f->pb) avio_closep(&f->pb);
    avformat_free_context(f);
  }
};
using media::CodecFreer;
using media::FrameFreer;
using media::PacketFreer;
using media::SwsFreer;

std::string err(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

struct Encoder {
  std::unique_ptr<AVCodecContext, CodecFreer> ctx;
  AVStream* stream = nullptr;
};

// Sends `frame` (null = flush) and writes every packet that comes out.
std::string encode(AVFormatContext* out, Encoder& e, AVFrame* frame, AVPacket* packet) {
  int rc = avcodec_send_frame(e.ctx.get(), frame);
  if (rc < 0) return "encoding failed: " + err(rc);
  while ((rc = avcodec_receive_packet(e.ctx.get(), packet)) >= 0) {
    av_packet_rescale_ts(packet, e.ctx->time_base, e.stream->time_base);
    packet->stream_index = e.stream->index;
    rc = av_interleaved_write_frame(out, packet);
    if (rc < 0) return "writing failed: " + err(rc);
  }
  return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? "" : "encoding failed: " + err(rc);
}

}  // namespace

void test_media_picture(const TestMedia& m, int index, uint8_t* rgb) {
  const int square = std::max(2, m.height / 4);
  const int sx = m.width / 2 - square / 2;
  const int sy = (index * 2) % std::max(1, m.height - square);
  for (int y = 0; y < m.height; ++y) {
    for (int x = 0; x < m.width; ++x) {
      uint8_t* p = rgb + (size_t(y) * m.width + x) * 3;
      const bool in_square = x >= sx && x < sx + square && y >= sy && y < sy + square;
      if (in_square) {
        p[0] = 0, p[1] = 255, p[2] = 0;
      } else if (x < m.width / 2) {
        p[0] = 255, p[1] = 0, p[2] = 0;
      } else {
        p[0] = 0, p[1] = 0, p[2] = 255;
      }
    }
  }
}

std::string write_test_media(const std::string& path, const TestMedia& m) {
  av_log_set_level(AV_LOG_ERROR);
  AVFormatContext* raw = nullptr;
  int rc = avformat_alloc_output_context2(&raw, nullptr, nullptr, path.c_str());
  if (rc < 0 || !raw) return "no container for " + path + ": " + err(rc);
  std::unique_ptr<AVFormatContext, OutputCloser> out(raw);
  const bool global_header = out->oformat->flags & AVFMT_GLOBALHEADER;

  Encoder video;
  const AVCodec* vcodec = nullptr;
  if (!m.video_codec.empty()) {
    vcodec = avcodec_find_encoder_by_name(m.video_codec.c_str());
    if (!vcodec) return "this FFmpeg has no encoder " + m.video_codec;
    video.ctx.reset(avcodec_alloc_context3(vcodec));
    video.ctx->width = m.width;
    video.ctx->height = m.height;
    video.ctx->time_base = {1, m.fps};
    video.ctx->framerate = {m.fps, 1};
    video.ctx->gop_size = m.fps;
    video.ctx->bit_rate = 800000;
    video.ctx->pix_fmt = vcodec->pix_fmts ? vcodec->pix_fmts[0] : AV_PIX_FMT_YUV420P;
    for (const AVPixelFormat* f = vcodec->pix_fmts; f && *f != AV_PIX_FMT_NONE; ++f) {
      if (*f == AV_PIX_FMT_YUV420P) video.ctx->pix_fmt = *f;
    }
    if (m.video_codec == "libvpx") {
      av_opt_set(video.ctx->priv_data, "deadline", "realtime", 0);
      av_opt_set_int(video.ctx->priv_data, "cpu-used", 8, 0);
    }
    if (global_header) video.ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(video.ctx.get(), vcodec, nullptr)) < 0) {
      return "cannot open encoder " + m.video_codec + ": " + err(rc);
    }
    video.stream = avformat_new_stream(out.get(), nullptr);
    avcodec_parameters_from_context(video.stream->codecpar, video.ctx.get());
    video.stream->time_base = video.ctx->time_base;
  }

  Encoder sound;
  if (!m.audio_codec.empty()) {
    const AVCodec* acodec = avcodec_find_encoder_by_name(m.audio_codec.c_str());
    if (!acodec) return "this FFmpeg has no encoder " + m.audio_codec;
    sound.ctx.reset(avcodec_alloc_context3(acodec));
    sound.ctx->sample_rate = 48000;
    sound.ctx->sample_fmt = acodec->sample_fmts ? acodec->sample_fmts[0] : AV_SAMPLE_FMT_S16;
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    av_channel_layout_copy(&sound.ctx->ch_layout, &mono);
    sound.ctx->bit_rate = 64000;
    sound.ctx->time_base = {1, 48000};
    if (global_header) sound.ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(sound.ctx.get(), acodec, nullptr)) < 0) {
      return "cannot open encoder " + m.audio_codec + ": " + err(rc);
    }
    sound.stream = avformat_new_stream(out.get(), nullptr);
    avcodec_parameters_from_context(sound.stream->codecpar, sound.ctx.get());
    sound.stream->time_base = sound.ctx->time_base;
  }

  if ((rc = avio_open(&out->pb, path.c_str(), AVIO_FLAG_WRITE)) < 0) {
    return "cannot create " + path + ": " + err(rc);
  }
  if ((rc = avformat_write_header(out.get(), nullptr)) < 0) {
    return "cannot write the header of " + path + ": " + err(rc);
  }

  std::unique_ptr<AVPacket, PacketFreer> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameFreer> picture(av_frame_alloc());
  std::unique_ptr<SwsContext, SwsFreer> sws;
  if (video.ctx) {
    picture->format = video.ctx->pix_fmt;
    picture->width = m.width;
    picture->height = m.height;
    av_frame_get_buffer(picture.get(), 0);
    sws.reset(sws_getContext(m.width, m.height, AV_PIX_FMT_RGB24, m.width, m.height,
                             video.ctx->pix_fmt, SWS_BILINEAR, nullptr, nullptr, nullptr));
  }
  std::vector<uint8_t> rgb(size_t(m.width) * m.height * 3);

  std::unique_ptr<AVFrame, FrameFreer> samples(av_frame_alloc());
  const int frame_samples = sound.ctx && sound.ctx->frame_size > 0 ? sound.ctx->frame_size : 1024;
  if (sound.ctx) {
    samples->format = sound.ctx->sample_fmt;
    samples->nb_samples = frame_samples;
    samples->sample_rate = 48000;
    av_channel_layout_copy(&samples->ch_layout, &sound.ctx->ch_layout);
    av_frame_get_buffer(samples.get(), 0);
  }

  const int video_frames = video.ctx ? int(std::lround(m.seconds * m.fps)) : 0;
  const int64_t total_samples = int64_t(m.seconds * 48000);
  int next_picture = 0;
  int64_t next_sample = 0;
  while (next_picture < video_frames || (sound.ctx && next_sample < total_samples)) {
    const double picture_time = double(next_picture) / m.fps;
    const double sample_time = double(next_sample) / 48000;
    const bool do_video =
        next_picture < video_frames &&
        (!sound.ctx || next_sample >= total_samples || picture_time <= sample_time);
    std::string failed;
    if (do_video) {
      av_frame_make_writable(picture.get());
      test_media_picture(m, next_picture, rgb.data());
      const uint8_t* planes[1] = {rgb.data()};
      const int strides[1] = {m.width * 3};
      sws_scale(sws.get(), planes, strides, 0, m.height, picture->data, picture->linesize);
      picture->pts = next_picture++;
      failed = encode(out.get(), video, picture.get(), packet.get());
    } else {
      av_frame_make_writable(samples.get());
      for (int i = 0; i < frame_samples; ++i) {
        const double t = double(next_sample + i) / 48000;
        const double v = m.amplitude * std::sin(2 * M_PI * m.tone_hz * t);
        switch (sound.ctx->sample_fmt) {
          case AV_SAMPLE_FMT_FLT:
          case AV_SAMPLE_FMT_FLTP:
            reinterpret_cast<float*>(samples->data[0])[i] = float(v);
            break;
          case AV_SAMPLE_FMT_S16:
          case AV_SAMPLE_FMT_S16P:
            reinterpret_cast<int16_t*>(samples->data[0])[i] = int16_t(std::lround(v * 32767));
            break;
          default:
            return "unexpected sample format for " + m.audio_codec;
        }
      }
      samples->pts = next_sample;
      next_sample += frame_samples;
      failed = encode(out.get(), sound, samples.get(), packet.get());
    }
    if (!failed.empty()) return failed;
  }
  for (Encoder* e : {&video, &sound}) {
    if (!e->ctx) continue;
    if (std::string failed = encode(out.get(), *e, nullptr, packet.get()); !failed.empty()) {
      return failed;
    }
  }
  if ((rc = av_write_trailer(out.get())) < 0) return "cannot finish " + path + ": " + err(rc);
  return "";
}

}  // namespace ttycall::itest
