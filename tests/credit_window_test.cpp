// Receiver-paced flow control on `file`: the ack codec, the sender's window, the receiver's
// acknowledgements, and two peers wired back to back through fake drivers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

#include "fake_driver.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "queue/credit_window.hpp"

using namespace wre;
using namespace wre::test;

namespace {

constexpr size_t KiB = 1024;
constexpr uint64_t W = CreditWindow::kWindow;
constexpr uint64_t kStep = CreditWindow::kAckStep;

Config flowConfig() {
  Config c;
  c.peerId = "flow";
  c.metricsEnabled = false;  // no timers: the tests drive everything
  c.maxQueuedBytes = 64.0 * 1024 * 1024;
  return c;
}

// A connected peer whose channels are open; `library` says whether the far end said hello.
struct FlowPeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  explicit FlowPeer(Config c = flowConfig()) : peer(std::move(c), driver, log) {
    REQUIRE(peer.start());
    for (int ch = 0; ch < kChannelCount; ++ch) peer.onChannelOpen(ch);
    driver.sent.clear();
  }
  // The far end is this library and acknowledges: its hello, then its first ack (0 bytes).
  void farEndAcks() {
    peer.onLibraryMessage(kWre, kHello);
    peer.onLibraryMessage(kWre, encodeAck(0));
  }
  void browserSendsEverything() {
    driver.buffered[kFile] = 0;
    peer.onBufferedAmountLow(kFile);
  }
  uint64_t sentBytes(int channel) const {
    uint64_t n = 0;
    for (const auto& [c, bytes] : driver.sent) n += c == channel ? bytes.size() : 0;
    return n;
  }
  std::vector<uint64_t> acksSent() const {
    std::vector<uint64_t> out;
    for (const auto& [c, bytes] : driver.sent)
      if (c == kWre)
        if (auto a = decodeAck(bytes)) out.push_back(*a);
    return out;
  }
  const CreditWindow& window() { return peer.scheduler().fileWindow(); }
  // The far end delivers and acknowledges a step at a time (each ack lets a burst go) until the
  // window is full; returns what it acknowledged.
  uint64_t fillWindow() {
    uint64_t acked = window().acked();
    while (window().inFlight() < CreditWindow::kWindow && peer.queuedMessages() > 0) {
      acked += CreditWindow::kAckStep;
      peer.onLibraryMessage(kWre, encodeAck(acked));
      browserSendsEverything();
    }
    return acked;
  }
};

Payload chunk(size_t size, char fill = 'f') { return bytesPayload(std::string(size, fill)); }

}  // namespace

TEST_CASE("ack codec: 'A' + u64 little-endian, 9 bytes; anything else is refused") {
  std::string a = encodeAck(0x0102030405ULL);
  REQUIRE(a.size() == 9);
  CHECK(a[0] == 'A');
  CHECK(static_cast<unsigned char>(a[1]) == 0x05);
  CHECK(static_cast<unsigned char>(a[5]) == 0x01);
  CHECK(static_cast<unsigned char>(a[8]) == 0x00);
  CHECK(decodeAck(a) == 0x0102030405ULL);
  CHECK(decodeAck(encodeAck(0)) == 0u);
  uint64_t maxExact = (uint64_t{1} << 53) - 1;
  CHECK(decodeAck(encodeAck(maxExact)) == maxExact);
  CHECK_FALSE(decodeAck(encodeAck(maxExact + 1)));  // no real transfer: not trusted
  CHECK_FALSE(decodeAck(encodeAck(std::numeric_limits<uint64_t>::max())));
  CHECK_FALSE(decodeAck(""));
  CHECK_FALSE(decodeAck(a.substr(0, 8)));     // short
  CHECK_FALSE(decodeAck(a + "x"));            // long
  CHECK_FALSE(decodeAck("B" + a.substr(1)));  // wrong tag
  CHECK_FALSE(decodeAck(kHello));
  CHECK_FALSE(decodeAck(encodeProbe({false, 1, 2.0})));
}

TEST_CASE("CreditWindow: no limit until the first ack; then in flight stays within the window") {
  CreditWindow w;
  CHECK_FALSE(w.active());
  w.onSent(10 * W);
  CHECK(w.allows(W));  // inactive: the browser buffer bound alone
  w.reset();
  CHECK(w.onAck(0));  // the first ack turns it on, even at 0
  CHECK(w.active());
  w.onSent(W - 16 * KiB);
  CHECK(w.onAck(kStep));
  CHECK(w.allows(kStep + 16 * KiB));
  CHECK_FALSE(w.allows(kStep + 16 * KiB + 1));
  w.onSent(kStep + 16 * KiB);
  CHECK(w.inFlight() == W);
  CHECK_FALSE(w.allows(1));
  CHECK(w.onAck(2 * kStep));
  CHECK(w.inFlight() == W - kStep);
  CHECK(w.allows(kStep));
  CHECK_FALSE(w.onAck(2 * kStep));  // no news: nothing to drain
}

// How many `size`-byte messages the window lets go now.
static int handUntilHeld(CreditWindow& w, uint64_t size) {
  int n = 0;
  for (; w.allows(size) && n < 1000; ++n) w.onSent(size);
  return n;
}

TEST_CASE("CreditWindow: at most a burst between acknowledgements, and after a rebuilt connection until the first") {
  CreditWindow w;
  REQUIRE(w.onAck(0));
  CHECK(handUntilHeld(w, 16 * KiB) == CreditWindow::kBurst / (16 * KiB));
  CHECK(w.inFlight() < W);  // the window had room: the burst held it
  CHECK_FALSE(w.onAck(0));  // no news opens nothing
  CHECK_FALSE(w.allows(16 * KiB));
  CHECK(w.onAck(kStep));  // each acknowledgement lets another burst go, within the window
  CHECK(handUntilHeld(w, 16 * KiB) == CreditWindow::kBurst / (16 * KiB));
  CHECK(w.onAck(w.sent() - kStep));
  CHECK(w.allows(W - kStep));  // the first message after an acknowledgement goes whatever its size
  w.onSent(W - kStep);
  CHECK_FALSE(w.allows(1));

  // A rebuilt connection: counts from zero, and a burst until the far end's first acknowledgement.
  w.restart();
  CHECK_FALSE(w.active());
  CHECK(w.limits());
  CHECK(w.inFlight() == 0);
  CHECK(handUntilHeld(w, 16 * KiB) == CreditWindow::kBurst / (16 * KiB));
  CHECK(w.onAck(0));
  CHECK(w.active());
  CHECK(w.allows(16 * KiB));

  // A far end that never acknowledged, or one that lost our trust, is not waited for.
  CreditWindow plain;
  plain.onSent(W);
  plain.restart();
  CHECK_FALSE(plain.limits());
  CHECK(plain.allows(10 * W));
  CreditWindow dropped;
  REQUIRE(dropped.onAck(0));
  dropped.abandon();
  dropped.restart();
  CHECK_FALSE(dropped.limits());
  CHECK(dropped.allows(10 * W));
}

TEST_CASE("CreditWindow: acks that go backwards are ignored, acks beyond what was sent are clamped") {
  CreditWindow w;
  REQUIRE(w.onAck(0));
  w.onSent(W);
  REQUIRE(w.onAck(200 * KiB));
  CHECK_FALSE(w.onAck(100 * KiB));  // backwards
  CHECK(w.acked() == 200 * KiB);
  CHECK(w.onAck(100 * W));  // beyond what was sent: the far end cannot have it all
  CHECK(w.acked() == W);
  CHECK(w.inFlight() == 0);
  w.onSent(kStep);
  CHECK(w.inFlight() == kStep);  // still counting honestly afterwards
}

TEST_CASE("CreditWindow: a message larger than the window goes when less than a step is in flight") {
  CreditWindow w;
  REQUIRE(w.onAck(0));
  CHECK(w.allows(2 * W));  // nothing in flight: never a deadlock
  w.onSent(2 * W);
  CHECK_FALSE(w.allows(1));
  w.onAck(2 * W - kStep);      // exactly a step outstanding: the receiver's next ack is due
  CHECK(w.allows(W - kStep));  // what fits in the window goes
  CHECK_FALSE(w.allows(2 * W));
  w.onAck(2 * W - kStep + 1);
  CHECK(w.allows(2 * W));
}

TEST_CASE("file between two library peers: at most the window in flight; the rest queues with backpressure") {
  FlowPeer p;
  p.farEndAcks();
  REQUIRE(p.window().active());
  // 16 KiB chunks, the browser sending everything at once: only the window holds them back.
  for (int i = 0; i < 64; ++i) {
    REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
    p.browserSendsEverything();
  }
  CHECK(p.sentBytes(kFile) == CreditWindow::kBurst);  // a burst until the next ack
  auto bp = p.log.all<event::Backpressure>();
  REQUIRE(bp.size() == 1);
  CHECK(bp[0].channel == kFile);
  CHECK(bp[0].bufferedAmount == static_cast<double>(CreditWindow::kBurst));  // what holds it back: in flight
  uint64_t acked = p.fillWindow();
  CHECK(p.window().inFlight() == W);
  CHECK(p.sentBytes(kFile) == W + acked);
  CHECK(p.peer.queuedBytes() == 64 * 16 * KiB - W - acked);
  CHECK(p.peer.queuedMessages() == (64 * 16 * KiB - W - acked) / (16 * KiB));  // getQueueSize counts them
  CHECK(p.log.count<event::ChannelReady>() == 0);
  // Other channels are not held by the file window.
  REQUIRE(p.peer.send(kReliable, bytesPayload("chat")));
  CHECK(p.driver.sent.back() == std::pair<int, std::string>{kReliable, "chat"});
}

TEST_CASE("an ack drains the file queue, and channel-ready follows once it is empty") {
  FlowPeer p;
  p.farEndAcks();
  for (int i = 0; i < 64; ++i) REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
  p.browserSendsEverything();
  uint64_t acked = p.fillWindow();
  REQUIRE(p.sentBytes(kFile) == W + acked);
  REQUIRE(p.peer.queuedMessages() == 8);
  p.peer.onLibraryMessage(kWre, encodeAck(acked + kStep));  // 4 chunks delivered: 4 more may go
  CHECK(p.sentBytes(kFile) == W + acked + kStep);
  CHECK(p.peer.queuedMessages() == 4);
  CHECK(p.log.count<event::ChannelReady>() == 0);
  p.peer.onLibraryMessage(kWre, encodeAck(acked + 2 * kStep));
  CHECK(p.sentBytes(kFile) == W + acked + 2 * kStep);
  CHECK(p.peer.queuedMessages() == 0);
  auto ready = p.log.all<event::ChannelReady>();
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].channel == kFile);
  CHECK(p.window().inFlight() == W);
}

TEST_CASE("the browser buffer bound still applies under the window") {
  Config c = flowConfig();
  c.maxBufferedAmount = 64 * KiB;
  c.lowWaterMark = 16 * KiB;
  FlowPeer p(c);
  p.farEndAcks();
  for (int i = 0; i < 16; ++i) REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
  CHECK(p.sentBytes(kFile) == 64 * KiB);  // the browser's buffer is full before the burst is
  p.browserSendsEverything();
  CHECK(p.sentBytes(kFile) == 128 * KiB);
}

TEST_CASE("a message larger than the window never deadlocks") {
  FlowPeer p;
  p.peer.scheduler().setMaxMessageSize(std::numeric_limits<double>::infinity());
  p.farEndAcks();
  const size_t big = 2 * W;
  REQUIRE(p.peer.send(kFile, chunk(big, 'a')));  // nothing in flight: it goes
  REQUIRE(p.peer.send(kFile, chunk(big, 'b')));  // waits for acks
  p.browserSendsEverything();
  CHECK(p.sentBytes(kFile) == big);
  // The receiver acknowledges every step; once less than a step is outstanding, the next goes.
  uint64_t acked = 0;
  while (p.sentBytes(kFile) == big) {
    acked += kStep;
    REQUIRE(acked <= big);
    p.peer.onLibraryMessage(kWre, encodeAck(acked));
  }
  CHECK(acked == big);  // the far end's final ack (everything delivered) let it go
  CHECK(p.sentBytes(kFile) == 2 * big);
  CHECK(p.peer.queuedMessages() == 0);
}

TEST_CASE("bogus acks are ignored: before the hello, malformed, backwards; beyond what was sent is clamped") {
  FlowPeer p;
  // Before the far end said hello it is not this library: an "ack" is just bytes.
  p.peer.onLibraryMessage(kWre, encodeAck(0));
  CHECK_FALSE(p.window().active());
  p.peer.onLibraryMessage(kWre, kHello);
  p.peer.onLibraryMessage(kWre, "A\x01");                       // malformed
  p.peer.onLibraryMessage(kWre, encodeAck(uint64_t{1} << 60));  // absurd
  p.peer.onLibraryMessage(kWreProbe, encodeAck(0));             // wrong channel
  CHECK_FALSE(p.window().active());
  p.peer.onLibraryMessage(kWre, encodeAck(0));
  REQUIRE(p.window().active());
  for (int i = 0; i < 80; ++i) REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
  p.browserSendsEverything();
  uint64_t acked = p.fillWindow();
  REQUIRE(p.sentBytes(kFile) == W + acked);
  p.peer.onLibraryMessage(kWre, encodeAck(acked + 128 * KiB));
  CHECK(p.sentBytes(kFile) == W + acked + 128 * KiB);
  p.peer.onLibraryMessage(kWre, encodeAck(acked + 64 * KiB));  // backwards: ignored, nothing sent
  CHECK(p.sentBytes(kFile) == W + acked + 128 * KiB);
  CHECK(p.window().acked() == acked + 128 * KiB);
  // Beyond everything sent: clamped to what was sent, so the rest of the queue may go (a burst).
  uint64_t queued = p.peer.queuedBytes();
  REQUIRE(queued > 0);
  p.peer.onLibraryMessage(kWre, encodeAck(uint64_t{1} << 40));
  CHECK(p.window().acked() == W + acked + 128 * KiB);
  CHECK(p.sentBytes(kFile) == W + acked + 128 * KiB + std::min<uint64_t>(queued, CreditWindow::kBurst));
}

TEST_CASE("a plain far end (no hello, no acks): the browser buffer bound alone, as before") {
  FlowPeer p;
  for (int i = 0; i < 96; ++i) REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
  // Nothing but the 1 MiB bulk bound of the browser's buffer holds `file` back.
  CHECK(p.sentBytes(kFile) == 1024 * KiB);
  p.browserSendsEverything();
  CHECK(p.sentBytes(kFile) == 96 * 16 * KiB);
  CHECK_FALSE(p.window().active());
  CHECK(p.acksSent().empty());  // and nothing of ours on `wre` but what we already said
  // Receiving `file` from a plain peer sends no acknowledgements.
  for (int i = 0; i < 16; ++i) CHECK(p.peer.onUserMessage(kFile, 16 * KiB) == Peer::Arrival::Deliver);
  CHECK(p.acksSent().empty());
}

TEST_CASE("a library peer that never acks (an older version) sees no window either") {
  FlowPeer p;
  p.peer.onLibraryMessage(kWre, kHello);  // hello, but no ack follows
  for (int i = 0; i < 96; ++i) REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
  p.browserSendsEverything();
  CHECK(p.sentBytes(kFile) == 96 * 16 * KiB);
}

TEST_CASE("`wre` opening sends the hello and an ack of 0: this side acknowledges file data") {
  FakeDriver driver;
  EventLog log;
  Peer peer(flowConfig(), driver, log);
  REQUIRE(peer.start());
  peer.onChannelOpen(kWre);
  REQUIRE(driver.sent.size() == 4);  // hello, session id (session_test.cpp), transfers (transfer_test.cpp), ack
  CHECK(driver.sent[0] == std::pair<int, std::string>{kWre, std::string(kHello)});
  CHECK(driver.sent[3] == std::pair<int, std::string>{kWre, encodeAck(0)});
}

TEST_CASE("the receiver acks every ack step of file delivered once the far end said hello") {
  FlowPeer p;
  p.peer.onLibraryMessage(kWre, kHello);
  CHECK(p.acksSent().empty());  // nothing new since the ack sent with our hello
  CHECK(p.peer.onUserMessage(kFile, kStep - 1) == Peer::Arrival::Deliver);
  CHECK(p.acksSent().empty());
  CHECK(p.peer.onUserMessage(kFile, 1) == Peer::Arrival::Deliver);  // exactly a step: ack
  CHECK(p.acksSent() == std::vector<uint64_t>{kStep});
  // 40 KiB messages: an ack as soon as a step more has been delivered, carrying the running total.
  for (int i = 0; i < 5; ++i) CHECK(p.peer.onUserMessage(kFile, 40 * KiB) == Peer::Arrival::Deliver);
  CHECK(p.acksSent() == std::vector<uint64_t>{kStep, kStep + 80 * KiB, kStep + 160 * KiB});
  // Other channels are not counted.
  for (int i = 0; i < 10; ++i) CHECK(p.peer.onUserMessage(kReliable, 64 * KiB) == Peer::Arrival::Deliver);
  CHECK(p.acksSent().size() == 3);
  // Acks go on `wre` only, never on a user channel.
  for (const auto& [c, bytes] : p.driver.sent) CHECK(c == kWre);
}

TEST_CASE("file delivered before the far end's hello is acknowledged when it arrives (cumulative counts)") {
  FlowPeer p;
  CHECK(p.peer.onUserMessage(kFile, 100 * KiB) == Peer::Arrival::Deliver);
  CHECK(p.acksSent().empty());  // not known to be a library peer yet
  p.peer.onLibraryMessage(kWre, kHello);
  CHECK(p.acksSent() == std::vector<uint64_t>{100 * KiB});
  p.peer.onLibraryMessage(kWre, kHello);  // a repeated hello changes nothing
  CHECK(p.acksSent().size() == 1);
}

TEST_CASE("closing `wre` turns the window off and releases what it held; close resets") {
  FlowPeer p;
  p.farEndAcks();
  for (int i = 0; i < 40; ++i) REQUIRE(p.peer.send(kFile, chunk(16 * KiB)));
  p.browserSendsEverything();
  REQUIRE(p.peer.queuedMessages() == 40 - CreditWindow::kBurst / (16 * KiB));
  p.peer.onChannelClose(kWre);  // no acks can come any more: do not wait for them
  CHECK_FALSE(p.window().active());
  CHECK(p.peer.queuedMessages() == 0);
  CHECK(p.sentBytes(kFile) == 40 * 16 * KiB);
  p.peer.close();
  CHECK(p.window().sent() == 0);
}

// Two peers wired back to back: A's `file` messages reach B's app when the "network" moves them,
// B's acks reach A. However slowly B's app takes messages, A never has more than the window
// outstanding, and every byte arrives, in order.
TEST_CASE("loopback: 16 MiB through file with a slow receiver stays within the window and arrives whole") {
  FlowPeer a, b;
  // Each side's hello and first ack, as `wre` opening sends them.
  a.peer.onLibraryMessage(kWre, kHello);
  a.peer.onLibraryMessage(kWre, encodeAck(0));
  b.peer.onLibraryMessage(kWre, kHello);
  b.peer.onLibraryMessage(kWre, encodeAck(0));
  auto carry = [](FlowPeer& from, FlowPeer& to, size_t& cursor, int channel, size_t maxMessages, auto&& deliver) {
    size_t moved = 0;
    while (cursor < from.driver.sent.size() && moved < maxMessages) {
      const auto& [c, bytes] = from.driver.sent[cursor++];
      if (c != channel) continue;
      deliver(to, bytes);
      ++moved;
    }
  };
  size_t aCursor = 0, bCursor = 0;
  auto ackToPeer = [](FlowPeer& to, const std::string& bytes) { to.peer.onLibraryMessage(kWre, bytes); };
  REQUIRE(a.window().active());

  const size_t total = 16 * 1024 * KiB, size = 16 * KiB;
  uint32_t next = 0, expected = 0;
  uint64_t delivered = 0, maxOutstanding = 0;
  bool inOrder = true;
  auto toApp = [&](FlowPeer& to, const std::string& bytes) {
    REQUIRE(to.peer.onUserMessage(kFile, bytes.size()) == Peer::Arrival::Deliver);
    uint32_t seq;
    std::memcpy(&seq, bytes.data(), 4);
    inOrder = inOrder && seq == expected++;
    delivered += bytes.size();
  };
  int rounds = 0;
  while (delivered < total) {  // (toApp counts `delivered`)
    REQUIRE(++rounds < 100000);
    // The app keeps the queue topped up (it ignores backpressure: the queue bound is large).
    while (next < total / size && a.peer.queuedBytes() < 2 * 1024 * KiB) {
      std::string m(size, 'x');
      std::memcpy(m.data(), &next, 4);
      ++next;
      REQUIRE(a.peer.send(kFile, bytesPayload(std::move(m))));
    }
    a.browserSendsEverything();
    maxOutstanding = std::max(maxOutstanding, a.sentBytes(kFile) - delivered);
    // A slow receiver: 3 messages a round reach B's app (fewer than A would send).
    carry(a, b, aCursor, kFile, 3, toApp);
    carry(b, a, bCursor, kWre, 100, ackToPeer);
    maxOutstanding = std::max(maxOutstanding, a.sentBytes(kFile) - delivered);
  }
  CHECK(delivered == total);
  CHECK(inOrder);
  CHECK(expected == total / size);
  CHECK(maxOutstanding <= W);
  CHECK(maxOutstanding > W / 2);  // and the window was used, not starved
  CHECK(a.peer.queuedMessages() == 0);
}

TEST_CASE("a far end that acks once and then never again: after the stall timeout the window is dropped") {
  Config c = flowConfig();
  c.heartbeatTimeout = 0;  // that far end says nothing at all: the browser alone judges the link
  FlowPeer p(c);
  p.peer.onConnectionState("connected");
  p.farEndAcks();
  for (int i = 0; i < 64; ++i) REQUIRE(p.peer.send(kFile, bytesPayload(std::string(16 * KiB, 'f'))));
  p.browserSendsEverything();
  CHECK(p.sentBytes(kFile) == CreditWindow::kBurst);  // the window holds the rest
  CHECK(p.peer.scheduler().fileHeldByWindow());
  // Reconnecting does not count as a stall: no acks can come then.
  p.peer.onConnectionState("disconnected");
  p.driver.advance(Peer::kFileAckStallMs + 1, [&](TimerId id) { p.peer.onTimer(id); });
  CHECK(p.log.count<event::ErrorRaised>() == 0);
  p.peer.onConnectionState("connected");
  // Acks still trickling in restart the watch.
  p.driver.advance(p.driver.now + Peer::kFileAckStallMs / 2, [&](TimerId id) { p.peer.onTimer(id); });
  p.peer.onLibraryMessage(kWre, encodeAck(kStep));
  p.browserSendsEverything();
  p.driver.advance(p.driver.now + Peer::kFileAckStallMs * 0.9, [&](TimerId id) { p.peer.onTimer(id); });
  CHECK(p.log.count<event::ErrorRaised>() == 0);
  // Then silence, connected: the window is abandoned and everything goes.
  p.driver.advance(p.driver.now + Peer::kFileAckStallMs + 1, [&](TimerId id) { p.peer.onTimer(id); });
  p.browserSendsEverything();
  auto errors = p.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.kind == ErrorKind::Send);
  CHECK_THAT(errors[0].error.message, Catch::Contains("acknowledged no 'file' data"));
  CHECK(p.sentBytes(kFile) == 64 * 16 * KiB);
  CHECK(p.peer.queuedBytes() == 0);
  // Later acks from that far end are not trusted again.
  p.peer.onLibraryMessage(kWre, encodeAck(64 * 16 * KiB));
  CHECK_FALSE(p.peer.scheduler().fileWindow().active());
}
