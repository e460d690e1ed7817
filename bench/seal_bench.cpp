// Micro benchmarks of encryption: every VideoDown packet is sealed once per viewer (a
// shared packet is copied into each session's seal buffer), every packet is opened once by
// its receiver. XChaCha20-Poly1305 through net::SecureChannel, at the packet sizes a call
// sees: a control message, an audio packet, and compressed frames of 16 KiB and 256 KiB.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <vector>

#include "net/keys.h"
#include "net/protocol.h"
#include "net/secure_channel.h"

namespace {

using namespace ttycall;

net::SessionKeys random_keys() {
  net::ensure_sodium();
  net::SessionKeys keys;
  randombytes_buf(keys.transmit.data(), keys.transmit.size());
  randombytes_buf(keys.receive.data(), keys.receive.size());
  return keys;
}

std::vector<uint8_t> plain_packet(size_t payload) {
  std::vector<uint8_t> packet(net::kHeaderSize + payload, 0x5A);
  net::write_header(net::MsgType::kVideoDown, {packet.data() + net::kHeaderSize, payload},
                    std::span<uint8_t, net::kHeaderSize>(packet.data(), net::kHeaderSize));
  return packet;
}

// Arg: payload bytes. What a session does per video packet: seal a copy of the shared one.
void BM_SealSharedPacket(benchmark::State& state) {
  const std::vector<uint8_t> shared = plain_packet(size_t(state.range(0)));
  std::vector<uint8_t> sealed(shared.size() + net::kSealOverhead);
  net::SecureChannel channel;
  channel.enable(random_keys());
  for (auto _ : state) {
    benchmark::DoNotOptimize(channel.seal_to(shared, sealed));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_SealSharedPacket)->Arg(8)->Arg(300)->Arg(16 << 10)->Arg(256 << 10);

// Arg: payload bytes. What a receiver does: open in place (a fresh sealed copy each time,
// since a packet opens once; the copy is timed too and is a small part of it).
void BM_OpenPacket(benchmark::State& state) {
  const net::SessionKeys keys = random_keys();
  net::SessionKeys mirror;
  mirror.receive = keys.transmit;
  const std::vector<uint8_t> plain = plain_packet(size_t(state.range(0)));
  net::SecureChannel sender, receiver;
  sender.enable(keys);
  receiver.enable(mirror);
  std::vector<uint8_t> wire(plain.size() + net::kSealOverhead);
  for (auto _ : state) {
    sender.seal_to(plain, wire);
    bool ok = false;
    benchmark::DoNotOptimize(
        receiver.open(std::span<const uint8_t, net::kHeaderSize>(wire.data(), net::kHeaderSize),
                      {wire.data() + net::kHeaderSize, wire.size() - net::kHeaderSize}, ok));
    if (!ok) state.SkipWithError("did not open");
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_OpenPacket)->Arg(300)->Arg(16 << 10)->Arg(256 << 10);

}  // namespace
