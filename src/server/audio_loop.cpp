#include "server/audio_loop.h"

#include <algorithm>
#include <cstring>

#include "server/room.h"
#include "server/server_context.h"

namespace ttycall::server {

namespace audio = media::audio;

namespace {

audio::MixerParams mixer_params(const ServerOptions& options) {
  audio::MixerParams params = options.mixer;
  params.max_mixed = options.mixed_speakers;
  return params;
}

}  // namespace

AudioLoop::AudioLoop(ServerContext& context, Room& room, int max_members)
    : context_(context),
      room_(room),
      mixer_(max_members, mixer_params(context.options)),
      shared_encoder_(context.options.opus),
      members_(size_t(max_members)),
      slots_(size_t(max_members)) {
  for (int seat = 0; seat < mixer_.max_mixed(); ++seat) {
    own_encoders_.push_back(std::make_unique<audio::OpusEncoder>(context.options.opus));
  }
}

void AudioLoop::tick() {
  ++seq_;
  const int n = room_.snapshot(members_);

  // 1. Every participant's frame for this tick, straight into the mixer.
  for (int i = 0; i < n; ++i) {
    slots_[size_t(i)] = members_[size_t(i)]->audio_slot();
    if (slots_[size_t(i)] < 0) continue;
    uint64_t capture_us = 0;
    if (members_[size_t(i)]->pop_audio(mixer_.input(slots_[size_t(i)]), capture_us)) {
      mixer_.submit(slots_[size_t(i)], capture_us);
    }
  }
  mixer_.mix();

  // 2. Who is speaking: shown on the tiles and in the participant list.
  header_.speaker_count = 0;
  for (int i = 0; i < n; ++i) {
    const bool speaking = slots_[size_t(i)] >= 0 && mixer_.speaking(slots_[size_t(i)]);
    members_[size_t(i)]->set_speaking(speaking);  // a change reaches the list on the next tick
    if (speaking && header_.speaker_count < net::kMaxAudioSpeakers) {
      header_.speakers[header_.speaker_count++] = members_[size_t(i)]->id();
    }
  }

  // 3. Encode each distinct mix once. A listener who starts talking continues the shared
  // stream's encoder state, so its decoder hears no discontinuity.
  bool anyone_shared = false;
  for (int i = 0; i < n; ++i) {
    if (slots_[size_t(i)] < 0) continue;
    if (mixer_.switched_to_own(slots_[size_t(i)])) {
      own_encoders_[size_t(mixer_.seat(slots_[size_t(i)]))]->copy_state_from(shared_encoder_);
    }
    if (mixer_.mix_for(slots_[size_t(i)]) == audio::AudioMixer::kSharedMix) anyone_shared = true;
  }
  shared_packet_size_ = 0;
  if (anyone_shared && mixer_.active_count() > 0) {
    shared_opus_size_ =
        shared_encoder_.encode(mixer_.mix(audio::AudioMixer::kSharedMix), shared_opus_);
    shared_packet_size_ = build_packet(audio::AudioMixer::kSharedMix,
                                       {shared_opus_.data(), shared_opus_size_}, shared_packet_);
  }

  // 4. One packet per listener: the shared one, or their own mix encoded now. Silence
  // (nobody talking) is not sent at all; clients conceal and then idle.
  for (int i = 0; i < n; ++i) {
    const int slot = slots_[size_t(i)];
    if (slot < 0) continue;
    if (mixer_.mix_for(slot) == audio::AudioMixer::kSharedMix) {
      if (shared_packet_size_ > 0)
        members_[size_t(i)]->outbox().send_audio({shared_packet_.data(), shared_packet_size_});
      continue;
    }
    // An own mix with nobody else in it would be silence: skip it.
    if (mixer_.active_count() <= 1) continue;
    const size_t opus_size =
        own_encoders_[size_t(mixer_.seat(slot))]->encode(mixer_.mix(slot), own_opus_);
    const size_t size = build_packet(slot, {own_opus_.data(), opus_size}, own_packet_);
    if (size > 0) members_[size_t(i)]->outbox().send_audio({own_packet_.data(), size});
  }

  for (int i = 0; i < n; ++i) members_[size_t(i)].reset();
}

size_t AudioLoop::build_packet(int mix_id, std::span<const uint8_t> opus, std::span<uint8_t> out) {
  if (opus.empty()) return 0;
  header_.seq = seq_;
  header_.capture_us = mixer_.capture_us(mix_id);
  const size_t fixed = net::encode(header_, out.subspan(net::kHeaderSize));
  if (fixed == 0 || net::kHeaderSize + fixed + opus.size() > out.size()) return 0;
  std::memcpy(out.data() + net::kHeaderSize + fixed, opus.data(), opus.size());
  const size_t payload = fixed + opus.size();
  net::write_header(net::MsgType::kAudioDown, out.subspan(net::kHeaderSize, payload),
                    out.first<net::kHeaderSize>());
  return net::kHeaderSize + payload;
}

}  // namespace ttycall::server
