#include <catch2/catch.hpp>
#include <cmath>

#include "fake_driver.hpp"
#include "peer/peer.hpp"

using namespace wre;
using namespace wre::test;

namespace {

const SessionDescription kOffer{"offer", "v=0\r\n"};
const SessionDescription kAnswer{"answer", "v=0\r\n"};

Config reconnectConfig() {
  Config c;
  c.peerId = "r";
  c.reconnectBaseDelay = 1000;
  c.reconnectMaxDelay = 30000;
  c.reconnectJitter = 1000;
  c.reconnectMaxAttempts = 5;
  c.metricsEnabled = false;  // only reconnection timers here
  return c;
}

struct Linked {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  explicit Linked(bool offerer, Config c = reconnectConfig()) : peer(std::move(c), driver, log) {
    REQUIRE(peer.start());
    if (offerer) {
      auto id = peer.createOffer();
      peer.onDescription(id.value(), kOffer);
      peer.onRequestDone(peer.setRemoteAnswer(kAnswer).value());
    } else {
      auto id = peer.createAnswer(kOffer);
      peer.onRequestDone(id.value());
      peer.onDescription(id.value(), kAnswer);
    }
    peer.onConnectionState("connected");
    REQUIRE(peer.state() == PeerState::Connected);
  }
  void advance(double ms) {
    driver.advance(driver.now + ms, [&](TimerId id) { peer.onTimer(id); });
  }
};

double expectedDelay(int attempt, double r, const Config& c) {
  return std::min(c.reconnectBaseDelay * std::pow(2.0, attempt - 1), c.reconnectMaxDelay) + r * c.reconnectJitter;
}

}  // namespace

TEST_CASE("disconnected waits out the grace period, then schedules ICE restarts by the backoff formula") {
  Linked l(true);
  l.driver.nextRandom = 0.25;
  l.peer.onConnectionState("disconnected");
  CHECK(l.peer.state() == PeerState::Disconnected);
  l.advance(Peer::kDisconnectGraceMs - 1);
  CHECK(l.log.count<event::ReconnectScheduled>() == 0);
  l.advance(1);
  auto scheduled = l.log.all<event::ReconnectScheduled>();
  REQUIRE(scheduled.size() == 1);
  CHECK(scheduled[0].attempt == 1);
  CHECK(scheduled[0].delayMs == Approx(1250));
  size_t offersBefore = l.driver.count("createOffer");
  l.advance(1250);
  REQUIRE(l.log.count<event::ReconnectAttempt>() == 1);
  CHECK(l.peer.state() == PeerState::Connecting);
  REQUIRE(l.driver.count("createOffer") == offersBefore + 1);
  CHECK(l.driver.last("createOffer")->detail == "restart");
  // The restart offer goes to the app as renegotiation-needed; its answer completes it.
  l.peer.onDescription(l.driver.last("createOffer")->id, {"offer", "v=0\r\nrestart"});
  auto reneg = l.log.all<event::RenegotiationNeeded>();
  REQUIRE(reneg.size() == 1);
  CHECK(reneg[0].offer.sdp == "v=0\r\nrestart");
  auto set = l.peer.setRemoteAnswer(kAnswer);
  REQUIRE(set);
  l.peer.onRequestDone(set.value());
  l.peer.onConnectionState("connected");
  CHECK(l.peer.state() == PeerState::Connected);
  CHECK_FALSE(l.peer.reconnecting());
  CHECK(l.driver.timers.empty());  // the next attempt's slot is cancelled
  CHECK(l.log.states() ==
        std::vector<std::string>{"connecting", "connected", "disconnected", "connecting", "connected"});
}

TEST_CASE("every attempt's delay is within its bounds over many seeds; the cap holds") {
  Config c = reconnectConfig();
  c.reconnectMaxDelay = 5000;
  c.reconnectMaxAttempts = 8;
  for (int seed = 0; seed < 50; ++seed) {
    Linked l(true, c);
    uint32_t state = 2463534242u + seed;
    auto next = [&] {  // xorshift: a deterministic random source per seed
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      return (state % 1000000) / 1000000.0;
    };
    l.driver.nextRandom = next();
    l.peer.onConnectionState("failed");  // failed: no grace
    for (int attempt = 1; attempt <= 8; ++attempt) {
      auto scheduled = l.log.all<event::ReconnectScheduled>();
      REQUIRE(scheduled.size() == static_cast<size_t>(attempt));
      double d = scheduled.back().delayMs;
      double floor = std::min(1000 * std::pow(2.0, attempt - 1), 5000.0);
      CHECK(scheduled.back().attempt == attempt);
      CHECK(d >= floor);
      CHECK(d < floor + 1000);
      CHECK(d == Approx(expectedDelay(attempt, l.driver.nextRandom, c)));
      l.driver.nextRandom = next();
      l.advance(d);
    }
  }
}

TEST_CASE("after the configured attempts: reconnect-failed, then failed, at the expected time") {
  Linked l(true);
  l.driver.nextRandom = 0;
  l.peer.onConnectionState("failed");
  // 1 + 2 + 4 + 8 + 16 s of attempt slots, then the last attempt's window (32 s capped at 30 s).
  l.advance(1000 + 2000 + 4000 + 8000 + 16000);
  CHECK(l.log.count<event::ReconnectAttempt>() == 5);
  CHECK(l.log.count<event::ReconnectFailed>() == 0);
  l.advance(30000 - 1);
  CHECK(l.log.count<event::ReconnectFailed>() == 0);
  l.advance(1);
  auto failed = l.log.all<event::ReconnectFailed>();
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].attempts == 5);
  CHECK(l.peer.state() == PeerState::Failed);
  CHECK(l.driver.timers.empty());
  CHECK(l.log.count<event::ReconnectScheduled>() == 5);
}

TEST_CASE("a link that recovers within the grace period does not restart") {
  Linked l(true);
  l.peer.onConnectionState("disconnected");
  l.advance(500);
  l.peer.onConnectionState("connected");
  l.advance(60000);
  CHECK(l.log.count<event::ReconnectScheduled>() == 0);
  CHECK(l.driver.timers.empty());
}

TEST_CASE("close during reconnection leaves no timer behind") {
  Linked l(true);
  l.peer.onConnectionState("failed");
  REQUIRE_FALSE(l.driver.timers.empty());
  l.peer.close();
  CHECK(l.driver.timers.empty());
  l.advance(120000);
  CHECK(l.log.count<event::ReconnectAttempt>() == 0);
}

TEST_CASE("the answering side never offers; it keeps the schedule as a deadline and accepts a restart") {
  Linked l(false);
  size_t offers = l.driver.count("createOffer");
  l.driver.nextRandom = 0;
  l.peer.onConnectionState("failed");
  l.advance(1000);
  CHECK(l.log.count<event::ReconnectAttempt>() == 1);
  CHECK(l.driver.count("createOffer") == offers);
  CHECK(l.peer.state() == PeerState::Failed);
  // The offerer's restart arrives: answered with the same createAnswer().
  auto id = l.peer.createAnswer({"offer", "v=0\r\nrestart"});
  REQUIRE(id);
  CHECK(l.peer.state() == PeerState::Connecting);
  l.peer.onRequestDone(id.value());
  l.peer.onDescription(id.value(), kAnswer);
  l.peer.onConnectionState("connected");
  CHECK(l.peer.state() == PeerState::Connected);
  CHECK(l.driver.timers.empty());
}

TEST_CASE("a far side that is gone ends by the schedule on the answering side too") {
  Linked l(false);
  l.driver.nextRandom = 0.999;
  l.peer.onConnectionState("disconnected");
  l.advance(200000);
  REQUIRE(l.log.count<event::ReconnectFailed>() == 1);
  CHECK(l.peer.state() == PeerState::Failed);
}

TEST_CASE("coming back online restarts at once instead of waiting for the slot") {
  Linked l(true);
  l.peer.onConnectionState("disconnected");
  l.peer.onNetworkChange();  // during the grace period
  CHECK(l.log.count<event::ReconnectAttempt>() == 1);
  l.peer.onConnectionState("failed");
  l.peer.onNetworkChange();  // while attempt 2 waits for its slot
  CHECK(l.log.count<event::ReconnectAttempt>() == 2);
  CHECK(l.driver.count("createOffer") == 3);
}

TEST_CASE("reconnectMaxAttempts 0 disables reconnection") {
  Config c = reconnectConfig();
  c.reconnectMaxAttempts = 0;
  Linked l(true, c);
  l.peer.onConnectionState("failed");
  REQUIRE(l.log.count<event::ReconnectFailed>() == 1);
  CHECK(l.log.all<event::ReconnectFailed>()[0].attempts == 0);
  CHECK(l.driver.timers.empty());
}

TEST_CASE("a failed restart offer is an ice-restart error and the schedule goes on") {
  Linked l(true);
  l.driver.nextRandom = 0;
  l.peer.onConnectionState("failed");
  l.advance(1000);
  l.peer.onRequestFailed(l.driver.last("createOffer")->id, "boom");
  auto errors = l.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.kind == ErrorKind::IceRestart);
  l.advance(2000);
  CHECK(l.log.count<event::ReconnectAttempt>() == 2);
}

TEST_CASE("queued messages wait out the outage and go in order once the link is back") {
  Linked l(true);
  l.peer.onChannelOpen(kReliable);
  l.peer.onConnectionState("disconnected");
  for (int i = 0; i < 3; ++i) REQUIRE(l.peer.send(kReliable, bytesPayload(std::to_string(i))));
  // The association survives an ICE restart: the browser keeps accepting (and buffering) sends.
  REQUIRE(l.driver.sent.size() == 3);
  CHECK(l.driver.sent[2].second == "2");
}
