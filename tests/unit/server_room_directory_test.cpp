// Specification of server::RoomDirectory (src/server/room_directory.h): rooms made by
// their first join and gone with their last leave, each with its own members and limit,
// the server-wide limit over them all, and the list `ttycall rooms` shows.
#include "server/room_directory.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "server/participant.h"
#include "server/render_workers.h"
#include "server/server_context.h"

namespace ttycall::server {
namespace {

// An outbox that keeps the types of the packets sent to one participant.
struct RecordingOutbox : Outbox {
  std::vector<net::MsgType> types;
  bool send_control(std::span<const uint8_t> packet) override {
    types.push_back(net::MsgType(packet[5]));
    return true;
  }
  bool send_audio(std::span<const uint8_t>) override { return true; }
  void offer_video(const core::PooledBuffer&) override {}
  void close_with_bye(net::ByeReason, std::string_view) override {}
};

struct Person {
  explicit Person(const std::string& name) : participant(std::make_shared<Participant>(outbox)) {
    participant->set_name(net::Name::from(name));
  }
  RecordingOutbox outbox;
  std::shared_ptr<Participant> participant;
};

ServerOptions options_with(int max_clients) {
  ServerOptions options;
  options.insecure = true;  // no identity file
  options.max_clients = max_clients;
  return options;
}

struct Directory : ::testing::Test {
  explicit Directory(int max_clients = 8) : context(options_with(max_clients)) {}
  ServerContext context;
  RenderWorkers workers{0};
  RoomDirectory rooms{context, workers};
};

TEST_F(Directory, ARoomComesWithItsFirstMemberAndGoesWithItsLast) {
  Person ada("ada"), bob("bob"), cy("cy");
  const auto a = rooms.join(net::Name::from("ops"), 64, ada.participant);
  const auto b = rooms.join(net::Name::from("ops"), 64, bob.participant);
  const auto c = rooms.join(net::Name::from("dev"), 64, cy.participant);
  ASSERT_TRUE(a.room && b.room && c.room);
  EXPECT_EQ(a.room, b.room);
  EXPECT_NE(a.room, c.room);
  EXPECT_EQ(a.room->name().view(), "ops");
  EXPECT_EQ(a.room->size(), 2);
  // Ids are the room's own: the first member of each room is 1.
  EXPECT_EQ(ada.participant->id(), 1u);
  EXPECT_EQ(bob.participant->id(), 2u);
  EXPECT_EQ(cy.participant->id(), 1u);
  std::vector<std::shared_ptr<Room>> live(rooms.capacity());
  EXPECT_EQ(rooms.snapshot(live), 2);
  EXPECT_EQ(context.counters.clients_now.load(), 3);

  rooms.leave(*c.room, *cy.participant);
  EXPECT_EQ(rooms.snapshot(live), 1);
  EXPECT_EQ(live[0], a.room);
  rooms.leave(*a.room, *ada.participant);
  rooms.leave(*a.room, *ada.participant);  // twice is once
  EXPECT_EQ(rooms.snapshot(live), 1);
  rooms.leave(*b.room, *bob.participant);
  EXPECT_EQ(rooms.snapshot(live), 0);
  EXPECT_EQ(context.counters.clients_now.load(), 0);
  EXPECT_EQ(context.counters.clients_peak.load(), 3);

  // A name used again is a new room.
  Person dee("dee");
  const auto d = rooms.join(net::Name::from("ops"), 64, dee.participant);
  ASSERT_TRUE(d.room);
  EXPECT_NE(d.room, a.room);
  EXPECT_EQ(dee.participant->id(), 1u);
  rooms.clear();
}

TEST_F(Directory, MembersAreToldOnlyOfTheirOwnRoom) {
  Person ada("ada"), bob("bob");
  const auto a = rooms.join(net::Name::from("ops"), 64, ada.participant);
  const size_t ada_before = ada.outbox.types.size();
  const auto b = rooms.join(net::Name::from("dev"), 64, bob.participant);
  ASSERT_TRUE(a.room && b.room);
  // Bob's join sent Ada nothing: not a Joined, not a Participants list.
  EXPECT_EQ(ada.outbox.types.size(), ada_before);
  rooms.leave(*b.room, *bob.participant);
  EXPECT_EQ(ada.outbox.types.size(), ada_before);
  rooms.clear();
}

TEST_F(Directory, EachRoomKeepsItsLimit) {
  Person ada("ada"), bob("bob"), cy("cy");
  ASSERT_TRUE(rooms.join(net::Name::from("pair"), 1, ada.participant).room);
  const auto refused = rooms.join(net::Name::from("pair"), 1, bob.participant);
  EXPECT_FALSE(refused.room);
  EXPECT_EQ(refused.refusal, net::ByeReason::kRoomFull);
  EXPECT_TRUE(rooms.join(net::Name::from("other"), 1, cy.participant).room);
  EXPECT_EQ(context.counters.clients_now.load(), 2);
  rooms.clear();
}

struct SmallServer : Directory {
  SmallServer() : Directory(2) {}
};

TEST_F(SmallServer, TheServerLimitCountsEveryRoom) {
  Person ada("ada"), bob("bob"), cy("cy");
  ASSERT_TRUE(rooms.join(net::Name::from("one"), 64, ada.participant).room);
  ASSERT_TRUE(rooms.join(net::Name::from("two"), 64, bob.participant).room);
  const auto refused = rooms.join(net::Name::from("three"), 64, cy.participant);
  EXPECT_FALSE(refused.room);
  EXPECT_EQ(refused.refusal, net::ByeReason::kServerFull);
  std::vector<std::shared_ptr<Room>> live(rooms.capacity());
  EXPECT_EQ(rooms.snapshot(live), 2);  // the refused join made no room
  rooms.clear();
}

TEST_F(Directory, TheListIsLargestFirstThenByName) {
  std::vector<std::unique_ptr<Person>> people;
  auto add = [&](const char* room) {
    people.push_back(std::make_unique<Person>("p" + std::to_string(people.size())));
    ASSERT_TRUE(rooms.join(net::Name::from(room), 64, people.back()->participant).room);
  };
  add("b");
  add("a");
  add("c");
  add("c");
  net::RoomList list;
  rooms.list(list);
  EXPECT_EQ(list.total, 3);
  ASSERT_EQ(list.count, 3);
  EXPECT_EQ(list.rooms[0].name.view(), "c");
  EXPECT_EQ(list.rooms[0].members, 2);
  EXPECT_EQ(list.rooms[1].name.view(), "a");
  EXPECT_EQ(list.rooms[2].name.view(), "b");
  EXPECT_EQ(list.rooms[2].members, 1);
  rooms.clear();
}

}  // namespace
}  // namespace ttycall::server
