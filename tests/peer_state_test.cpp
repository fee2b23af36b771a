#include <catch2/catch.hpp>

#include "fake_driver.hpp"
#include "peer/input_limits.hpp"
#include "peer/peer.hpp"

using namespace wre;
using namespace wre::test;

namespace {

Config testConfig() {
  Config c;
  c.peerId = "p1";
  c.metricsEnabled = false;  // metrics timers are tested in metrics_test.cpp
  return c;
}

const SessionDescription kOffer{"offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"};
const SessionDescription kAnswer{"answer", "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"};

struct Fixture {
  FakeDriver driver;
  EventLog log;
  Peer peer{testConfig(), driver, log};
  Fixture() { REQUIRE(peer.start()); }

  // Offerer through to connected; returns nothing, asserts each step.
  void connectAsOfferer() {
    auto id = peer.createOffer();
    REQUIRE(id);
    peer.onDescription(id.value(), {"offer", kOffer.sdp});
    auto set = peer.setRemoteAnswer(kAnswer);
    REQUIRE(set);
    peer.onRequestDone(set.value());
    peer.onConnectionState("connected");
  }
};

}  // namespace

TEST_CASE("start creates the six negotiated channels and announces the four user channels") {
  Fixture f;
  REQUIRE(f.driver.channels.size() == 6);
  for (int i = 0; i < 6; ++i) CHECK(f.driver.channels[i].id == i);
  CHECK(f.driver.channels[2].ordered == false);
  CHECK(f.driver.channels[2].maxRetransmits == 0);
  CHECK(f.log.count<event::Initialized>() == 1);
  auto created = f.log.all<event::ChannelCreated>();
  REQUIRE(created.size() == 4);
  CHECK(created[3].channel == kFile);
  CHECK(f.peer.state() == PeerState::New);
}

TEST_CASE("a browser that refuses the configuration gives an initialization error") {
  FakeDriver driver;
  driver.refuseConfig = true;
  EventLog log;
  Peer peer(testConfig(), driver, log);
  auto started = peer.start();
  REQUIRE_FALSE(started);
  CHECK(started.error().kind == ErrorKind::Initialization);
  CHECK(log.count<event::ErrorRaised>() == 1);
}

TEST_CASE("offerer goes new -> connecting -> connected") {
  Fixture f;
  f.connectAsOfferer();
  CHECK(f.log.states() == std::vector<std::string>{"connecting", "connected"});
  auto done = f.log.all<event::RequestDone>();
  REQUIRE(done.size() == 2);
  REQUIRE(done[0].description);
  CHECK(done[0].description->type == "offer");
  CHECK_FALSE(done[1].description);
  CHECK(f.driver.timers.empty());  // the connection timeout is cancelled once connected
}

TEST_CASE("answerer applies the offer, then creates the answer under the same request id") {
  Fixture f;
  auto id = f.peer.createAnswer(kOffer);
  REQUIRE(id);
  REQUIRE(f.driver.last("setRemoteDescription"));
  CHECK(f.driver.last("setRemoteDescription")->detail == "offer");
  CHECK(f.driver.count("createAnswer") == 0);
  f.peer.onRequestDone(id.value());
  REQUIRE(f.driver.last("createAnswer"));
  CHECK(f.driver.last("createAnswer")->id == id.value());
  f.peer.onDescription(id.value(), kAnswer);
  auto done = f.log.all<event::RequestDone>();
  REQUIRE(done.size() == 1);
  CHECK(done[0].id == id.value());
  CHECK(done[0].description->type == "answer");
}

TEST_CASE("invalid transitions are clear errors, not crashes") {
  Fixture f;
  SECTION("setRemoteAnswer before createOffer") {
    auto r = f.peer.setRemoteAnswer(kAnswer);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::AnswerSet);
    CHECK(r.error().message == "setRemoteAnswer() called before createOffer()");
  }
  SECTION("createOffer twice") {
    REQUIRE(f.peer.createOffer());
    auto r = f.peer.createOffer();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::OfferCreation);
  }
  SECTION("createAnswer on the offerer") {
    auto id = f.peer.createOffer();
    f.peer.onDescription(id.value(), kOffer);
    auto r = f.peer.createAnswer(kOffer);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::AnswerCreation);
  }
  SECTION("createAnswer with an answer") {
    auto r = f.peer.createAnswer(kAnswer);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("type 'offer'") != std::string::npos);
    CHECK(f.peer.state() == PeerState::New);  // nothing started
  }
  SECTION("setRemoteAnswer with garbage SDP") {
    f.peer.onDescription(f.peer.createOffer().value(), kOffer);
    auto r = f.peer.setRemoteAnswer({"answer", "hello"});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::AnswerSet);
    // The peer stays usable: a good answer still goes through.
    CHECK(f.peer.setRemoteAnswer(kAnswer));
  }
  CHECK(f.log.count<event::ErrorRaised>() == 1);
}

TEST_CASE("a browser-rejected answer leaves the offer waiting so a good answer can follow") {
  Fixture f;
  f.peer.onDescription(f.peer.createOffer().value(), kOffer);
  auto bad = f.peer.setRemoteAnswer(kAnswer);
  f.peer.onRequestFailed(bad.value(), "Failed to parse SessionDescription");
  auto failed = f.log.all<event::RequestFailed>();
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].error.kind == ErrorKind::AnswerSet);
  CHECK(failed[0].error.message.find("Failed to parse") != std::string::npos);
  CHECK(f.peer.setRemoteAnswer(kAnswer));
}

TEST_CASE("candidates before the remote description are held, then applied in order") {
  Fixture f;
  auto offer = f.peer.createOffer();
  f.peer.onDescription(offer.value(), kOffer);
  for (std::string c :
       {"candidate:1 1 udp 1 127.0.0.1 1000 typ host", "candidate:2 1 udp 1 127.0.0.1 1001 typ host", ""}) {
    auto r = f.peer.addIceCandidate({c, std::string("0"), 0, std::nullopt});
    REQUIRE(r);
    CHECK_FALSE(r.value().has_value());
  }
  CHECK(f.driver.count("addIceCandidate") == 0);
  CHECK(f.peer.heldCandidates() == 3);
  auto set = f.peer.setRemoteAnswer(kAnswer);
  f.peer.onRequestDone(set.value());
  REQUIRE(f.driver.count("addIceCandidate") == 3);
  std::vector<std::string> applied;
  for (const auto& call : f.driver.calls)
    if (call.what == "addIceCandidate") applied.push_back(call.detail);
  CHECK(applied[0].find("1000") != std::string::npos);
  CHECK(applied[1].find("1001") != std::string::npos);
  CHECK(applied[2].empty());  // end-of-candidates passes through last
  // Once the description is set, candidates go straight to the browser.
  auto direct =
      f.peer.addIceCandidate({"candidate:3 1 udp 1 127.0.0.1 1002 typ host", std::string("0"), 0, std::nullopt});
  REQUIRE(direct);
  CHECK(direct.value().has_value());
}

TEST_CASE("malformed candidates are refused before they reach the browser") {
  Fixture f;
  auto r = f.peer.addIceCandidate({"candidate:1 1 udp 1 127.0.0.1 99999 typ host", std::string("0"), 0, {}});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::IceCandidate);
  CHECK(r.error().message.find("port") != std::string::npos);
  CHECK(f.peer.heldCandidates() == 0);
  auto noMid = f.peer.addIceCandidate({"candidate:1 1 udp 1 127.0.0.1 9 typ host", std::nullopt, std::nullopt, {}});
  REQUIRE_FALSE(noMid);
  CHECK(noMid.error().message.find("sdpMid") != std::string::npos);
}

TEST_CASE("held candidates are bounded") {
  Fixture f;
  for (size_t i = 0; i < InputLimits::kHeldCandidates; ++i)
    REQUIRE(f.peer.addIceCandidate({"candidate:1 1 udp 1 127.0.0.1 1000 typ host", std::string("0"), 0, {}}));
  auto r = f.peer.addIceCandidate({"candidate:1 1 udp 1 127.0.0.1 1000 typ host", std::string("0"), 0, {}});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::IceCandidate);
}

TEST_CASE("connection timeout fails the peer with an error") {
  Fixture f;
  REQUIRE(f.peer.createOffer());
  REQUIRE(f.driver.timers.size() == 1);
  auto [id, due] = *f.driver.timers.begin();
  CHECK(due == Approx(30000));
  f.peer.onTimer(id);
  CHECK(f.peer.state() == PeerState::Failed);
  auto errors = f.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.kind == ErrorKind::ConnectionTimeout);
  CHECK(errors[0].error.message.find("30000") != std::string::npos);
}

TEST_CASE("close is idempotent, emits closed once, and silences late browser callbacks") {
  Fixture f;
  f.connectAsOfferer();
  f.peer.close();
  f.peer.close();
  CHECK(f.driver.closed);
  CHECK(f.log.count<event::Closed>() == 1);
  CHECK(f.log.states().back() == "closed");
  size_t before = f.log.events.size();
  f.peer.onConnectionState("failed");
  f.peer.onChannelOpen(1);
  f.peer.onIceCandidate({"candidate:1 1 udp 1 127.0.0.1 1 typ host", std::string("0"), 0, {}});
  CHECK(f.log.events.size() == before);
  auto sent = f.peer.send(kReliable, bytesPayload("late"));
  REQUIRE_FALSE(sent);
  CHECK(sent.error().kind == ErrorKind::Send);
  CHECK_FALSE(f.peer.createOffer());
}

TEST_CASE("close() from a listener during send(): the message is reported, not lost silently") {
  // The app closes the peer when it sees backpressure. Events leave the core only once send()
  // has finished: the message is queued by then, and close() reports it discarded.
  struct ClosingSink : EventSink {
    Peer* peer = nullptr;
    EventLog log;
    void onEvent(const PeerEvent& e) override {
      log.onEvent(e);
      if (std::holds_alternative<event::Backpressure>(e)) peer->close();
    }
  } sink;
  FakeDriver driver;
  Peer peer(testConfig(), driver, sink);
  sink.peer = &peer;
  REQUIRE(peer.start());
  REQUIRE(peer.send(kReliable, bytesPayload("hello")));  // channel not open: queued, backpressure
  CHECK(peer.queuedMessages() == 0);
  auto errors = sink.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].error.message, Catch::Contains("discarded 1 queued messages (5 bytes)"));
  // Nothing the peer had still to say after the backpressure (message-queued) reaches the app.
  CHECK(sink.log.count<event::MessageQueued>() == 0);
  CHECK(sink.log.states().back() == "closed");
  CHECK(sink.log.count<event::Closed>() == 1);
  CHECK(std::holds_alternative<event::Closed>(sink.log.events.back()));
}

TEST_CASE("close rejects requests still in flight") {
  Fixture f;
  auto id = f.peer.createOffer();
  f.peer.close();
  auto failed = f.log.all<event::RequestFailed>();
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].id == id.value());
}

TEST_CASE("state changes to the same state are not reported; nothing leaves closed") {
  Fixture f;
  f.connectAsOfferer();
  f.peer.onConnectionState("connected");
  f.peer.onConnectionState("disconnected");
  f.peer.onConnectionState("connected");
  CHECK(f.log.states() == std::vector<std::string>{"connecting", "connected", "disconnected", "connected"});
}

TEST_CASE("local candidates reach the app; the driver's end-of-candidates (empty) does not") {
  Fixture f;
  f.peer.onIceCandidate({"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "0", 0, std::nullopt});
  f.peer.onIceCandidate({"", std::nullopt, std::nullopt, std::nullopt});
  auto seen = f.log.all<event::IceCandidate>();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].candidate.candidate.starts_with("candidate:1 1 udp"));
}
