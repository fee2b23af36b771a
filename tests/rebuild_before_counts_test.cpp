// Session resume across a rebuilt connection, on the fake driver: what the replay store sends
// again after a rebuild. Found by the stress test (tests/stress_world.hpp models rebuilds).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"

using namespace wre;
using namespace wre::test;

namespace {

Config rebuildConfig() {
  Config c;
  c.peerId = "rebuild";
  c.metricsEnabled = false;
  c.heartbeatTimeout = 0;
  c.iceRestartAttempts = 0;  // every reconnection attempt rebuilds
  return c;
}

// A connected offerer whose far side is this library (session 9); `heard`: its hello and
// session id have arrived on the first connection.
struct RebuildPeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  explicit RebuildPeer(bool heard = true) : peer(rebuildConfig(), driver, log) {
    REQUIRE(peer.start());
    connectAsOfferer(peer);
    if (heard) farSays();
  }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& e : log.all<event::ErrorRaised>()) out.push_back(e.error.message);
    return out;
  }
  void farSays() {
    peer.onLibraryMessage(kWre, kHello);
    peer.onLibraryMessage(kWre, encodeSession(9));
  }
  void farCounts(DeliveredCounts c) { peer.onLibraryMessage(kWre, encodeCounts(c)); }
  void send(char name) { REQUIRE(peer.send(kReliable, bytesPayload(std::string(1, name)))); }
  // How often `name` went to the browser on `reliable`.
  size_t sent(char name) const {
    size_t n = 0;
    for (const auto& [c, bytes] : driver.sent) n += c == kReliable && bytes == std::string(1, name);
    return n;
  }
  // The browser closes every channel (the association died); the next attempt rebuilds; the new
  // connection is negotiated and comes up, and the far side says who it is on the new `wre`.
  void rebuildAndReconnect(int generation) {
    for (int c = 0; c < kChannelCount; ++c) peer.onChannelClose(c);
    size_t made = driver.count("createPeerConnection");
    driver.advance(driver.now + 60000, [&](TimerId id) {
      if (driver.count("createPeerConnection") == made) peer.onTimer(id);
    });
    REQUIRE(driver.count("createPeerConnection") == made + 1);
    const auto* offer = driver.last("createOffer");
    REQUIRE(offer);
    std::string o = "v=0\r\no=- " + std::to_string(generation) + " 1 IN IP4 127.0.0.1\r\n";
    peer.onDescription(offer->id, {"offer", o});
    auto set = peer.setRemoteAnswer({"answer", o});
    REQUIRE(set);
    peer.onRequestDone(set.value());
    peer.onConnectionState("connected");
    for (int c = 0; c < kChannelCount; ++c) peer.onChannelOpen(c);
    REQUIRE(peer.state() == PeerState::Connected);
    farSays();
  }
};

}  // namespace

// Found by the stress test. A rebuild before the far side's first counts kept nothing, yet the
// store's handed count included what that rebuild lost, which the far side's counts never will:
// the store then kept messages the far side had delivered, and the next rebuild replayed them.
// Now the counted channels wait for the far side's counts after such a rebuild too (it said it
// counts), and those counts say how many were lost: reported, and the counts are in step again.
TEST_CASE("a rebuild before the far side's first counts: its losses are reported, no later replay resends") {
  RebuildPeer p;
  p.send('a');  // before the far side's first counts: not kept
  p.send('b');
  p.send('c');
  p.rebuildAndReconnect(2);  // a, b, c lost with the old connection
  p.send('d');               // waits for the far side's counts on the new connection
  CHECK(p.sent('d') == 0);
  p.farCounts({0, 0, 0});  // the far side delivered none of a, b, c
  CHECK(p.sent('d') == 1);
  REQUIRE(p.errors().size() == 1);
  CHECK(p.errors()[0].find("3 messages") != std::string::npos);
  CHECK(p.errors()[0].find("reliable 3") != std::string::npos);
  p.send('e');
  p.farCounts({0, 2, 0});  // the far side delivered d and e
  CHECK(p.peer.scheduler().replay().messages() == 0);
  p.rebuildAndReconnect(3);
  p.farCounts({0, 2, 0});  // nothing more was delivered: nothing to replay
  CHECK(p.sent('d') == 1);
  CHECK(p.sent('e') == 1);
  CHECK(p.errors().size() == 1);
}

TEST_CASE("a rebuild before the far side said it counts: the store keeps nothing for it any more, never replays") {
  RebuildPeer p(false);
  p.send('a');
  p.send('b');
  p.rebuildAndReconnect(2);  // the far side's session arrives only on the new connection
  CHECK(p.peer.scheduler().replay().abandoned());
  p.send('c');  // not held: nothing says counts will come
  CHECK(p.sent('c') == 1);
  p.farCounts({0, 0, 0});  // its counts cannot tell a and b from c: ignored
  p.send('d');
  CHECK(p.peer.scheduler().replay().messages() == 0);
  p.farCounts({0, 2, 0});
  p.rebuildAndReconnect(3);
  CHECK_FALSE(p.peer.scheduler().awaitingResume());
  CHECK(p.sent('c') == 1);
  CHECK(p.sent('d') == 1);
}
