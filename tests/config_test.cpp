#include <catch2/catch.hpp>
#include <cmath>

#include "peer/config.hpp"

using namespace wre;

namespace {

Value base() { return Value::object().set("peerId", Value::string("peer-1")); }

Value with(const std::string& field, Value v) {
  Value c = base();
  c.set(field, std::move(v));
  return c;
}

Value turnServer(std::string url, bool creds = true) {
  Value s = Value::object().set("urls", Value::string(std::move(url)));
  if (creds) s.set("username", Value::string("u")).set("credential", Value::string("p"));
  return s;
}

}  // namespace

TEST_CASE("defaults are the guide's") {
  auto c = parseConfig(base());
  REQUIRE(c);
  CHECK(c.value().peerId == "peer-1");
  CHECK(c.value().connectionTimeout == 30000);
  CHECK(c.value().reconnectMaxAttempts == 5);
  CHECK(c.value().reconnectBaseDelay == 1000);
  CHECK(c.value().reconnectMaxDelay == 30000);
  CHECK(c.value().maxBufferedAmount == 16 * 1024 * 1024);
  CHECK(c.value().lowWaterMark == 1024 * 1024);
  CHECK(c.value().metricsEnabled);
  CHECK(c.value().metricsInterval == 5000);
  CHECK(c.value().iceTransportPolicy == "all");
  CHECK(c.value().iceServers.empty());
}

TEST_CASE("every field accepts a good value") {
  Value servers = Value::array();
  servers.push(Value::object().set("urls", Value::string("stun:127.0.0.1:3478")));
  Value turn = turnServer("turn:127.0.0.1:3478?transport=udp");
  turn.set("credentialType", Value::string("password"));
  servers.push(turn);
  Value multi =
      Value::object().set("urls", Value::array({Value::string("stun:[::1]:3478"), Value::string("stun:example.org")}));
  servers.push(multi);
  Value in = base();
  in.set("iceServers", servers)
      .set("connectionTimeout", Value::number(60000))
      .set("reconnectMaxAttempts", Value::number(3))
      .set("reconnectBaseDelay", Value::number(500))
      .set("reconnectMaxDelay", Value::number(60000))
      .set("reconnectJitter", Value::number(0))
      .set("maxBufferedAmount", Value::number(1 << 20))
      .set("lowWaterMark", Value::number(1 << 16))
      .set("maxQueuedBytes", Value::number(64 << 20))
      .set("metricsEnabled", Value::boolean(false))
      .set("metricsInterval", Value::number(1000))
      .set("iceTransportPolicy", Value::string("relay"))
      .set("bundlePolicy", Value::string("max-bundle"))
      .set("rtcpMuxPolicy", Value::string("require"))
      .set("iceCandidatePoolSize", Value::number(10));
  auto c = parseConfig(in);
  REQUIRE(c);
  CHECK(c.value().iceServers.size() == 3);
  CHECK(c.value().iceServers[1].username == "u");
  CHECK(c.value().iceServers[2].urls.size() == 2);
  CHECK(c.value().iceTransportPolicy == "relay");
  CHECK(c.value().iceCandidatePoolSize == 10);
  CHECK_FALSE(c.value().metricsEnabled);
  CHECK(c.value().maxBufferedAmount == 1 << 20);
}

TEST_CASE("bad values give an error naming the field and the value") {
  struct Case {
    Value input;
    std::vector<std::string> mentions;
  };
  std::vector<Case> cases = {
      {Value::number(3), {"config", "object"}},
      {Value::object(), {"peerId", "undefined"}},
      {with("peerId", Value::string("")), {"peerId", "1 to 256"}},
      {with("peerId", Value::number(7)), {"peerId", "number"}},
      {with("connectionTimeout", Value::number(-5)), {"connectionTimeout", "-5"}},
      {with("connectionTimeout", Value::string("30s")), {"connectionTimeout", "'30s'"}},
      {with("connectionTimeout", Value::number(NAN)), {"connectionTimeout", "NaN"}},
      {with("reconnectMaxAttempts", Value::number(2.5)), {"reconnectMaxAttempts", "whole number", "2.5"}},
      {with("reconnectBaseDelay", Value::number(-1)), {"reconnectBaseDelay", "-1"}},
      {with("reconnectMaxDelay", Value::number(10)), {"reconnectMaxDelay", "reconnectBaseDelay"}},
      {with("maxBufferedAmount", Value::number(32 << 20)), {"maxBufferedAmount", "33554432"}},
      {with("maxBufferedAmount", Value::number(0)), {"maxBufferedAmount", "at least 1"}},
      {with("lowWaterMark", Value::number(16 << 20)), {"lowWaterMark", "below maxBufferedAmount"}},
      {with("maxQueuedBytes", Value::number(-1)), {"maxQueuedBytes", "-1"}},
      {with("metricsEnabled", Value::string("yes")), {"metricsEnabled", "boolean", "'yes'"}},
      {with("metricsInterval", Value::number(10)), {"metricsInterval", "at least 100"}},
      {with("iceTransportPolicy", Value::string("none")), {"iceTransportPolicy", "'none'", "'relay'"}},
      {with("bundlePolicy", Value::string("max")), {"bundlePolicy", "'max'"}},
      {with("rtcpMuxPolicy", Value::string("negotiate")), {"rtcpMuxPolicy", "'negotiate'"}},
      {with("iceCandidatePoolSize", Value::number(300)), {"iceCandidatePoolSize", "255"}},
      {with("iceServers", Value::string("stun:x")), {"iceServers", "array"}},
      {with("iceServers", Value::array({Value::string("stun:x")})), {"iceServers[0]", "object"}},
      {with("iceServers", Value::array({Value::object()})), {"iceServers[0].urls", "undefined"}},
      {with("iceServers", Value::array({turnServer("http://example.org")})),
       {"iceServers[0].urls", "http://example.org", "scheme"}},
      {with("iceServers", Value::array({turnServer("stun:")})), {"'stun:'", "missing host"}},
      {with("iceServers", Value::array({turnServer("stun://host")})), {"stun://host", "//"}},
      {with("iceServers", Value::array({turnServer("turn:host:99999")})), {"turn:host:99999", "port"}},
      {with("iceServers", Value::array({turnServer("turn:host:12ab")})), {"turn:host:12ab", "port"}},
      {with("iceServers", Value::array({turnServer("turn:host?transport=sctp")})), {"transport=udp"}},
      {with("iceServers", Value::array({turnServer("turn:host:3478", false)})), {"iceServers[0]", "username"}},
      {with("conectionTimeout", Value::number(1)), {"conectionTimeout", "not a known config field"}},
  };
  for (const auto& c : cases) {
    auto r = parseConfig(c.input);
    INFO("expected mentions: " << c.mentions.front());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Config);
    for (const auto& m : c.mentions) {
      INFO("message: " << r.error().message);
      CHECK(r.error().message.find(m) != std::string::npos);
    }
  }
}

TEST_CASE("an unset lowWaterMark follows a small maxBufferedAmount") {
  auto c = parseConfig(with("maxBufferedAmount", Value::number(1 << 20)));
  REQUIRE(c);
  CHECK(c.value().lowWaterMark == 1 << 19);
  auto big = parseConfig(with("maxBufferedAmount", Value::number(8 << 20)));
  CHECK(big.value().lowWaterMark == 1 << 20);
}

TEST_CASE("ICE URL validation accepts the forms browsers accept") {
  for (std::string url : {"stun:127.0.0.1", "stun:127.0.0.1:3478", "stuns:host.example:5349", "stun:[::1]:3478",
                          "turn:127.0.0.1:3478?transport=tcp", "turns:host.example?transport=tcp"})
    CHECK(validateIceUrl(url));
  for (std::string url : {"", "stun", "stun:[::1", "stun:host:", "stun:host?transport=udp", "turn:ho st"})
    CHECK_FALSE(validateIceUrl(url));
}
