#include <catch2/catch.hpp>

#include "fake_driver.hpp"
#include "peer/peer.hpp"

using namespace wre;
using namespace wre::test;

namespace {

struct OpenPeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  explicit OpenPeer(Config c = makeConfig()) : peer(std::move(c), driver, log) { REQUIRE(peer.start()); }
  static Config makeConfig() {
    Config c;
    c.peerId = "q";
    c.maxBufferedAmount = 100;
    c.lowWaterMark = 10;
    c.maxQueuedBytes = 50;
    return c;
  }
};

}  // namespace

TEST_CASE("messages sent before the channel opens are queued, then sent in order on open") {
  OpenPeer p;
  REQUIRE(p.peer.send(kReliable, bytesPayload("a")));
  REQUIRE(p.peer.send(kReliable, bytesPayload("bb")));
  CHECK(p.driver.sent.empty());
  CHECK(p.peer.queuedMessages() == 2);
  CHECK(p.peer.queuedBytes() == 3);
  CHECK(p.log.count<event::MessageQueued>() == 2);
  p.peer.onChannelOpen(kReliable);
  REQUIRE(p.driver.sent.size() == 2);
  CHECK(p.driver.sent[0].second == "a");
  CHECK(p.driver.sent[1].second == "bb");
  CHECK(p.peer.queuedMessages() == 0);
  CHECK(p.log.count<event::MessageSent>() == 2);
}

TEST_CASE("a full browser buffer queues; buffered-amount-low drains") {
  OpenPeer p;
  p.peer.onChannelOpen(kFile);
  p.driver.buffered[kFile] = 95;
  REQUIRE(p.peer.send(kFile, bytesPayload("0123456789")));
  CHECK(p.driver.sent.empty());
  REQUIRE(p.peer.send(kFile, bytesPayload("x")));  // behind the queued one, never overtakes it
  CHECK(p.driver.sent.empty());
  p.driver.buffered[kFile] = 5;
  p.peer.onBufferedAmountLow(kFile);
  REQUIRE(p.driver.sent.size() == 2);
  CHECK(p.driver.sent[0].second == "0123456789");
  CHECK(p.driver.sent[1].second == "x");
}

TEST_CASE("a full queue refuses the send with a clear error; nothing is dropped") {
  OpenPeer p;
  REQUIRE(p.peer.send(kReliable, bytesPayload(std::string(40, 'a'))));
  auto r = p.peer.send(kReliable, bytesPayload(std::string(20, 'b')));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Send);
  CHECK(r.error().message.find("maxQueuedBytes (50)") != std::string::npos);
  CHECK(p.peer.queuedMessages() == 1);
  CHECK(p.log.count<event::ErrorRaised>() == 1);
}

TEST_CASE("channels queue independently") {
  OpenPeer p;
  p.peer.onChannelOpen(kControl);
  REQUIRE(p.peer.send(kReliable, bytesPayload("r")));
  REQUIRE(p.peer.send(kControl, bytesPayload("c")));
  REQUIRE(p.driver.sent.size() == 1);
  CHECK(p.driver.sent[0] == std::make_pair(kControl, std::string("c")));
}

TEST_CASE("a browser send failure while draining keeps the message queued and reports it") {
  OpenPeer p;
  REQUIRE(p.peer.send(kReliable, bytesPayload("keep")));
  p.driver.throwOnSend = true;
  p.peer.onChannelOpen(kReliable);
  CHECK(p.peer.queuedMessages() == 1);
  CHECK(p.log.count<event::ErrorRaised>() == 1);
  p.driver.throwOnSend = false;
  p.peer.onBufferedAmountLow(kReliable);
  CHECK(p.peer.queuedMessages() == 0);
}

TEST_CASE("close reports queued messages it discards") {
  OpenPeer p;
  REQUIRE(p.peer.send(kReliable, bytesPayload("never")));
  p.peer.close();
  auto errors = p.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.message.find("discarded 1 queued") != std::string::npos);
}
