// Rooms larger than a grid (src/server/gallery.h, participant_list.h, compositor.h): more
// than 64 members in one room, each viewer's gallery, and camera requests only for those
// some viewer shows. Light raw connections stand in for clients, so 80 of them cost little.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "memory_report_parser.h"
#include "net/protocol.h"
#include "raw_connection.h"
#include "server/decoded_demand.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

// Reads packets until `done` returns true for one of them, or `timeout` passes. Every
// packet is shown to `seen` first (if given).
bool read_until(RawConnection& c, const std::function<bool(const RawConnection::Packet&)>& done,
                std::chrono::milliseconds timeout,
                const std::function<void(const RawConnection::Packet&)>& seen = {}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto packet = c.read_packet(500ms);
    if (!packet) continue;
    if (seen) seen(*packet);
    if (done(*packet)) return true;
  }
  return false;
}

// The names on a VideoDown's tiles, in tile order.
std::vector<std::string> labels_of(const RawConnection::Packet& p) {
  net::VideoDownHeader header;
  std::span<const uint8_t> picture;
  std::vector<std::string> names;
  if (p.header.type != net::MsgType::kVideoDown || !net::decode(p.payload, header, picture)) {
    return names;
  }
  for (int i = 0; i < header.label_count; ++i) {
    names.emplace_back(header.labels[size_t(i)].name.view());
  }
  return names;
}

std::optional<net::VideoRequest> video_request_of(const RawConnection::Packet& p) {
  net::VideoRequest request;
  if (p.header.type != net::MsgType::kVideoRequest || !net::decode(p.payload, request)) {
    return std::nullopt;
  }
  return request;
}

std::vector<std::string> server_args(TempDir& dir, int gallery, int max_room) {
  return {"--max-clients", "100", "--max-connections-per-ip", "100",
          // Every member connects from 127.0.0.1 at once.
          "--max-pending-per-ip", "100", "--connections-per-ip-per-second", "1000",
          "--handshakes-per-ip-per-second", "1000", "--idle-timeout",
          "120",  // raw members never ping
          "--gallery", std::to_string(gallery), "--max-room-size", std::to_string(max_room),
          "--identity", dir.file("server_key")};
}

TEST(BigRoom, EightyMembersShareOneRoomAndTheListSaysHowManyThereAre) {
  TempDir dir;
  constexpr int kMembers = 80;
  ServerProcess server(server_args(dir, 16, kMembers), dir.file("server.stderr"));
  std::vector<std::unique_ptr<RawConnection>> members;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(members.back()->join("m-" + std::to_string(i + 1), 120, 40))
        << "member " << i + 1 << "; server stderr:\n"
        << server.stderr_text();
  }
  // The last one learns the whole count, with the first 64 of the ranking listed, and sees
  // a picture of the room: a gallery of 16 tiles. Nobody here has a camera or speaks, so
  // the view is drawn once and each newcomer is sent that one picture, before or after its
  // list (the order varies with timing), so both are looked for in one pass. (Generous:
  // under the sanitizers on a loaded machine 80 joins and their renders take a while.)
  net::Participants list;
  bool got_list = false;
  int pictures = 0;
  size_t last_labels = 0;
  read_until(
      *members.back(),
      [&](const RawConnection::Packet& p) {
        if (p.header.type == net::MsgType::kParticipants && net::decode(p.payload, list) &&
            list.total == kMembers) {
          got_list = true;
        } else if (p.header.type == net::MsgType::kVideoDown) {
          ++pictures;
          last_labels = labels_of(p).size();
        }
        return got_list && last_labels == 16;
      },
      60s);
  ASSERT_TRUE(got_list) << "no list of " << kMembers << "; the last said " << list.total;
  EXPECT_EQ(list.count, net::kMaxListedParticipants);
  ASSERT_EQ(last_labels, 16u) << "no VideoDown with 16 tiles among " << pictures
                              << "; server stderr:\n"
                              << server.stderr_text();
  // The room is full at its maximum: one more is refused with the reason.
  RawConnection extra(server.port());
  ASSERT_TRUE(extra.key_exchange(net::Identity::generate()));
  net::Hello hello;
  hello.cols = 40;
  hello.rows = 12;
  hello.name = net::Name::from("one-too-many");
  ASSERT_TRUE(extra.send_message(net::MsgType::kHello, hello));
  net::Bye bye;
  EXPECT_TRUE(extra.wait_closed(10s, &bye));
  EXPECT_EQ(bye.reason, net::ByeReason::kRoomFull);
}

TEST(BigRoom, TheGalleryShowsThePinThenCamerasAndOnlyTheyAreAskedForVideo) {
  TempDir dir;
  ServerProcess server(server_args(dir, 3, 16), dir.file("server.stderr"));
  const std::vector<std::string> names{"ann", "bob", "cat", "dan", "eve", "fay"};
  std::vector<std::unique_ptr<RawConnection>> m;
  for (const std::string& name : names) {
    m.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(m.back()->join(name, 60, 20)) << name << "\n" << server.stderr_text();
  }
  RawConnection& bob = *m[1];
  RawConnection& fay = *m[5];
  // bob and dan switch their cameras off: the cameras that are on (ann, cat, eve, fay, in
  // join order) now rank first, and a gallery of 3 shows ann, cat and eve.
  ASSERT_TRUE(bob.send_message(net::MsgType::kMediaState, net::MediaState{net::kMediaVideoOff}));
  ASSERT_TRUE(m[3]->send_message(net::MsgType::kMediaState, net::MediaState{net::kMediaVideoOff}));

  // fay, never shown, is never asked for video, and sees the three.
  int fay_video_asks = 0;
  net::Participants list;
  std::vector<std::string> labels;
  const auto fay_sees = [&](const RawConnection::Packet& p) {
    if (auto r = video_request_of(p); r && r->width != 0) ++fay_video_asks;
    net::Participants l;
    if (p.header.type == net::MsgType::kParticipants && net::decode(p.payload, l)) list = l;
  };
  const bool shown = read_until(
      fay,
      [&](const RawConnection::Packet& p) {
        labels = labels_of(p);
        return std::set<std::string>(labels.begin(), labels.end()) ==
               std::set<std::string>{"ann", "cat", "eve"};
      },
      20s, fay_sees);
  ASSERT_TRUE(shown) << "fay's last tiles: " << labels.size();
  EXPECT_EQ(fay_video_asks, 0);

  // bob had been shown (all cameras counted until he switched his off), so he was asked for
  // video; once off, he is told to send none.
  std::vector<net::VideoRequest> bob_asks;
  ASSERT_TRUE(read_until(
      bob,
      [&](const RawConnection::Packet& p) {
        auto r = video_request_of(p);
        if (r) bob_asks.push_back(*r);
        return r && r->width == 0 && r->height == 0 && bob_asks.size() > 1;
      },
      20s))
      << "bob got " << bob_asks.size() << " video requests";
  // ann, shown, is asked for video.
  ASSERT_TRUE(read_until(
      *m[0], [&](const RawConnection::Packet& p) { return video_request_of(p).has_value(); }, 20s));

  // fay pins dan (camera off, ranked last): dan takes the first tile; of the others the
  // two best stay where they were.
  uint32_t dan_id = 0;
  const auto find_dan = [&] {
    for (int i = 0; i < list.count; ++i) {
      if (list.list[size_t(i)].name.view() == "dan") dan_id = list.list[size_t(i)].id;
    }
    return dan_id != 0;
  };
  // The list may come after the pictures: read on until it does.
  if (!find_dan()) {
    read_until(
        fay, [&](const RawConnection::Packet&) { return find_dan(); }, 20s, fay_sees);
  }
  ASSERT_NE(dan_id, 0u) << "dan is not in fay's list of " << list.count;
  ASSERT_TRUE(fay.send_message(net::MsgType::kResize,
                               net::Resize{60, 20, net::ViewLayout::kGrid, dan_id, 3}));
  const std::vector<std::string> before = labels;
  ASSERT_TRUE(read_until(
      fay,
      [&](const RawConnection::Packet& p) {
        labels = labels_of(p);
        return !labels.empty() && labels[0] == "dan";
      },
      20s))
      << server.stderr_text();
  ASSERT_EQ(labels.size(), 3u);
  for (size_t t = 1; t < 3; ++t) {
    // Whoever is still shown besides dan keeps a tile they had, unless dan took it.
    if (labels[t] != before[0]) {
      EXPECT_EQ(labels[t], before[t]) << t;
    }
  }
  // A gallery of 1 (the viewer's own choice): dan only.
  ASSERT_TRUE(fay.send_message(net::MsgType::kResize,
                               net::Resize{60, 20, net::ViewLayout::kGrid, dan_id, 1}));
  ASSERT_TRUE(read_until(
      fay,
      [&](const RawConnection::Packet& p) {
        labels = labels_of(p);
        return labels == std::vector<std::string>{"dan"};
      },
      20s));
}

// The decoded camera frames are reserved for the members some view shows, not for every
// member: twelve members, a gallery of 2, so 2 are asked for video and the pool holds
// 3 frames for each of them (and 2 spare), not for the twelve. A viewer who asks for a
// gallery of 3 adds one shown member, and takes it back when they leave.
TEST(BigRoom, DecodedFramesAreReservedForTheShownMembersOnly) {
  TempDir dir;
  constexpr int kMembers = 12;
  const auto frames_for = [](size_t shown) {
    return int64_t(server::DecodedDemand::frames_for(shown));
  };
  const std::string report_file = dir.file("memory.txt");
  std::vector<std::string> args = server_args(dir, 2, kMembers);
  args.insert(args.end(), {"--memory-report", report_file});
  ServerProcess server(args, dir.file("server.stderr"));
  std::vector<std::unique_ptr<RawConnection>> members;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(members.back()->join("m-" + std::to_string(i + 1), 60, 20))
        << "member " << i + 1 << "; server stderr:\n"
        << server.stderr_text();
  }
  // Asks for a report until one says what `done` wants (or 30 s pass); returns the last.
  MemoryReport report;
  const auto report_until = [&](const std::function<bool(const MemoryReport&)>& done) {
    return wait_until(
        [&] {
          const size_t had = memory_reports_in(read_file_or_empty(report_file)).size();
          server.process().send_signal(SIGUSR1);
          std::vector<MemoryReport> reports;
          if (!wait_until(
                  [&] {
                    reports = memory_reports_in(read_file_or_empty(report_file));
                    return reports.size() > had;
                  },
                  10s)) {
            return false;
          }
          report = reports.back();
          return done(report);
        },
        30s, 250ms);
  };
  const auto decoded_allocated = [](const MemoryReport& r) -> int64_t {
    const PoolLine* pool = r.pool("video.decoded");
    return pool ? pool->allocated : -1;
  };
  const auto lobby_members = [](const MemoryReport& r) -> int64_t {
    const RoomLine* room = r.room("lobby");
    return room ? room->members : -1;
  };

  EXPECT_TRUE(report_until([&](const MemoryReport& r) {
    return lobby_members(r) == kMembers && decoded_allocated(r) == frames_for(2);
  })) << "with "
      << kMembers << " members, 2 of them shown:\n"
      << joined_lines(report.lines);
  // The room's own line counts its 2 shown members' frames, not its twelve's.
  const RoomLine* lobby = report.room("lobby");
  const PoolLine* decoded = report.pool("video.decoded");
  ASSERT_TRUE(lobby && decoded);
  const double frame_bytes = decoded->buffer_bytes;  // 640x480x3 by default
  EXPECT_GE(lobby->reserved_bytes,
            0.99 * 2 * server::DecodedDemand::kFramesPerShownMember * frame_bytes);
  EXPECT_LT(lobby->reserved_bytes, 3 * server::DecodedDemand::kFramesPerShownMember * frame_bytes);

  // The last member asks for a gallery of 3 (a view of its own): one more is shown.
  RawConnection& wide = *members.back();
  ASSERT_TRUE(
      wide.send_message(net::MsgType::kResize, net::Resize{60, 20, net::ViewLayout::kGrid, 0, 3}));
  EXPECT_TRUE(report_until([&](const MemoryReport& r) {
    return decoded_allocated(r) == frames_for(3);
  })) << "a gallery of 3 beside the galleries of 2:\n"
      << joined_lines(report.lines);

  // It leaves: back to the 2 the others show.
  members.pop_back();
  EXPECT_TRUE(report_until([&](const MemoryReport& r) {
    return lobby_members(r) == kMembers - 1 && decoded_allocated(r) == frames_for(2);
  })) << "after the gallery of 3 left:\n"
      << joined_lines(report.lines);

  // Everyone leaves: only the spare frames stay.
  members.clear();
  EXPECT_TRUE(report_until([&](const MemoryReport& r) {
    return r.room_count == 0 && decoded_allocated(r) == frames_for(0);
  })) << "after everyone left:\n"
      << joined_lines(report.lines);
}

}  // namespace
}  // namespace ttycall::itest
