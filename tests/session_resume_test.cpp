// Session resume, first step (issue #20): the session id after the hello, per-channel delivered
// counts on `wre`, and the sender's replay store that the counts release. No rebuild yet.
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

constexpr size_t KiB = 1024;

Config resumeConfig() {
  Config c;
  c.peerId = "resume";
  c.metricsEnabled = false;
  c.heartbeatTimeout = 0;  // the tests let minutes pass without probes from the far side
  return c;
}

// A connected offerer, every channel open; the far side is whatever the test says it is.
struct ResumePeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  explicit ResumePeer(Config c = resumeConfig(), double random = 0.5)
      : peer((driver.nextRandom = random, std::move(c)), driver, log) {
    REQUIRE(peer.start());
    connectAsOfferer(peer);
  }
  // The far side is this library with session support: its hello, its session id.
  void farSays(uint64_t session) {
    peer.onLibraryMessage(kWre, kHello);
    peer.onLibraryMessage(kWre, encodeSession(session));
  }
  void farCounts(DeliveredCounts c) { peer.onLibraryMessage(kWre, encodeCounts(c)); }
  std::vector<DeliveredCounts> countsSent() const {
    std::vector<DeliveredCounts> out;
    for (const auto& [c, bytes] : driver.sent)
      if (c == kWre)
        if (auto n = decodeCounts(bytes)) out.push_back(*n);
    return out;
  }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& e : log.all<event::ErrorRaised>()) out.push_back(e.error.message);
    return out;
  }
  const ReplayStore& store() { return peer.scheduler().replay(); }
  void wait(double ms) {
    driver.advance(driver.now + ms, [&](TimerId id) { peer.onTimer(id); });
  }
};

Payload msg(size_t size, char fill = 'm') { return bytesPayload(std::string(size, fill)); }

// With maxQueuedBytes 32 KiB: the far side counts, the store holds four 8 KiB messages (its bound)
// and two more wait in the queue behind it.
void fillStore(ResumePeer& p) {
  p.farSays(9);
  p.farCounts({0, 0, 0});
  for (int i = 0; i < 6; ++i) REQUIRE(p.peer.send(kReliable, msg(8 * KiB)));
  REQUIRE(p.peer.queuedMessages() == 2);
}

}  // namespace

// ---- the wire ----

TEST_CASE("session codec: hello of any version and length, 'S' + u64, 'C' + 3 x u64") {
  CHECK(decodeHello(kHello) == uint8_t{1});
  CHECK(decodeHello(std::string("WRE\x02") + "more fields") == uint8_t{2});  // a later version
  CHECK_FALSE(decodeHello(std::string("WRE\x00", 4)));
  CHECK_FALSE(decodeHello("WRE"));
  CHECK_FALSE(decodeHello("WRX\x01"));
  CHECK_FALSE(decodeHello(std::string("WRE\x01") + std::string(kMaxHelloSize, 'x')));

  std::string s = encodeSession(0x0102030405060708ULL);
  REQUIRE(s.size() == 9);
  CHECK(s[0] == 'S');
  CHECK(s[1] == '\x08');  // little-endian
  CHECK(decodeSession(s) == 0x0102030405060708ULL);
  CHECK_FALSE(decodeSession(s.substr(0, 8)));
  CHECK_FALSE(decodeSession(s + "x"));

  std::string c = encodeCounts({1, 2, 3});
  REQUIRE(c.size() == 25);
  CHECK(decodeCounts(c) == DeliveredCounts{1, 2, 3});
  const uint64_t maxExact = (uint64_t{1} << 53) - 1;
  CHECK(decodeCounts(encodeCounts({maxExact, 0, 0})));
  CHECK_FALSE(decodeCounts(encodeCounts({0, maxExact + 1, 0})));
  CHECK_FALSE(decodeCounts(c.substr(0, 24)));
  CHECK_FALSE(decodeCounts("D" + c.substr(1)));
  // No message means two things.
  CHECK_FALSE(decodeAck(s));
  CHECK_FALSE(decodeAck(c));
  CHECK_FALSE(decodeSession(encodeAck(5)));
  CHECK_FALSE(decodeHello(s));
}

TEST_CASE("`wre` opening: the released hello byte for byte, then this peer's random session id") {
  ResumePeer a(resumeConfig(), 0.25), b(resumeConfig(), 0.75);
  auto onWre = [](const FakeDriver& d) {
    std::vector<std::string> out;
    for (const auto& [c, bytes] : d.sent)
      if (c == kWre) out.push_back(bytes);
    return out;
  };
  auto sentA = onWre(a.driver);
  REQUIRE(sentA.size() == 4);
  CHECK(sentA[0] == kHello);  // older copies compare it exactly: they still know us
  CHECK(decodeSession(sentA[1]) == a.peer.sessionId());
  CHECK(wire::decodeTransfer(sentA[2]).has_value());  // we take transfers (older copies ignore it)
  CHECK(decodeAck(sentA[3]) == 0u);
  CHECK(a.peer.sessionId() != b.peer.sessionId());
  CHECK(a.countsSent().empty());  // counts only once we know whose session they count
}

// ---- the far side's hello ----

TEST_CASE("a far side that says hello without a session id (an older copy) still works: nothing kept") {
  ResumePeer p;
  p.peer.onLibraryMessage(kWre, kHello);
  REQUIRE(p.peer.farSideIsLibrary());
  CHECK_FALSE(p.peer.farSession());
  for (int i = 0; i < 10; ++i) REQUIRE(p.peer.send(kReliable, msg(100)));
  CHECK(p.store().messages() == 0);
  CHECK_FALSE(p.store().active());
  p.peer.onUserMessage(kReliable, 10);
  CHECK(p.countsSent().empty());      // it would not understand them
  CHECK(p.peer.delivered()[1] == 1);  // counted all the same
  // Counts without a session id first are not trusted either.
  p.farCounts({0, 0, 0});
  CHECK_FALSE(p.store().active());
}

TEST_CASE("a hello of a later version (longer) is a hello") {
  ResumePeer p;
  p.peer.onLibraryMessage(kWre, std::string("WRE\x02") + "future fields");
  CHECK(p.peer.farSideIsLibrary());
}

TEST_CASE("the far side's session id is recorded and answered with our counts at once") {
  ResumePeer p;
  p.peer.onUserMessage(kControl, 5);  // before its id: counted, said with the first counts
  p.farSays(0xABCDEF);
  CHECK(p.peer.farSession() == 0xABCDEFu);
  REQUIRE(p.countsSent().size() == 1);
  CHECK(p.countsSent()[0] == DeliveredCounts{1, 0, 0});
  p.peer.onLibraryMessage(kWre, encodeSession(0xABCDEF));  // the same session on a new `wre`
  REQUIRE(p.countsSent().size() == 2);                     // answered again: where to resume
  CHECK(p.countsSent()[1] == DeliveredCounts{1, 0, 0});
  CHECK(p.peer.farSession() == 0xABCDEFu);
  CHECK(p.errors().empty());
}

TEST_CASE("a session id before any hello is ignored") {
  ResumePeer p;
  p.peer.onLibraryMessage(kWre, encodeSession(7));
  CHECK_FALSE(p.peer.farSession());
  CHECK(p.countsSent().empty());
}

// ---- counts, receiver side ----

TEST_CASE(
    "counts go every 64 messages or 64 KiB delivered, and at the probe tick otherwise; unreliable is not counted") {
  ResumePeer p;
  p.farSays(1);
  p.driver.sent.clear();
  for (int i = 0; i < 63; ++i) p.peer.onUserMessage(kReliable, 10);
  for (int i = 0; i < 100; ++i) p.peer.onUserMessage(kUnreliable, 10);
  CHECK(p.countsSent().empty());
  p.peer.onUserMessage(kControl, 10);  // the 64th counted message
  REQUIRE(p.countsSent().size() == 1);
  CHECK(p.countsSent()[0] == DeliveredCounts{1, 63, 0});
  p.peer.onUserMessage(kFile, 64 * KiB);  // one large message: the byte step
  REQUIRE(p.countsSent().size() == 2);
  CHECK(p.countsSent()[1] == DeliveredCounts{1, 63, 1});
  p.peer.onUserMessage(kReliable, 10);
  CHECK(p.countsSent().size() == 2);
  p.wait(ProbePlan::kMaxSparseMs + 10);  // the probe tick says what is left
  REQUIRE(p.countsSent().size() == 3);
  CHECK(p.countsSent()[2] == DeliveredCounts{1, 64, 1});
  p.wait(10 * ProbePlan::kMaxSparseMs);  // unchanged: nothing more on an idle link
  CHECK(p.countsSent().size() == 3);
}

// ---- the replay store, sender side ----

TEST_CASE("what goes to the browser is kept until the far side's counts cover it, then released") {
  ResumePeer p;
  p.farSays(9);
  REQUIRE(p.peer.send(kReliable, msg(10)));  // before the far side's first counts: not kept
  CHECK(p.store().messages() == 0);
  p.farCounts({0, 0, 0});
  REQUIRE(p.store().active());
  for (int i = 0; i < 4; ++i) REQUIRE(p.peer.send(kControl, msg(100)));
  for (int i = 0; i < 6; ++i) REQUIRE(p.peer.send(kReliable, msg(200)));
  for (int i = 0; i < 3; ++i) REQUIRE(p.peer.send(kFile, msg(1000)));
  for (int i = 0; i < 5; ++i) REQUIRE(p.peer.send(kUnreliable, msg(50)));  // no promise: not kept
  CHECK(p.store().messages() == 13);
  CHECK(p.store().bytes() == 4 * 100 + 6 * 200 + 3 * 1000);
  CHECK(p.store().handed(1) == 7);

  p.farCounts({2, 4, 1});  // reliable's count includes the message sent before keeping began
  CHECK(p.store().messages() == 2 + 3 + 2);
  CHECK(p.store().bytes() == 2 * 100 + 3 * 200 + 2 * 1000);
  p.farCounts({1, 4, 1});  // backwards on control: ignored
  CHECK(p.store().messages() == 7);
  p.farCounts({4, 100, 3});  // beyond what was sent (untrusted): clamped
  CHECK(p.store().messages() == 0);
  CHECK(p.store().bytes() == 0);
  CHECK(p.store().acked(1) == 7);
  REQUIRE(p.peer.send(kReliable, msg(10)));  // and the next one is kept again
  CHECK(p.store().messages() == 1);
  CHECK(p.errors().empty());
}

TEST_CASE("queued messages are kept when they go, not before") {
  ResumePeer p;
  p.farSays(9);
  p.farCounts({0, 0, 0});
  p.peer.onChannelClose(kReliable);
  p.peer.onChannelOpen(kWre);  // (nothing changes for the store)
  for (int i = 0; i < 3; ++i) REQUIRE(p.peer.send(kReliable, msg(100)));
  CHECK(p.peer.queuedMessages() == 3);
  CHECK(p.store().messages() == 0);
  p.peer.onChannelOpen(kReliable);
  CHECK(p.peer.queuedMessages() == 0);
  CHECK(p.store().messages() == 3);
}

TEST_CASE("the bound: the store holds maxQueuedBytes, then sends wait in the queue (backpressure), never dropped") {
  Config c = resumeConfig();
  c.maxQueuedBytes = 32.0 * KiB;
  ResumePeer p(c);
  p.farSays(9);
  p.farCounts({0, 0, 0});
  for (int i = 0; i < 4; ++i) REQUIRE(p.peer.send(kReliable, msg(8 * KiB)));
  CHECK(p.store().bytes() == 32 * KiB);
  CHECK(p.log.count<event::Backpressure>() == 0);
  for (int i = 0; i < 4; ++i) REQUIRE(p.peer.send(kReliable, msg(8 * KiB)));  // wait for the far side
  CHECK(p.peer.queuedMessages() == 4);
  REQUIRE(p.log.count<event::Backpressure>() == 1);
  CHECK(p.log.all<event::Backpressure>()[0].channel == kReliable);
  // The queue has its own maxQueuedBytes, as without resume: full now, the next send is refused.
  auto refused = p.peer.send(kReliable, msg(1));
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("queue is full"));
  CHECK(p.store().bytes() == 32 * KiB);  // nothing dropped, nothing moved
  // The far side delivered two: two more go, in order.
  p.farCounts({0, 2, 0});
  CHECK(p.store().bytes() == 32 * KiB);
  CHECK(p.peer.queuedMessages() == 2);
  p.farCounts({0, 8, 0});
  CHECK(p.peer.queuedMessages() == 0);
  CHECK(p.log.count<event::ChannelReady>() >= 1);
  size_t reliableSent = 0;
  for (const auto& [ch, bytes] : p.driver.sent) reliableSent += ch == kReliable;
  CHECK(reliableSent == 8);
}

TEST_CASE("one message larger than the store's bound still goes when the store is empty") {
  Config c = resumeConfig();
  c.maxQueuedBytes = 8.0 * KiB;
  ResumePeer p(c);
  p.farSays(9);
  p.farCounts({0, 0, 0});
  REQUIRE(p.peer.send(kFile, msg(12 * KiB)));  // over the 8 KiB bound, but nothing is kept
  CHECK(p.store().messages() == 1);
  CHECK(p.peer.queuedMessages() == 0);
  REQUIRE(p.peer.send(kFile, msg(1 * KiB)));
  CHECK(p.peer.queuedMessages() == 1);  // now it waits
}

TEST_CASE("a far side that never confirms: after kReplayAckStallMs connected the store is given up, loudly") {
  Config c = resumeConfig();
  c.maxQueuedBytes = 32.0 * KiB;
  ResumePeer p(c);
  fillStore(p);

  // Link down meanwhile: no counts can come, nothing is given up.
  p.peer.onConnectionState("disconnected");
  p.wait(Peer::kReplayAckStallMs + 1000);
  CHECK(p.store().active());
  CHECK(p.errors().empty());
  p.peer.onConnectionState("connected");
  REQUIRE(p.peer.state() == PeerState::Connected);

  p.wait(Peer::kReplayAckStallMs / 2);
  p.farCounts({0, 1, 0});  // progress restarts the watch
  p.wait(Peer::kReplayAckStallMs - 100);
  CHECK(p.store().active());
  p.wait(Peer::kReplayAckStallMs + 1000);
  REQUIRE(p.errors().size() == 1);
  CHECK_THAT(p.errors()[0], Catch::Contains("confirmed no delivered messages"));
  CHECK(p.store().abandoned());
  CHECK(p.store().messages() == 0);
  CHECK(p.peer.queuedMessages() == 0);  // sending goes on
  p.farCounts({0, 6, 0});               // too late: no longer trusted
  CHECK_FALSE(p.store().active());
  REQUIRE(p.peer.send(kReliable, msg(10)));
  CHECK(p.store().messages() == 0);
}

TEST_CASE("a plain far side (no hello): nothing is kept, counts and session ids are ignored") {
  ResumePeer p;
  p.farCounts({0, 0, 0});
  for (int i = 0; i < 100; ++i) REQUIRE(p.peer.send(kReliable, msg(1000)));
  CHECK(p.store().messages() == 0);
  CHECK_FALSE(p.store().active());
  p.peer.close();
  CHECK(p.errors().empty());
}

// ---- close() and a new far session ----

TEST_CASE("close() with the link down reports what the store held, after the queued messages") {
  Config c = resumeConfig();
  c.maxQueuedBytes = 32.0 * KiB;
  ResumePeer p(c);
  p.farSays(9);
  p.farCounts({0, 0, 0});
  for (int i = 0; i < 5; ++i) REQUIRE(p.peer.send(kReliable, msg(8 * KiB)));
  p.farCounts({0, 1, 0});
  REQUIRE(p.store().messages() == 4);
  REQUIRE(p.peer.queuedMessages() == 0);
  REQUIRE(p.peer.send(kReliable, msg(8 * KiB)));  // waits: the store is at its bound
  REQUIRE(p.peer.queuedMessages() == 1);
  p.peer.onConnectionState("failed");  // Firefox closes the channels too; the store keeps them
  p.peer.onChannelClose(kReliable);
  p.peer.close();
  REQUIRE(p.errors().size() == 1);
  CHECK(p.errors()[0] ==
        "close() discarded 1 queued messages (8192 bytes) that were never sent, and 4 sent messages (32768 bytes) "
        "the far side had not confirmed delivering");
}

TEST_CASE("close() with only the store holding, link down: the store alone is reported") {
  ResumePeer p;
  p.farSays(9);
  p.farCounts({0, 0, 0});
  REQUIRE(p.peer.send(kControl, msg(3)));
  p.peer.onConnectionState("disconnected");
  p.peer.close();
  REQUIRE(p.errors().size() == 1);
  CHECK(p.errors()[0] == "close() discarded 1 sent messages (3 bytes) the far side had not confirmed delivering");
}

TEST_CASE("close() on a working link does not report the last unconfirmed messages (their counts are on the way)") {
  ResumePeer p;
  p.farSays(9);
  p.farCounts({0, 0, 0});
  REQUIRE(p.peer.send(kReliable, msg(3)));
  p.peer.close();
  CHECK(p.errors().empty());
  CHECK(p.store().messages() == 0);  // released all the same
}

TEST_CASE("the far side comes back as a new session: what the old one did not confirm is reported, never replayed") {
  ResumePeer p;
  p.farSays(1);
  p.farCounts({0, 0, 0});
  for (int i = 0; i < 3; ++i) REQUIRE(p.peer.send(kReliable, msg(10)));
  p.peer.onUserMessage(kReliable, 10);
  p.driver.sent.clear();
  p.peer.onLibraryMessage(kWre, encodeSession(2));  // a reloaded page
  CHECK(p.peer.farSession() == 2u);
  REQUIRE(p.errors().size() == 1);
  CHECK_THAT(p.errors()[0], Catch::Contains("new session: 3 sent messages (30 bytes)"));
  CHECK(p.store().messages() == 0);
  CHECK_FALSE(p.store().active());  // until the new session's counts
  REQUIRE(p.countsSent().size() == 1);
  CHECK(p.countsSent()[0] == DeliveredCounts{0, 0, 0});  // ours start again for the new one
}

// ---- two peers back to back ----

TEST_CASE("loopback: two library peers exchange ids and counts, and each store empties as the other delivers") {
  ResumePeer a(resumeConfig(), 0.1), b(resumeConfig(), 0.9);
  // Carries what one side put on `wre` and the user channels to the other, from a cursor on.
  auto carry = [](ResumePeer& from, ResumePeer& to, size_t& cursor, std::vector<std::string>& got) {
    FileMessages released(to.log);
    released.take();  // (released before this carry: none, every carry ends with an empty inbox)
    while (cursor < from.driver.sent.size()) {
      auto [c, bytes] = from.driver.sent[cursor++];
      if (c == kWre)
        to.peer.onLibraryMessage(c, bytes);
      else if (c < kUserChannels && arrive(to.peer, c, bytes))
        got.push_back(std::string(kChannels[c].label) + ":" + bytes);
      for (auto& m : released.take()) got.push_back("file:" + m);
    }
  };
  size_t ac = 0, bc = 0;
  std::vector<std::string> atA, atB;
  carry(a, b, ac, atB);
  carry(b, a, bc, atA);
  carry(a, b, ac, atB);
  REQUIRE(a.peer.farSession() == b.peer.sessionId());
  REQUIRE(b.peer.farSession() == a.peer.sessionId());
  REQUIRE(a.store().active());
  REQUIRE(b.store().active());

  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    int ch = i % 3 == 0 ? kControl : i % 3 == 1 ? kReliable : kFile;
    std::string body = std::to_string(i);
    REQUIRE(a.peer.send(ch, bytesPayload(body)));
    expected.push_back(std::string(kChannels[ch].label) + ":" + body);
  }
  CHECK(a.store().messages() == 100);
  carry(a, b, ac, atB);
  CHECK(atB == expected);  // every message once, in order
  carry(b, a, bc, atA);    // b's counts after 64 messages
  CHECK(a.store().messages() == 36);
  b.wait(ProbePlan::kMaxSparseMs + 10);  // the rest at b's probe tick
  carry(b, a, bc, atA);
  CHECK(a.store().messages() == 0);
  CHECK(b.peer.delivered() == DeliveredCounts{34, 33, 33});
  CHECK(atA.empty());
  CHECK(a.errors().empty());
  CHECK(b.errors().empty());
}

TEST_CASE("a peer that gave up reconnecting keeps nothing for a rebuild: the store is let go, sends go on") {
  Config c = resumeConfig();
  c.maxQueuedBytes = 32.0 * KiB;
  c.reconnectMaxAttempts = 1;
  c.reconnectBaseDelay = 100;
  c.reconnectMaxDelay = 100;
  c.reconnectJitter = 0;
  ResumePeer p(c);
  fillStore(p);
  p.peer.onConnectionState("failed");
  p.wait(5000);  // the one attempt fails: reconnect-failed, state failed (channels still open)
  REQUIRE(p.peer.state() == PeerState::Failed);
  REQUIRE_FALSE(p.peer.reconnecting());
  CHECK(p.store().active());
  p.wait(Peer::kReplayAckStallMs + 1000);
  CHECK(p.store().abandoned());
  CHECK(p.peer.queuedMessages() == 0);
}
