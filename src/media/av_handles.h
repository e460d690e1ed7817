#pragma once
// Deleters for FFmpeg's handles, so each lives in a std::unique_ptr (RAII) wherever
// ttycall decodes (av_decoder) or a test encodes media.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace ttycall::media {

struct FormatCloser {  // an input opened with avformat_open_input
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
struct SwsFreer {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct SwrFreer {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct DictFreer {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

}  // namespace ttycall::media
