// `bye` on `wre`: close() tells a far side of this library, and a far side's bye closes us
// (reason remote-closed) through the same path as a local close.
#include <catch2/catch.hpp>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"

using namespace wre;
using namespace wre::test;

namespace {

Config testConfig() {
  Config c;
  c.peerId = "p1";
  c.metricsEnabled = false;
  return c;
}

// Remembers what had been sent when the connection was closed: a bye must go out before.
class ClosingDriver : public FakeDriver {
 public:
  std::vector<std::pair<int, std::string>> sentBeforeClose;
  void close() override {
    if (!closed) sentBeforeClose = sent;
    FakeDriver::close();
  }
};

struct Fixture {
  ClosingDriver driver;
  HookLog log;
  Peer peer{testConfig(), driver, log};
  Fixture() { REQUIRE(peer.start()); }

  // Offerer through to connected, every channel open (`wre` included).
  void connect() { connectAsOfferer(peer); }
  void connectToLibrary() {
    connect();
    peer.onLibraryMessage(kWre, kHello);
    REQUIRE(peer.farSideIsLibrary());
  }

  static size_t byes(const std::vector<std::pair<int, std::string>>& sent) {
    size_t n = 0;
    for (const auto& [channel, bytes] : sent) n += channel == kWre && bytes == kBye;
    return n;
  }
  std::vector<CloseReason> reasons() const {
    std::vector<CloseReason> out;
    for (const auto& c : log.all<event::Closed>()) out.push_back(c.reason);
    return out;
  }
};

}  // namespace

TEST_CASE("close() says bye on wre before the connection closes, to a far side of this library") {
  Fixture f;
  f.connectToLibrary();
  f.peer.close();
  CHECK(Fixture::byes(f.driver.sentBeforeClose) == 1);
  CHECK(Fixture::byes(f.driver.sent) == 1);
  CHECK(f.driver.closed);
  CHECK(f.reasons() == std::vector<CloseReason>{CloseReason::Local});
  f.peer.close();  // idempotent: no second bye
  CHECK(Fixture::byes(f.driver.sent) == 1);
}

TEST_CASE("no bye to a plain far side, nor on a wre channel that is not open") {
  SECTION("plain far side: it never said hello") {
    Fixture f;
    f.connect();
    f.peer.close();
    CHECK(Fixture::byes(f.driver.sent) == 0);
  }
  SECTION("wre closed after the hello") {
    Fixture f;
    f.connectToLibrary();
    f.peer.onChannelClose(kWre);
    f.peer.close();
    CHECK(Fixture::byes(f.driver.sent) == 0);
  }
}

TEST_CASE("a far side's bye closes the peer: state-change to closed, then closed with reason remote-closed") {
  Fixture f;
  f.connectToLibrary();
  f.log.events.clear();
  f.driver.sent.clear();
  f.peer.onLibraryMessage(kWre, kBye);
  CHECK(f.peer.state() == PeerState::Closed);
  CHECK(f.driver.closed);  // the browser objects go, as on a local close
  CHECK(f.driver.timers.empty());
  REQUIRE(f.log.events.size() == 2);
  auto change = std::get<event::StateChange>(f.log.events[0]);
  CHECK(change.from == PeerState::Connected);
  CHECK(change.to == PeerState::Closed);
  CHECK(std::get<event::Closed>(f.log.events[1]).reason == CloseReason::RemoteClosed);
  CHECK(f.driver.sent.empty());  // no bye back: the far side is gone
  // A later close() by the app changes nothing.
  f.peer.close();
  CHECK(f.log.events.size() == 2);
}

TEST_CASE("what a far side's bye discards is reported, and waiting requests fail") {
  Fixture f;
  f.connectToLibrary();
  f.peer.onChannelClose(kReliable);  // the message waits in the queue
  REQUIRE(f.peer.send(kReliable, bytesPayload("queued")));
  f.peer.onLibraryMessage(kWre, kBye);
  auto errors = f.log.all<event::ErrorRaised>();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.kind == ErrorKind::Send);
  CHECK(errors[0].error.message == "the far side's close discarded 1 queued messages (6 bytes) that were never sent");
  CHECK(f.reasons() == std::vector<CloseReason>{CloseReason::RemoteClosed});
}

TEST_CASE("a bye before the hello, or anything almost a bye, is ignored") {
  SECTION("before the hello") {
    Fixture f;
    f.connect();
    f.peer.onLibraryMessage(kWre, kBye);
    CHECK(f.peer.state() == PeerState::Connected);
    CHECK(f.log.count<event::Closed>() == 0);
    // The hello that follows makes the next bye count.
    f.peer.onLibraryMessage(kWre, kHello);
    f.peer.onLibraryMessage(kWre, kBye);
    CHECK(f.peer.state() == PeerState::Closed);
  }
  SECTION("almost a bye, or a bye on the probe channel") {
    Fixture f;
    f.connectToLibrary();
    using namespace std::string_view_literals;
    for (std::string_view bytes :
         {"B"sv, "BY"sv, "BYE\0"sv, "BYEE"sv, "bye"sv, "BYe"sv, " BYE"sv, "\0BYE"sv, ""sv, "BYE\x01"sv, "WRE\x01"sv})
      f.peer.onLibraryMessage(kWre, bytes);
    f.peer.onLibraryMessage(kWreProbe, kBye);
    CHECK(f.peer.state() == PeerState::Connected);
    CHECK(f.log.count<event::Closed>() == 0);
    CHECK_FALSE(f.driver.closed);
  }
}

TEST_CASE("close() from a listener of the remote close's events is safe and changes nothing") {
  Fixture f;
  f.connectToLibrary();
  int closesInListener = 0;
  f.log.hook = [&](const PeerEvent& e) {
    bool toClosed =
        std::holds_alternative<event::StateChange>(e) && std::get<event::StateChange>(e).to == PeerState::Closed;
    if (toClosed || std::holds_alternative<event::Closed>(e)) {
      ++closesInListener;
      f.peer.close();
      f.peer.onLibraryMessage(kWre, kBye);  // a second bye, delivered late
    }
  };
  f.log.events.clear();
  f.peer.onLibraryMessage(kWre, kBye);
  CHECK(closesInListener == 2);
  CHECK(f.log.events.size() == 2);
  CHECK(f.reasons() == std::vector<CloseReason>{CloseReason::RemoteClosed});
  CHECK(Fixture::byes(f.driver.sent) == 0);
}
