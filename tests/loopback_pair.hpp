// Two peers of this library back to back on fake drivers (a loopback): what one sends, library
// and user messages, is carried to the other on demand; a rebuild's signaling is carried too.
// Used by the session resume and transfer tests.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "peer/peer.hpp"

namespace wre::test {

inline const std::string kOfferOld = "v=0\r\no=- 1111 2 IN IP4 127.0.0.1\r\ns=-\r\n";
inline const std::string kOfferRestart =
    "v=0\r\no=- 1111 3 IN IP4 127.0.0.1\r\ns=-\r\n";                                   // same connection, ICE restart
inline const std::string kOfferNew = "v=0\r\no=- 2222 2 IN IP4 127.0.0.1\r\ns=-\r\n";  // a new connection
inline const std::string kAnswer = "v=0\r\no=- 3333 2 IN IP4 127.0.0.1\r\ns=-\r\n";

inline Config rebuildConfig() {
  Config c;
  c.peerId = "rebuild";
  c.metricsEnabled = false;
  c.heartbeatTimeout = 0;
  c.reconnectBaseDelay = 100;
  c.reconnectMaxDelay = 100;
  c.reconnectJitter = 0;
  c.reconnectMaxAttempts = 10;
  return c;
}

// One side of a loopback: a peer on a fake driver, what reached its app per channel, and where
// the carrying of its driver's sends to the far side stands.
struct Side {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  size_t cursor = 0;
  std::map<int, std::vector<std::string>> got;
  FileMessages released{log};
  // Changes a `file` message on its way to this side (a corrupted chunk).
  std::function<void(std::string&)> tamper;
  explicit Side(double random, Config config = rebuildConfig())
      : peer((driver.nextRandom = random, std::move(config)), driver, log) {
    REQUIRE(peer.start());
    peer.scheduler().setReportSent(true);  // counted by the rebuild tests
  }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& e : log.all<event::ErrorRaised>()) out.push_back(e.error.message);
    return out;
  }
  void wait(double ms) {
    driver.advance(driver.now + ms, [&](TimerId id) { peer.onTimer(id); });
  }
  // The old connection's unsent bytes are gone with it: carrying starts again from here.
  void forgetInFlight() { cursor = driver.sent.size(); }
  // The browser gives up on ICE and closes every channel (what Firefox does ~13 s into an outage).
  void browserDrops() {
    peer.onConnectionState("failed");
    for (int c = 0; c < kChannelCount; ++c) peer.onChannelClose(c);
  }
  void linkUp() {
    peer.onConnectionState("connected");
    for (int c = 0; c < kChannelCount; ++c) peer.onChannelOpen(c);
  }
};

// Moves what `from` sent (library and user messages) to `to`, up to `limit` user messages.
inline void carry(Side& from, Side& to, size_t limit = SIZE_MAX) {
  while (from.cursor < from.driver.sent.size()) {
    auto [c, bytes] = from.driver.sent[from.cursor];
    if (c == kFile && to.tamper) to.tamper(bytes);
    if (c < kUserChannels) {
      if (limit == 0) return;
      --limit;
      if (arrive(to.peer, c, bytes)) to.got[c].push_back(bytes);
    } else {
      to.peer.onLibraryMessage(c, bytes);
    }
    for (auto& m : to.released.take()) to.got[kFile].push_back(m);
    ++from.cursor;
  }
}

inline void exchange(Side& a, Side& b) {
  for (int i = 0; i < 4; ++i) {
    carry(a, b);
    carry(b, a);
  }
}

// A offers, B answers with the SDP given; both connected, every channel open, hellos exchanged.
inline void connectPair(Side& a, Side& b, const std::string& offer = kOfferOld) {
  connectAsOfferer(a.peer);
  auto id = b.peer.createAnswer({"offer", offer});
  REQUIRE(id);
  b.peer.onRequestDone(id.value());
  b.peer.onDescription(id.value(), {"answer", kAnswer});
  b.linkUp();
  exchange(a, b);
  REQUIRE(a.peer.farSession() == b.peer.sessionId());
  REQUIRE(b.peer.farSession() == a.peer.sessionId());
}

inline Payload body(const std::string& s) { return bytesPayload(s); }

// Sends `n` messages "<tag><i>" on `channel` and appends them to `expected`.
inline void sendNumbered(Side& s, int channel, const std::string& tag, int from, int n,
                         std::vector<std::string>& expected) {
  for (int i = from; i < from + n; ++i) {
    REQUIRE(s.peer.send(channel, body(tag + std::to_string(i))));
    expected.push_back(tag + std::to_string(i));
  }
}

// The offerer's next attempt is a rebuild: its new connection's offer goes to B, whose answer
// comes back. Returns the offer A made.
inline void rebuildAndSignal(Side& a, Side& b, const std::string& newOffer = kOfferNew) {
  size_t made = a.driver.count("createPeerConnection");
  size_t offers = a.log.count<event::RenegotiationNeeded>();
  a.wait(100);
  REQUIRE(a.driver.count("createPeerConnection") == made + 1);
  const auto* offer = a.driver.last("createOffer");
  REQUIRE(offer);
  CHECK(offer->detail.empty());  // a fresh offer, not an ICE restart
  a.peer.onDescription(offer->id, {"offer", newOffer});
  REQUIRE(a.log.count<event::RenegotiationNeeded>() == offers + 1);
  auto answered = b.peer.createAnswer({"offer", newOffer});
  REQUIRE(answered);
  b.peer.onRequestDone(answered.value());
  b.peer.onDescription(answered.value(), {"answer", kAnswer});
  auto set = a.peer.setRemoteAnswer({"answer", kAnswer});
  REQUIRE(set);
  a.peer.onRequestDone(set.value());
}

}  // namespace wre::test
