#include "media/av_decoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "media/audio/audio_format.h"
#include "media/av_handles.h"

namespace ttycall::media {
namespace {

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What went wrong and what to do about it, for the one-line message.
std::string advice_for(int code, const std::string& url);
std::string explain(int code, const std::string& url, double timeout_s) {
  if (code == AVERROR_EXIT) {  // our interrupt callback: the deadline passed
    char text[64];
    std::snprintf(text, sizeof text, "no answer within %.0f s", timeout_s);
    return text + advice_for(code, url);
  }
  return av_error_text(code) + advice_for(code, url);
}

std::string advice_for(int code, const std::string& url) {
  if (code == AVERROR(ENOENT)) return " (check the path)";
  if (code == AVERROR(EACCES)) return " (check the file's permissions)";
  if (code == AVERROR_INVALIDDATA) return " (is it a video or audio file FFmpeg can read?)";
  if (code == AVERROR_EXIT || code == AVERROR(ETIMEDOUT)) {
    return " (check the address and the network)";
  }
  if (url.find("://") != std::string::npos) return " (check the address and the network)";
  return "";
}

}  // namespace

struct AvDecoder::Impl {
  std::unique_ptr<AVFormatContext, FormatCloser> format;
  std::unique_ptr<AVCodecContext, CodecFreer> video;
  std::unique_ptr<AVCodecContext, CodecFreer> audio;
  std::unique_ptr<AVPacket, PacketFreer> packet{av_packet_alloc()};
  std::unique_ptr<AVFrame, FrameFreer> frame{av_frame_alloc()};
  std::unique_ptr<SwsContext, SwsFreer> sws;
  std::unique_ptr<SwrContext, SwrFreer> swr;
  double video_time_base = 0;
  double audio_time_base = 0;
  double start_seconds = 0;  // the container's start time
};

AvDecoder::AvDecoder() : impl_(std::make_unique<Impl>()) {}
AvDecoder::~AvDecoder() = default;

int AvDecoder::on_interrupt(void* self) {
  const auto* d = static_cast<const AvDecoder*>(self);
  if (d->interrupted_.load()) return 1;
  const int64_t deadline = d->deadline_ns_.load();
  return deadline != 0 && now_ns() > deadline ? 1 : 0;
}

core::Result<std::unique_ptr<AvDecoder>> AvDecoder::open(const std::string& url,
                                                         const AvDecoderOptions& options) {
  // FFmpeg's own lines (even its errors: "moov atom not found", a damaged macroblock in a
  // stream) would scribble over the call; what matters comes back as our one-line message.
  av_log_set_level(AV_LOG_QUIET);
  std::unique_ptr<AvDecoder> d(new AvDecoder());
  d->network_timeout_s_ = options.network_timeout_s;
  Impl& impl = *d->impl_;
  if (!impl.packet || !impl.frame)
    return core::Status::failed("cannot open " + url + ": out of memory");

  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return core::Status::failed("cannot open " + url + ": out of memory");
  raw->interrupt_callback = {&AvDecoder::on_interrupt, d.get()};
  AVDictionary* dict_raw = nullptr;
  // Network inputs: a stalled socket read fails instead of hanging (microseconds).
  av_dict_set_int(&dict_raw, "rw_timeout", int64_t(options.network_timeout_s * 1e6), 0);
  std::unique_ptr<AVDictionary, DictFreer> dict(dict_raw);
  const auto deadline = [&] {
    d->deadline_ns_.store(now_ns() + int64_t(options.network_timeout_s * 1e9));
  };
  deadline();
  AVDictionary* dict_ptr = dict.release();
  int rc = avformat_open_input(&raw, url.c_str(), nullptr, &dict_ptr);
  dict.reset(dict_ptr);
  if (rc < 0) {  // avformat_open_input frees the context on failure
    return core::Status::failed("cannot open " + url + ": " +
                                explain(rc, url, options.network_timeout_s));
  }
  impl.format.reset(raw);
  deadline();
  rc = avformat_find_stream_info(raw, nullptr);
  if (rc < 0) {
    return core::Status::failed("cannot read " + url + ": " +
                                explain(rc, url, options.network_timeout_s));
  }
  impl.start_seconds =
      raw->start_time != AV_NOPTS_VALUE ? double(raw->start_time) / AV_TIME_BASE : 0.0;

  if (options.video) {
    const int index = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (index < 0) {
      return core::Status::invalid_input(
          url + " has no video stream (use it with --audio file:" + url + ")");
    }
    if (core::Status opened = d->open_codec(index, true); !opened.is_ok()) return opened;
  }
  if (options.audio) {
    const int index = av_find_best_stream(raw, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (index >= 0) {
      if (core::Status opened = d->open_codec(index, false); !opened.is_ok()) return opened;
    }
  }
  if (!options.video && d->audio_index_ < 0) {
    return core::Status::invalid_input(url + " has no audio stream FFmpeg can decode");
  }

  if (d->has_video()) {
    // The frames keep the video's aspect, scaled down to fit the bounds.
    const AVCodecContext* v = impl.video.get();
    const double scale = std::min({1.0, double(options.max_width) / std::max(1, v->width),
                                   double(options.max_height) / std::max(1, v->height)});
    d->out_width_ = std::max(1, int(std::lround(v->width * scale)));
    d->out_height_ = std::max(1, int(std::lround(v->height * scale)));
  }
  d->audio_.resize(audio::kSampleRate / 2);  // half a second: more than any usual frame
  d->deadline_ns_.store(0);
  return d;
}

core::Status AvDecoder::open_codec(int index, bool video) {
  AVStream* stream = impl_->format->streams[index];
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  const char* kind = video ? "video" : "audio";
  const std::string url = impl_->format->url ? impl_->format->url : "the input";
  if (!codec) {
    return core::Status::invalid_input(url + ": no decoder for its " + kind + " codec '" +
                                       avcodec_get_name(stream->codecpar->codec_id) +
                                       "' in this FFmpeg");
  }
  std::unique_ptr<AVCodecContext, CodecFreer> ctx(avcodec_alloc_context3(codec));
  int rc = ctx ? avcodec_parameters_to_context(ctx.get(), stream->codecpar) : AVERROR(ENOMEM);
  if (rc >= 0) {
    ctx->thread_count = 1;  // frames in order, with no decoder threads of its own
    rc = avcodec_open2(ctx.get(), codec, nullptr);
  }
  if (rc < 0) {
    return core::Status::failed(url + ": cannot open its " + std::string(kind) + " decoder '" +
                                codec->name + "': " + av_error_text(rc));
  }
  if (video) {
    if (ctx->width <= 0 || ctx->height <= 0) {
      return core::Status::invalid_input(url + ": its video has no size");
    }
    video_index_ = index;
    impl_->video_time_base = av_q2d(stream->time_base);
    impl_->video = std::move(ctx);
  } else {
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    SwrContext* swr = nullptr;
    rc = swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, audio::kSampleRate, &ctx->ch_layout,
                             ctx->sample_fmt, ctx->sample_rate, 0, nullptr);
    if (rc < 0 || swr_init(swr) < 0) {
      swr_free(&swr);
      return core::Status::invalid_input(url + ": cannot convert its audio to 48 kHz mono");
    }
    impl_->swr.reset(swr);
    audio_index_ = index;
    impl_->audio_time_base = av_q2d(stream->time_base);
    impl_->audio = std::move(ctx);
  }
  return core::Status::ok();
}

AvDecoder::Step AvDecoder::receive(bool video) {
  AVCodecContext* ctx = video ? impl_->video.get() : impl_->audio.get();
  AVFrame* frame = impl_->frame.get();
  av_frame_unref(frame);
  const int rc = avcodec_receive_frame(ctx, frame);
  if (rc == AVERROR_EOF) {
    (video ? video_drained_ : audio_drained_) = true;
    return Step::kEnd;
  }
  if (rc < 0) {  // EAGAIN: it needs more input; after the flush any error ends it
    if (flushed_) (video ? video_drained_ : audio_drained_) = true;
    return Step::kEnd;
  }
  const double base = video ? impl_->video_time_base : impl_->audio_time_base;
  const int64_t ts = frame->best_effort_timestamp;
  if (ts != AV_NOPTS_VALUE) pts_ = std::max(0.0, double(ts) * base - impl_->start_seconds);
  duration_ = frame->pkt_duration > 0 ? double(frame->pkt_duration) * base : 0.0;
  bad_packets_ = 0;
  if (video) return Step::kVideo;

  const int needed = swr_get_out_samples(impl_->swr.get(), frame->nb_samples);
  if (needed > int(audio_.size())) audio_.resize(size_t(needed));  // a larger frame, once
  uint8_t* out[] = {reinterpret_cast<uint8_t*>(audio_.data())};
  const int got = swr_convert(impl_->swr.get(), out, int(audio_.size()),
                              const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
  audio_count_ = got > 0 ? size_t(got) : 0;
  if (!video && frame->sample_rate > 0 && duration_ == 0) {
    duration_ = double(frame->nb_samples) / frame->sample_rate;
  }
  return Step::kAudio;
}

AvDecoder::Step AvDecoder::next() {
  Impl& impl = *impl_;
  for (;;) {
    if (impl.video && !video_drained_ && receive(true) == Step::kVideo) return Step::kVideo;
    if (impl.audio && !audio_drained_ && receive(false) == Step::kAudio) return Step::kAudio;
    if (flushed_) {
      if ((!impl.video || video_drained_) && (!impl.audio || audio_drained_)) return Step::kEnd;
      continue;
    }
    deadline_ns_.store(now_ns() + int64_t(network_timeout_s_ * 1e9));
    const int rc = av_read_frame(impl.format.get(), impl.packet.get());
    deadline_ns_.store(0);
    if (rc == AVERROR_EOF || (rc < 0 && avio_feof(impl.format->pb))) {
      // The input ended: flush the decoders for their last frames.
      if (impl.video) avcodec_send_packet(impl.video.get(), nullptr);
      if (impl.audio) avcodec_send_packet(impl.audio.get(), nullptr);
      flushed_ = true;
      continue;
    }
    if (rc == AVERROR(EAGAIN)) continue;
    if (rc < 0) {
      failure_ = core::Status::failed(
          interrupted_.load()
              ? "stopped"
              : "reading failed: " +
                    explain(rc, impl.format->url ? impl.format->url : "", network_timeout_s_));
      return Step::kError;
    }
    const int index = impl.packet->stream_index;
    AVCodecContext* ctx = index == video_index_   ? impl.video.get()
                          : index == audio_index_ ? impl.audio.get()
                                                  : nullptr;
    if (ctx) {
      const int sent = avcodec_send_packet(ctx, impl.packet.get());
      // A damaged packet is skipped; only a long run of them means the input is not
      // something we can decode.
      if (sent < 0 && sent != AVERROR(EAGAIN) && ++bad_packets_ > 100) {
        failure_ = core::Status::failed("cannot decode: " + av_error_text(sent));
        av_packet_unref(impl.packet.get());
        return Step::kError;
      }
    }
    av_packet_unref(impl.packet.get());
  }
}

void AvDecoder::video_rgb(MutableImageView out) {
  const AVFrame* f = impl_->frame.get();
  // Same sizes and format as last time: the cached context is returned as it is.
  SwsContext* sws = sws_getCachedContext(impl_->sws.release(), f->width, f->height,
                                         AVPixelFormat(f->format), out.width, out.height,
                                         AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
  impl_->sws.reset(sws);
  if (!sws) return;
  uint8_t* planes[4] = {out.rgb, nullptr, nullptr, nullptr};
  int strides[4] = {out.stride, 0, 0, 0};
  sws_scale(sws, f->data, f->linesize, 0, f->height, planes, strides);
}

bool AvDecoder::rewind() {
  Impl& impl = *impl_;
  const int64_t start = impl.format->start_time != AV_NOPTS_VALUE ? impl.format->start_time : 0;
  if (avformat_seek_file(impl.format.get(), -1, INT64_MIN, start, start, 0) < 0 &&
      av_seek_frame(impl.format.get(), -1, start, AVSEEK_FLAG_BACKWARD) < 0) {
    return false;
  }
  if (impl.video) avcodec_flush_buffers(impl.video.get());
  if (impl.audio) avcodec_flush_buffers(impl.audio.get());
  flushed_ = video_drained_ = audio_drained_ = false;
  return true;
}

}  // namespace ttycall::media
