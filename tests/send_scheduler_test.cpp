#include <catch2/catch.hpp>

#include "fake_driver.hpp"
#include "peer/peer.hpp"
#include "peer/sdp_facts.hpp"

using namespace wre;
using namespace wre::test;

namespace {

Config smallConfig() {
  Config c;
  c.peerId = "q";
  c.maxBufferedAmount = 100;
  c.lowWaterMark = 10;
  c.maxQueuedBytes = 50;
  return c;
}

struct OpenPeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  // An app that listens to every event, message-sent and message-queued included.
  explicit OpenPeer(Config c = smallConfig()) : peer(std::move(c), driver, log) {
    REQUIRE(peer.start());
    peer.scheduler().setReportSent(true);
    peer.scheduler().setReportQueued(true);
  }
  // The browser sent everything: buffers empty, bufferedamountlow fires.
  void browserDrains(int channel) {
    driver.buffered[channel] = 0;
    peer.onBufferedAmountLow(channel);
  }
  std::vector<int> sentChannels() const {
    std::vector<int> out;
    for (const auto& [c, _] : driver.sent) out.push_back(c);
    return out;
  }
  // Offers, then hands the browser the far end's answer `sdp`; returns the request applying it.
  RequestId offerAndAnswer(const std::string& sdp) {
    auto offer = peer.createOffer();
    peer.onDescription(offer.value(), {"offer", "v=0\r\n"});
    auto set = peer.setRemoteAnswer({"answer", sdp});
    REQUIRE(set);
    return set.value();
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
  CHECK(p.log.count<event::Backpressure>() == 1);  // not open yet: backpressure, once
  CHECK(p.log.count<event::ChannelReady>() == 0);
  p.peer.onChannelOpen(kReliable);
  CHECK(p.log.count<event::ChannelReady>() == 1);
  REQUIRE(p.driver.sent.size() == 2);
  CHECK(p.driver.sent[0].second == "a");
  CHECK(p.driver.sent[1].second == "bb");
  CHECK(p.peer.queuedMessages() == 0);
  CHECK(p.log.count<event::MessageSent>() == 2);
}

TEST_CASE("a full browser buffer queues with one backpressure event; low water drains and says ready") {
  Config c = smallConfig();
  c.maxQueuedBytes = 1000;
  OpenPeer p(c);
  p.peer.onChannelOpen(kReliable);
  REQUIRE(p.peer.send(kReliable, bytesPayload(std::string(95, 'x'))));
  REQUIRE(p.driver.sent.size() == 1);
  REQUIRE(p.peer.send(kReliable, bytesPayload("0123456789")));  // 95 + 10 > 100
  REQUIRE(p.peer.send(kReliable, bytesPayload("y")));           // behind it, never overtakes
  CHECK(p.driver.sent.size() == 1);
  auto bp = p.log.all<event::Backpressure>();
  REQUIRE(bp.size() == 1);
  CHECK(bp[0].bufferedAmount == 95);
  CHECK(p.log.count<event::ChannelReady>() == 0);
  p.browserDrains(kReliable);
  REQUIRE(p.driver.sent.size() == 3);
  CHECK(p.driver.sent[1].second == "0123456789");
  CHECK(p.driver.sent[2].second == "y");
  CHECK(p.log.count<event::ChannelReady>() == 1);
}

TEST_CASE("the scheduler asks the browser before queuing: a drained buffer takes the message at once") {
  OpenPeer p;
  p.peer.onChannelOpen(kReliable);
  REQUIRE(p.peer.send(kReliable, bytesPayload(std::string(95, 'x'))));
  p.driver.buffered[kReliable] = 0;  // drained, no event yet
  REQUIRE(p.peer.send(kReliable, bytesPayload("now")));
  CHECK(p.driver.sent.size() == 2);
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

TEST_CASE("bulk channels keep at most 1 MiB in the browser; thresholds leave room for a full message") {
  Config c;
  c.peerId = "bulk";
  OpenPeer p(c);
  auto& s = p.peer.scheduler();
  CHECK(s.highWater(kReliable) == 16 * 1024 * 1024);
  CHECK(s.highWater(kFile) == 1024 * 1024);
  CHECK(s.highWater(kUnreliable) == 1024 * 1024);
  CHECK(p.driver.lowThresholds[kReliable] == 1024 * 1024);
  CHECK(p.driver.lowThresholds[kFile] <= 1024 * 1024 - 256 * 1024);
  p.peer.onChannelOpen(kFile);
  p.peer.onChannelOpen(kReliable);
  for (int i = 0; i < 100; ++i) REQUIRE(p.peer.send(kFile, bytesPayload(std::string(64 * 1024, 'f'))));
  CHECK(p.driver.buffered[kFile] <= 1024 * 1024);
  CHECK(p.peer.queuedMessages() == 100 - 16);
  // A chat message does not wait behind the file backlog.
  REQUIRE(p.peer.send(kReliable, bytesPayload("chat")));
  CHECK(p.driver.sent.back() == std::make_pair(kReliable, std::string("chat")));
}

TEST_CASE("draining is by priority, and the low-priority channel still gets a share every round") {
  Config c;
  c.peerId = "prio";
  c.maxBufferedAmount = 64 * 1024;  // every channel holds four 16 KiB messages in the browser
  c.lowWaterMark = 0;
  c.maxQueuedBytes = 64.0 * 1024 * 1024;
  OpenPeer p(c);
  for (int ch : {kFile, kReliable, kControl}) {
    p.peer.onChannelOpen(ch);
    REQUIRE(p.peer.send(ch, bytesPayload(std::string(64 * 1024, 'x'))));  // browser buffer now full
  }
  for (int i = 0; i < 20; ++i) REQUIRE(p.peer.send(kFile, bytesPayload(std::string(16 * 1024, 'f'))));
  for (int i = 0; i < 20; ++i) REQUIRE(p.peer.send(kReliable, bytesPayload(std::string(16 * 1024, 'r'))));
  REQUIRE(p.peer.send(kControl, bytesPayload("ctl")));
  p.driver.sent.clear();
  for (int ch : {kFile, kReliable, kControl}) p.driver.buffered[ch] = 0;
  p.peer.onBufferedAmountLow(kFile);  // one drain serves every channel, by priority
  auto order = p.sentChannels();
  // Round 1: control, two reliable (32 KiB quantum), one file (16 KiB); round 2: two reliable, one file.
  std::vector<int> expected = {kControl, kReliable, kReliable, kFile, kReliable, kReliable, kFile};
  REQUIRE(order.size() >= expected.size());
  CHECK(std::vector<int>(order.begin(), order.begin() + 7) == expected);
  // Reliable's browser buffer is now full; file keeps its share until its own buffer is.
  CHECK(std::count(order.begin(), order.end(), kFile) == 4);
  CHECK(std::count(order.begin(), order.end(), kReliable) == 4);
}

TEST_CASE("unreliable drops stale and overflowing data, and says so") {
  OpenPeer p([] {
    Config c;
    c.peerId = "u";
    return c;
  }());
  REQUIRE(p.peer.send(kUnreliable, bytesPayload("old")));
  p.driver.now = 1000;  // far past kUnreliableMaxAgeMs
  REQUIRE(p.peer.send(kUnreliable, bytesPayload("fresh")));
  p.peer.onChannelOpen(kUnreliable);
  REQUIRE(p.driver.sent.size() == 1);
  CHECK(p.driver.sent[0].second == "fresh");
  auto dropped = p.log.all<event::MessageDropped>();
  REQUIRE(dropped.size() == 1);
  CHECK(std::string(dropped[0].reason) == "stale");
  p.peer.onChannelClose(kUnreliable);
  for (int i = 0; i < 5; ++i) REQUIRE(p.peer.send(kUnreliable, bytesPayload(std::string(64 * 1024, 'u'))));
  CHECK(p.peer.queuedBytes() <= SendScheduler::kUnreliableQueueLimit);
  CHECK(p.log.count<event::MessageDropped>() == 2);
}

TEST_CASE("messages larger than the far end's max-message-size are refused, naming both sizes") {
  Config c;
  c.peerId = "m";
  OpenPeer p(c);
  p.peer.onRequestDone(p.offerAndAnswer("v=0\r\na=max-message-size:1000\r\n"));
  auto r = p.peer.send(kReliable, bytesPayload(std::string(1001, 'x')));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("1001-byte") != std::string::npos);
  CHECK(r.error().message.find("(1000 bytes") != std::string::npos);
  CHECK(p.peer.send(kReliable, bytesPayload(std::string(1000, 'x'))));
}

TEST_CASE("a description the browser refused does not change the max message size") {
  Config c;
  c.peerId = "m";
  OpenPeer p(c);
  p.peer.onRequestFailed(p.offerAndAnswer("v=0\r\na=max-message-size:1\r\n"), "SyntaxError: bad SDP");
  CHECK(p.peer.send(kReliable, bytesPayload(std::string(1000, 'x'))));
  auto good = p.peer.setRemoteAnswer({"answer", "v=0\r\na=max-message-size:262144\r\n"});
  REQUIRE(good);
  p.peer.onRequestDone(good.value());
  CHECK(p.peer.scheduler().maxMessageSize() == 262144);
}

TEST_CASE("the limit is the smaller of both descriptions' max-message-size (Chromium offering to Firefox)") {
  Config c;
  c.peerId = "m";
  OpenPeer p(c);
  auto offer = p.peer.createOffer();
  p.peer.onDescription(offer.value(), {"offer", "v=0\r\na=max-message-size:262144\r\n"});
  auto set = p.peer.setRemoteAnswer({"answer", "v=0\r\na=max-message-size:1073741823\r\n"});
  p.peer.onRequestDone(set.value());
  CHECK(p.peer.scheduler().maxMessageSize() == 262144);
  auto r = p.peer.send(kReliable, bytesPayload(std::string(262145, 'x')));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("(262144 bytes") != std::string::npos);

  // Answering: the far end's offer is applied before our answer exists; the answer then narrows it.
  OpenPeer q(c);
  auto answering = q.peer.createAnswer({"offer", "v=0\r\na=max-message-size:1073741823\r\n"});
  q.peer.onRequestDone(answering.value());
  CHECK(q.peer.scheduler().maxMessageSize() == 1073741823);
  q.peer.onDescription(answering.value(), {"answer", "v=0\r\na=max-message-size:262144\r\n"});
  CHECK(q.peer.scheduler().maxMessageSize() == 262144);
}

TEST_CASE("max-message-size is read from the SDP per RFC 8841") {
  CHECK(maxMessageSizeOf("v=0\r\na=max-message-size:262144\r\n") == 262144);
  CHECK(maxMessageSizeOf("v=0\r\n") == 65536);
  CHECK(std::isinf(maxMessageSizeOf("v=0\r\na=max-message-size:0\r\n")));
  CHECK(maxMessageSizeOf("v=0\r\nx=a=max-message-size:5\r\n") == 65536);
  CHECK(maxMessageSizeOf("v=0\r\na=max-message-size:abc\r\n") == 65536);
  // Our own: no figure is no limit of ours.
  CHECK(std::isinf(ownMaxMessageSizeOf("v=0\r\n")));
  CHECK(ownMaxMessageSizeOf("v=0\r\na=max-message-size:262144\r\n") == 262144);
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

TEST_CASE("per-message events are off until asked for") {
  FakeDriver driver;
  EventLog log;
  Peer peer(smallConfig(), driver, log);
  REQUIRE(peer.start());
  REQUIRE(peer.send(kReliable, bytesPayload("a")));
  peer.onChannelOpen(kReliable);
  CHECK(driver.sent.size() == 1);
  CHECK(log.count<event::MessageQueued>() == 0);
  CHECK(log.count<event::MessageSent>() == 0);
}

TEST_CASE("per-message events can be switched off again") {
  OpenPeer p;
  p.peer.scheduler().setReportSent(false);
  p.peer.scheduler().setReportQueued(false);
  REQUIRE(p.peer.send(kReliable, bytesPayload("a")));
  p.peer.onChannelOpen(kReliable);
  CHECK(p.driver.sent.size() == 1);
  CHECK(p.log.count<event::MessageSent>() == 0);
  CHECK(p.log.count<event::MessageQueued>() == 0);
}

TEST_CASE("close reports queued messages it discards") {
  OpenPeer p;
  REQUIRE(p.peer.send(kReliable, bytesPayload("never")));
  p.peer.close();
  auto errors = p.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.message.find("discarded 1 queued") != std::string::npos);
}
