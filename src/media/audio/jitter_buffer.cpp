#include "media/audio/jitter_buffer.h"

#include <algorithm>
#include <cstring>

#include "core/alloc_accounting.h"

namespace ttycall::media::audio {
namespace {

const core::AllocSite& jitter_site() {
  static const core::AllocSite site("audio.jitter");
  return site;
}

constexpr int64_t kFrameUs = int64_t(kFrameMs) * 1000;

// Signed distance a - b in sequence space (wraps at 2^32).
int32_t seq_diff(uint32_t a, uint32_t b) {
  return int32_t(a - b);
}

}  // namespace

JitterBuffer::JitterBuffer(const JitterBufferParams& params) : params_(params) {
  params_.min_delay_frames = std::clamp(params_.min_delay_frames, 1, kSlots / 4);
  params_.max_delay_frames =
      std::clamp(params_.max_delay_frames, params_.min_delay_frames, kSlots / 4);
  params_.initial_delay_frames =
      std::clamp(params_.initial_delay_frames, params_.min_delay_frames, params_.max_delay_frames);
  params_.shrink_margin_frames = std::clamp(params_.shrink_margin_frames, 1, kSlots / 4);
  params_.drop_interval = std::max(params_.drop_interval, 1);
  params_.shrink_window = std::max(params_.shrink_window, 1);
  params_.window_packets = std::max(params_.window_packets, 1);
  params_.max_underrun_frames = std::max(params_.max_underrun_frames, 1);
  target_ = params_.initial_delay_frames;
  const core::ScopedAllocSite scope(jitter_site());
  slots_ = std::make_unique<Slot[]>(kSlots);
}

void JitterBuffer::reset() {
  for (int i = 0; i < kSlots; ++i) slots_[i].used = false;
  stats_ = {};
  started_ = playing_ = false;
  may_rewind_ = true;
  next_seq_ = highest_seq_ = 0;
  highest_ext_ = 0;
  target_ = params_.initial_delay_frames;
  delay_ms_ = 0;
  underrun_run_ = pulls_since_drop_ = shrink_pulls_ = 0;
  forget_measurements();
}

int JitterBuffer::buffered_frames() const {
  if (!started_) return 0;
  return std::max(seq_diff(highest_seq_, next_seq_) + 1, 0);
}

int JitterBuffer::jitter_ms() const {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const Window& w : windows_) {
    lo = std::min(lo, w.min_transit);
    hi = std::max(hi, w.max_transit);
  }
  return hi >= lo ? int((hi - lo) / 1000) : 0;
}

void JitterBuffer::forget_measurements() {
  windows_ = {};
  window_count_ = 0;
}

void JitterBuffer::measure(int64_t ext_seq, uint64_t arrival_us) {
  const int64_t transit = int64_t(arrival_us) - ext_seq * kFrameUs;
  Window& w = windows_[0];
  w.min_transit = std::min(w.min_transit, transit);
  w.max_transit = std::max(w.max_transit, transit);
  if (++window_count_ >= params_.window_packets) {
    windows_[1] = windows_[0];
    windows_[0] = Window{};
    window_count_ = 0;
  }
  const int64_t spread_us = int64_t(jitter_ms()) * 1000;
  const int frames = int((spread_us + kFrameUs - 1) / kFrameUs) + params_.min_delay_frames;
  target_ = std::clamp(frames, params_.min_delay_frames, params_.max_delay_frames);
}

void JitterBuffer::resync(uint32_t seq) {
  for (int i = 0; i < kSlots; ++i) {
    if (slots_[i].used) ++stats_.dropped;
    slots_[i].used = false;
  }
  ++stats_.resyncs;
  started_ = true;
  playing_ = false;
  may_rewind_ = true;
  next_seq_ = highest_seq_ = seq;
  highest_ext_ = 0;
  underrun_run_ = pulls_since_drop_ = shrink_pulls_ = 0;
  forget_measurements();
}

void JitterBuffer::drop(uint32_t seq) {
  Slot& s = slot(seq);
  if (s.used && s.seq == seq) {
    s.used = false;
    ++stats_.dropped;
  }
}

JitterBuffer::PushResult JitterBuffer::push(uint32_t seq, uint64_t capture_us,
                                            std::span<const uint8_t> packet, uint64_t arrival_us) {
  if (packet.empty() || packet.size() > kMaxPacketBytes) {
    ++stats_.invalid;
    return PushResult::kInvalid;
  }
  PushResult result = PushResult::kStored;
  if (!started_) {
    started_ = true;
    next_seq_ = highest_seq_ = seq;
    highest_ext_ = 0;
  }
  const int32_t ahead = seq_diff(seq, next_seq_);
  if (ahead >= kSlots || ahead < -kSlots) {
    // Too far ahead to hold, or absurdly old: the sender restarted or we fell far behind.
    resync(seq);
    result = PushResult::kResync;
  }

  const int32_t above_highest = seq_diff(seq, highest_seq_);
  measure(highest_ext_ + above_highest, arrival_us);

  if (seq_diff(seq, next_seq_) < 0) {
    // Before the next frame to play. Until playback starts, the start may still move back.
    if (may_rewind_ && seq_diff(highest_seq_, seq) < kSlots - 1) {
      next_seq_ = seq;
    } else {
      ++stats_.late;
      return PushResult::kLate;
    }
  }

  Slot& s = slot(seq);
  if (s.used && s.seq == seq) {
    ++stats_.duplicates;
    return PushResult::kDuplicate;
  }
  if (s.used) ++stats_.dropped;  // an unplayed packet 64 frames older (cannot normally happen)
  s.seq = seq;
  s.used = true;
  s.size = uint16_t(packet.size());
  s.capture_us = capture_us;
  std::memcpy(s.bytes.data(), packet.data(), packet.size());
  if (above_highest > 0) {
    highest_seq_ = seq;
    highest_ext_ += above_highest;
  }
  ++stats_.received;
  return result;
}

bool JitterBuffer::start_playing() {
  // Find the first packet at or after next_seq_; frames missing before it are a gap in the
  // stream (before its start, or a pause), not losses.
  const int span = buffered_frames();
  int first = 0;
  while (first < span && !has(next_seq_ + uint32_t(first))) ++first;
  if (first == span || span - first < target_) return false;
  next_seq_ += uint32_t(first);
  playing_ = true;
  may_rewind_ = false;
  underrun_run_ = pulls_since_drop_ = shrink_pulls_ = 0;
  return true;
}

void JitterBuffer::shrink() {
  int depth = buffered_frames();
  ++pulls_since_drop_;
  shrink_min_depth_ = shrink_pulls_ == 0 ? depth : std::min(shrink_min_depth_, depth);
  const bool persistent = ++shrink_pulls_ >= params_.shrink_window && shrink_min_depth_ > target_;
  if (shrink_pulls_ >= params_.shrink_window) shrink_pulls_ = 0;

  if (depth > params_.max_delay_frames + params_.shrink_margin_frames) {
    while (depth > target_) {  // far too much: skip it all at once
      drop(next_seq_++);
      --depth;
    }
  } else if ((depth > target_ + params_.shrink_margin_frames &&
              pulls_since_drop_ >= params_.drop_interval) ||
             persistent) {
    drop(next_seq_++);
  } else {
    return;
  }
  pulls_since_drop_ = 0;
  shrink_pulls_ = 0;
}

void JitterBuffer::update_delay(uint32_t seq, uint64_t now_us) {
  int64_t fastest = INT64_MAX;
  for (const Window& w : windows_) fastest = std::min(fastest, w.min_transit);
  if (fastest == INT64_MAX) {
    delay_ms_ = buffered_frames() * kFrameMs;  // nothing measured since a pause
    return;
  }
  const int64_t ext = highest_ext_ + seq_diff(seq, highest_seq_);
  const int64_t earliest = ext * kFrameUs + fastest;
  delay_ms_ = int(std::max<int64_t>(int64_t(now_us) - earliest, 0) / 1000);
}

JitterBuffer::Pull JitterBuffer::pull(uint64_t now_us) {
  return next(true, now_us);
}

JitterBuffer::Pull JitterBuffer::pull() {
  return next(false, 0);
}

JitterBuffer::Pull JitterBuffer::next(bool timed, uint64_t now_us) {
  Pull out;
  if (!started_ || (!playing_ && !start_playing())) {
    delay_ms_ = 0;
    return out;
  }
  shrink();
  const int depth = buffered_frames();
  out.seq = next_seq_;
  if (timed) {
    update_delay(next_seq_, now_us);
  } else {
    delay_ms_ = depth * kFrameMs;
  }

  Slot& s = slot(next_seq_);
  if (s.used && s.seq == next_seq_) {
    s.used = false;  // the bytes stay valid until the slot is written again
    out.action = Action::kDecode;
    out.packet = {s.bytes.data(), s.size};
    out.capture_us = s.capture_us;
    ++next_seq_;
    underrun_run_ = 0;
    return out;
  }

  ++stats_.concealed;
  if (depth == 0) {
    // Nothing newer has arrived: conceal and wait (the delay grows by one frame).
    ++stats_.underruns;
    out.action = Action::kConceal;
    if (++underrun_run_ >= params_.max_underrun_frames) {
      // Go idle. The stream stopped (a pause) or stalled; either way the transit times
      // measured so far no longer describe it: measure afresh when packets come back.
      playing_ = false;
      forget_measurements();
    }
    return out;
  }

  // Lost: later packets are here but this one is not.
  ++stats_.lost;
  underrun_run_ = 0;
  ++next_seq_;
  const Slot& next = slot(next_seq_);
  if (next.used && next.seq == next_seq_) {
    ++stats_.fec_recovered;
    out.action = Action::kDecodeFec;
    out.packet = {next.bytes.data(), next.size};
  } else {
    out.action = Action::kConceal;
  }
  return out;
}

}  // namespace ttycall::media::audio
