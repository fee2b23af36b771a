// Minimal reproductions of what the stress test (stress_test.cpp) found, each with seeds that find
// it when the fix is reverted (WRE_STRESS_SEED=<seed> build/native/wre_tests '[stress]' replays the
// whole run; seeds hold for the harness as it was committed with these tests).
#include <catch2/catch.hpp>

#include <functional>
#include <limits>

#include "fake_driver.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"

using namespace wre;
using namespace wre::test;

namespace {

Config quietConfig() {
  Config c;
  c.peerId = "found";
  c.metricsEnabled = false;
  c.heartbeatTimeout = 0;  // the far ends here are silent: the browser alone judges the link
  return c;
}

// Offerer whose far end's answer has no a=max-message-size: 65536 bytes from then on.
void connectWithSmallMaxMessageSize(Peer& peer) {
  auto offer = peer.createOffer();
  REQUIRE(offer);
  peer.onDescription(offer.value(), {"offer", "v=0\r\n"});
  auto set = peer.setRemoteAnswer({"answer", "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"});
  REQUIRE(set);
  peer.onRequestDone(set.value());
  REQUIRE(peer.scheduler().maxMessageSize() == 65536);
  peer.onConnectionState("connected");
}

}  // namespace

// Stress seeds 1000032 and 2000159: close()'s report counted fewer messages than were queued. A
// queued message the drain drops is reported by an event (an error of kind send when it is larger
// than the far end's maximum, MessageDropped on `unreliable`); a listener that closed the peer on
// an earlier event of the same drain (here message-sent) made close() seal that report away: the
// app had been told send() accepted the message, and was never told it was not sent.
TEST_CASE("found by stress: close() from a listener keeps the report of a queued message the same drain dropped") {
  FakeDriver driver;
  HookLog log;
  Peer peer(quietConfig(), driver, log);
  REQUIRE(peer.start());
  peer.scheduler().setReportSent(true);
  REQUIRE(peer.send(kReliable, bytesPayload(std::string(1024, 's'))));        // fits any far end
  REQUIRE(peer.send(kReliable, bytesPayload(std::string(100 * 1024, 'b'))));  // accepted under 256 KiB
  connectWithSmallMaxMessageSize(peer);
  log.hook = [&](const PeerEvent& e) {
    if (std::holds_alternative<event::MessageSent>(e)) peer.close();
  };
  peer.onChannelOpen(kReliable);  // one drain: sends the first, drops the second
  REQUIRE(driver.sent.size() == 1);
  bool reported = false;
  for (const auto& e : log.events) {
    if (std::holds_alternative<event::Closed>(e)) break;
    if (auto* err = std::get_if<event::ErrorRaised>(&e))
      reported |= err->error.kind == ErrorKind::Send &&
                  err->error.message.find("a queued 102400-byte message on 'reliable'") != std::string::npos;
  }
  CHECK(reported);
  CHECK(std::holds_alternative<event::Closed>(log.events.back()));
}

// Stress seeds 1000216 (`control`, a 1.1 MiB message, maxBufferedAmount 1 MiB) and 2000384
// (`file`, a plain far end). The scheduler queued a message that did not fit the browser's buffer and
// waited for bufferedamountlow; but the browser fires it only when the buffer drains through the
// low threshold from above, and the buffer was already below it. Only a message larger than
// highWater - lowThreshold gets there (the threshold leaves room for a 256 KiB message), which a
// far end allowing larger messages (Firefox: 1 GiB; a=max-message-size:0) makes possible: on
// `unreliable`, or `file` with no acknowledgements coming, it stalled for good.
TEST_CASE("found by stress: a message larger than highWater - lowThreshold goes once the buffer is at the threshold") {
  FakeDriver driver;
  EventLog log;
  Peer peer(quietConfig(), driver, log);
  REQUIRE(peer.start());
  peer.scheduler().setMaxMessageSize(std::numeric_limits<double>::infinity());
  for (int c : {kUnreliable, kFile}) {
    peer.onChannelOpen(c);
    const double high = peer.scheduler().highWater(c), low = peer.scheduler().lowThreshold(c);
    REQUIRE(high == 1024.0 * 1024);
    REQUIRE(low == 768.0 * 1024);
    const size_t big = 600 * 1024;                               // > high - low
    REQUIRE(peer.send(c, bytesPayload(std::string(big, 'a'))));  // an empty buffer takes anything
    REQUIRE(driver.buffered[c] == big);
    // 600 KiB in the buffer, below the threshold: the browser will never fire bufferedamountlow
    // for it. The next message must go now, not wait for that event.
    REQUIRE(peer.send(c, bytesPayload(std::string(big, 'b'))));
    CHECK(driver.buffered[c] == 2 * big);
    CHECK(peer.queuedMessages() == 0);
  }
  CHECK(log.count<event::Backpressure>() == 0);
}

// The 32 MiB stress scenario with bufferedamountlow lost anywhere rather than only while the window
// paces `file` (World::loseLowWhileWindowPaces): 6 of 8 seeds stalled before the drain watch.
// Outside the credit window (before the far end's first ack, with a plain far end, or after the
// 10 s ack-stall fallback dropped the window, which a loaded machine triggers by delivering acks
// late) a queue that waited on the browser's buffer drained only on bufferedamountlow: if the
// browser lost that one event, nothing else ever drained it.
TEST_CASE("found by stress: a lost bufferedamountlow no longer stalls file once the window is off",
          "[stress-finding]") {
  FakeDriver driver;
  EventLog log;
  Peer peer(quietConfig(), driver, log);
  REQUIRE(peer.start());
  for (int c = 0; c < kChannelCount; ++c) peer.onChannelOpen(c);
  peer.onConnectionState("connected");
  peer.onLibraryMessage(kWre, kHello);
  peer.onLibraryMessage(kWre, encodeAck(0));  // the window is on; then no ack ever again
  for (int i = 0; i < 200; ++i) REQUIRE(peer.send(kFile, bytesPayload(std::string(16 * 1024, 'f'))));
  driver.advance(Peer::kFileAckStallMs + 1, [&](TimerId id) { peer.onTimer(id); });
  REQUIRE_FALSE(peer.scheduler().fileWindow().active());  // dropped: the browser buffer bounds file now
  size_t queued = peer.queuedMessages();
  REQUIRE(queued > 0);
  // The browser keeps sending everything, and every bufferedamountlow it should fire is lost: the
  // drain watch (Peer::kDrainWatchMs) asks the browser for its buffer instead.
  for (int second = 0; second < 30 && peer.queuedMessages() > 0; ++second) {
    driver.buffered[kFile] = 0;
    driver.advance(driver.now + Peer::kDrainWatchMs, [&](TimerId id) { peer.onTimer(id); });
  }
  CHECK(peer.queuedMessages() == 0);
  // Nothing queued: the watch stopped (the one timer left is the probe tick).
  CHECK(driver.timers.size() == 1);
}
