// Session resume across a rebuilt connection, on the fake driver: what the replay store sends
// again after a rebuild. Found by the stress test (tests/stress_world.hpp models rebuilds).
#include <catch2/catch.hpp>

#include <string>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
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

// A connected offerer whose far side is this library (session 9).
struct RebuildPeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  RebuildPeer() : peer(rebuildConfig(), driver, log) {
    REQUIRE(peer.start());
    connectAsOfferer(peer);
    farSays();
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

// Hidden: fails on the core as of 6f4072f (see the report in the commit that added it). A rebuild
// before the far side's first counts keeps nothing (documented), but the store's handed count
// still includes what that rebuild lost; the far side's counts never will. From then on the store
// keeps messages the far side has delivered, and the next rebuild replays them: delivered twice.
TEST_CASE("a rebuild that kept nothing does not make a later rebuild replay delivered messages", "[.][finding]") {
  RebuildPeer p;
  p.send('a');  // before the far side's first counts: not kept
  p.send('b');
  p.send('c');
  p.rebuildAndReconnect(2);  // a, b, c lost with the old connection; nothing held for counts
  p.send('d');               // still before the first counts: not kept
  p.farCounts({0, 0, 0});    // the far side delivered none of a, b, c (d is on its way)
  p.send('e');               // kept
  p.farCounts({0, 2, 0});    // the far side delivered d and e
  p.rebuildAndReconnect(3);  // the store holds for the far side's counts on the new connection
  p.farCounts({0, 2, 0});    // nothing more was delivered: nothing to replay
  CHECK(p.sent('d') == 1);
  CHECK(p.sent('e') == 1);
}
