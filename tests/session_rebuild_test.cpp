// Session resume across a rebuilt connection (issue #20): when an ICE restart cannot help, the
// offerer makes a new RTCPeerConnection and offers it through `renegotiation-needed`; the answerer
// rebuilds on an offer from a new connection; the far side's first counts on the new connection
// say where to resume, and every message on control/reliable/file arrives once, in order.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "loopback_pair.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "session/session_codec.hpp"

using namespace wre;
using namespace wre::test;

TEST_CASE("the browser closes the channels with ICE: the offerer rebuilds, and every message arrives once, in order") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  std::vector<std::string> control, reliable, file;
  sendNumbered(a, kControl, "c", 0, 5, control);
  sendNumbered(a, kReliable, "r", 0, 10, reliable);
  sendNumbered(a, kFile, "f", 0, 3, file);
  carry(a, b, 6);  // six arrive; the rest die in the browser's buffers
  CHECK(b.peer.delivered() == DeliveredCounts{5, 1, 0});
  size_t sentMessages = a.log.count<event::MessageSent>();

  a.browserDrops();
  b.browserDrops();
  a.forgetInFlight();
  b.forgetInFlight();
  CHECK(a.peer.state() == PeerState::Failed);
  CHECK(a.peer.reconnecting());
  sendNumbered(a, kReliable, "r", 10, 4, reliable);  // while down: queued behind what is replayed
  CHECK(a.peer.queuedMessages() == 4);

  rebuildAndSignal(a, b);
  CHECK(b.driver.count("createPeerConnection") == 2);          // the answerer took a new connection too
  CHECK(a.log.count<event::ChannelClose>() == kUserChannels);  // once, from the browser: not again
  // Until the far side's counts on the new connection, nothing goes on counted channels.
  a.linkUp();
  b.linkUp();
  CHECK(a.peer.state() == PeerState::Connected);
  exchange(a, b);

  CHECK(b.got[kControl] == control);
  CHECK(b.got[kReliable] == reliable);
  CHECK(b.got[kFile] == file);
  CHECK(b.peer.delivered() == DeliveredCounts{5, 14, 3});
  CHECK(a.errors().empty());
  CHECK(b.errors().empty());
  // A replayed message was announced once, when it first went: only the four new ones since.
  CHECK(a.log.count<event::MessageSent>() == sentMessages + 4);
  b.wait(ProbePlan::kMaxSparseMs + 10);  // b's last counts
  carry(b, a);
  CHECK(a.peer.scheduler().replay().messages() == 0);
}

TEST_CASE("after iceRestartAttempts failed ICE restarts the next attempts rebuild, again while a rebuild fails") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  std::vector<std::string> reliable;
  sendNumbered(a, kReliable, "r", 0, 3, reliable);  // none arrives
  a.forgetInFlight();
  a.peer.onConnectionState("failed");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    a.wait(100);
    const auto* offer = a.driver.last("createOffer");
    REQUIRE(offer);
    CHECK(offer->detail == "restart");
    CHECK(a.driver.count("createPeerConnection") == 1);
  }
  // The fourth attempt rebuilds; it does not connect either, so the fifth rebuilds again.
  a.wait(100);
  CHECK(a.driver.count("createPeerConnection") == 2);
  a.wait(100);
  CHECK(a.driver.count("createPeerConnection") == 3);
  CHECK(a.peer.reconnectAttempt() == 5);
  rebuildAndSignal(a, b);
  CHECK(a.driver.count("createPeerConnection") == 4);
  a.linkUp();
  b.linkUp();
  exchange(a, b);
  CHECK(b.got[kReliable] == reliable);
  CHECK(a.errors().empty());
  // Up again: the next outage starts with ICE restarts.
  a.peer.onConnectionState("failed");
  a.wait(100);
  CHECK(a.driver.last("createOffer")->detail == "restart");
}

TEST_CASE("iceRestartAttempts is a config field: 0 rebuilds at once, negative or fractional is refused") {
  Config c = rebuildConfig();
  c.iceRestartAttempts = 0;
  FakeDriver driver;
  EventLog log;
  Peer p(c, driver, log);
  REQUIRE(p.start());
  connectAsOfferer(p);
  p.onConnectionState("failed");
  driver.advance(100, [&](TimerId id) { p.onTimer(id); });
  CHECK(driver.count("createPeerConnection") == 2);
  for (double v : {-1.0, 2.5}) {
    auto bad =
        parseConfig(Value::object().set("peerId", Value::string("x")).set("iceRestartAttempts", Value::number(v)));
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::Contains("iceRestartAttempts"));
  }
  auto good = parseConfig(Value::object().set("peerId", Value::string("x")));
  REQUIRE(good);
  CHECK(good.value().iceRestartAttempts == 3);
}

TEST_CASE("the answerer: an ICE restart offer stays on the same connection, an offer of a new connection rebuilds") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  b.peer.onConnectionState("failed");
  auto restart = b.peer.createAnswer({"offer", kOfferRestart});
  REQUIRE(restart);
  CHECK(b.driver.count("createPeerConnection") == 1);
  b.peer.onRequestDone(restart.value());
  b.peer.onDescription(restart.value(), {"answer", kAnswer});
  CHECK(b.driver.last("setRemoteDescription")->id == restart.value());

  size_t closes = b.log.count<event::ChannelClose>();
  auto fresh = b.peer.createAnswer({"offer", kOfferNew});
  REQUIRE(fresh);
  CHECK(b.driver.count("createPeerConnection") == 2);
  CHECK(b.driver.channels.size() == 2 * kChannelCount);                 // the same six channels on the new one
  CHECK(b.log.count<event::ChannelClose>() == closes + kUserChannels);  // the old ones, still open, closed
  CHECK(b.peer.state() == PeerState::Connecting);
  b.peer.onRequestDone(fresh.value());
  b.peer.onDescription(fresh.value(), {"answer", kAnswer});
  CHECK(b.errors().empty());
}

TEST_CASE(
    "the far side comes back as a new session after a rebuild: reported with counts, nothing replayed, the new one "
    "works") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  std::vector<std::string> unused;
  sendNumbered(a, kReliable, "old", 0, 3, unused);
  sendNumbered(a, kControl, "old", 0, 2, unused);
  a.forgetInFlight();
  a.browserDrops();
  sendNumbered(a, kReliable, "old", 3, 2, unused);  // queued while down: for the old session too

  Side reloaded(0.5);  // the far page reloaded: a new peer object, a new session id
  rebuildAndSignal(a, reloaded);
  std::vector<std::string> fresh;
  sendNumbered(a, kReliable, "new", 0, 1, fresh);  // after the rebuild began: for whoever is there
  a.linkUp();
  reloaded.linkUp();
  exchange(a, reloaded);
  REQUIRE(a.peer.farSession() == reloaded.peer.sessionId());
  REQUIRE(a.errors().size() == 1);
  CHECK_THAT(a.errors()[0], Catch::Contains("new session: 5 sent messages (20 bytes) the old session had not "
                                            "confirmed delivering, and 2 messages (8 bytes) queued for it"));
  CHECK(a.peer.queuedMessages() == 0);
  CHECK(reloaded.got[kReliable] == fresh);  // nothing of the old session
  CHECK(reloaded.got[kControl].empty());
  sendNumbered(a, kReliable, "new", 1, 2, fresh);
  exchange(a, reloaded);
  CHECK(reloaded.got[kReliable] == fresh);
  CHECK(reloaded.errors().empty());
}

TEST_CASE("ICE back but the channels gone: the offerer rebuilds at once instead of calling the link up") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  a.browserDrops();
  a.peer.onConnectionState("connected");  // an ICE restart worked, the association did not survive
  CHECK(a.peer.state() == PeerState::Connecting);
  CHECK(a.driver.count("createPeerConnection") == 2);
}

TEST_CASE("a rebuild settles the old connection's requests: a held candidate resolves, a superseded answer fails") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  a.peer.onConnectionState("failed");
  for (int attempt = 0; attempt < 3; ++attempt) a.wait(100);  // three ICE restarts
  const auto* offer = a.driver.last("createOffer");
  a.peer.onDescription(offer->id, {"offer", kOfferRestart});
  auto set = a.peer.setRemoteAnswer({"answer", kAnswer});
  REQUIRE(set);  // in flight when the rebuild comes
  a.wait(100);
  REQUIRE(a.driver.count("createPeerConnection") == 2);
  bool failed = false;
  for (const auto& f : a.log.all<event::RequestFailed>())
    if (f.id == set.value()) failed = Catch::contains(f.error.message, "rebuilt");
  CHECK(failed);
  a.peer.onRequestDone(set.value());  // the old connection's late answer: nothing happens
  CHECK(a.peer.state() == PeerState::Connecting);
}

TEST_CASE("a plain far side (no counts): a rebuild holds nothing back, messages go as soon as channels open") {
  Side a(0.1);
  connectAsOfferer(a.peer);  // the far side never says hello
  a.browserDrops();
  a.wait(100);
  REQUIRE(a.driver.count("createPeerConnection") == 2);
  a.forgetInFlight();
  a.linkUp();
  REQUIRE(a.peer.send(kReliable, body("x")));
  REQUIRE(a.cursor < a.driver.sent.size());
  bool went = false;
  for (size_t i = a.cursor; i < a.driver.sent.size(); ++i)
    went = went || a.driver.sent[i] == std::pair<int, std::string>{kReliable, "x"};
  CHECK(went);
}

TEST_CASE(
    "a far side that gives no counts on the rebuilt connection: after kReplayAckStallMs sending goes on, said once") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  b.wait(ProbePlan::kMaxSparseMs + 10);  // b confirms everything: a's store is empty
  carry(b, a);
  REQUIRE(a.peer.scheduler().replay().messages() == 0);
  a.browserDrops();
  std::vector<std::string> reliable;
  sendNumbered(a, kReliable, "r", 0, 3, reliable);
  rebuildAndSignal(a, b);
  a.forgetInFlight();
  a.linkUp();  // b stays silent: no hello, no counts
  a.wait(Peer::kReplayAckStallMs - 100);
  CHECK(a.peer.queuedMessages() == 3);  // waiting for where to resume
  a.wait(200);
  CHECK(a.peer.queuedMessages() == 0);
  REQUIRE(a.errors().size() == 1);
  CHECK_THAT(a.errors()[0], Catch::Contains("no delivered counts for 10000 ms after the connection was rebuilt"));
}

TEST_CASE(
    "an attempt right after a rebuild whose offer awaits its answer (late timers in a burst) does not rebuild again") {
  Side a(0.1), b(0.9);
  connectPair(a, b);
  a.browserDrops();
  a.wait(100);
  REQUIRE(a.driver.count("createPeerConnection") == 2);
  int attempts = a.peer.reconnectAttempt();
  a.peer.onNetworkChange();  // the next attempt at once, as a burst of late timers would run it
  CHECK(a.peer.reconnectAttempt() == attempts + 1);
  CHECK(a.driver.count("createPeerConnection") == 2);  // the first rebuild's answer is still wanted
  // Its answer never comes: once the base delay has passed, the next attempt rebuilds.
  a.wait(100);
  CHECK(a.driver.count("createPeerConnection") == 3);
}
