// classifyNat on evidence shaped like what Chromium and Firefox report: one connection per server
// (different sockets, so different ports even behind one endpoint-independent NAT) and one shared
// connection whose socket asked every server.
#include "nat/nat_classifier.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace wre;

namespace {

const char* kA = "stun:stun-a.example.org:3478";
const char* kB = "stun:stun-b.example.net:3478";
const char* kC = "stun:198.51.100.30:3478";
const char* kMdnsHost = "3c2f8a9e-5b2d-4c1a-9f1e-2b7d0e6a4f11.local";

SrflxObservation srflx(std::string address, std::uint16_t port, std::string related = "0.0.0.0") {
  return {std::move(address), port, std::move(related)};
}

// What both browsers report with mDNS on: hosts hidden, srflx raddr 0.0.0.0, every connection
// completed, nothing mapped yet.
NatEvidence mdns(std::vector<std::string> servers) {
  NatEvidence e;
  e.stunServers = std::move(servers);
  e.perServer.resize(e.stunServers.size());
  for (auto& g : e.perServer) {
    g.hostAddresses = {kMdnsHost};
    g.completed = true;
  }
  e.shared.hostAddresses = {kMdnsHost};
  e.shared.completed = true;
  return e;
}

// Server i answered its own connection; the port stands for that connection's own socket.
void answer(NatEvidence& e, std::size_t i, std::string address, std::uint16_t port, std::string related = "0.0.0.0") {
  e.perServer.at(i).srflx.push_back(srflx(std::move(address), port, std::move(related)));
}

ServerError timeout(std::string url) { return {std::move(url), 701, "STUN binding request timed out."}; }

bool mentions(const NatVerdict& v, std::string_view text) { return v.reason.find(text) != std::string::npos; }

void checkFlags(const NatVerdict& v, bool direct, bool relay) {
  INFO(v.reason);
  CHECK(v.supportsDirectConnection == direct);
  CHECK(v.requiresRelay == relay);
  CHECK(v.filtering == FilteringBehavior::Unknown);  // a browser never measures it
}

}  // namespace

TEST_CASE("no STUN servers: unknown, nothing measured") {
  NatVerdict v = classifyNat(mdns({}));
  CHECK(v.type == NatType::Unknown);
  CHECK(v.mapping == MappingBehavior::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "No STUN servers are configured"));
  CHECK(v.serversAnswered == 0);
}

TEST_CASE("one STUN server that answered: unknown, two are needed") {
  NatEvidence e = mdns({kA});
  answer(e, 0, "203.0.113.5", 40000);
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "Only one STUN server is configured (stun:stun-a.example.org:3478)"));
  CHECK(v.serversAnswered == 1);
  REQUIRE(v.mappings.size() == 1);
  CHECK(v.mappings[0].address == "203.0.113.5");
}

TEST_CASE("the same server listed twice counts once") {
  NatEvidence e = mdns({"stun:stun-a.example.org", "STUN:STUN-A.example.org:3478?transport=udp"});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(mentions(v, "Only one STUN server"));
}

TEST_CASE("one STUN server and no evidence yet: unknown at once, nothing claimed") {
  NatEvidence e;
  e.stunServers = {kA};
  CHECK(distinctStunServers(e.stunServers) == 1);
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "Only one STUN server is configured"));
}

TEST_CASE("two STUN servers and gathering still running: unknown, nothing claimed") {
  NatEvidence e = mdns({kA, kB});
  for (auto& g : e.perServer) g.completed = false;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "Gathering has not finished"));
  CHECK(mentions(v, "has not answered yet"));
  e.perServer[0].errors = {timeout(kA)};  // both already failed: no need to wait
  e.perServer[1].errors = {timeout(kB)};
  CHECK(classifyNat(e).requiresRelay);
}

TEST_CASE("distinctStunServers matches URL spellings") {
  CHECK(distinctStunServers({}) == 0);
  CHECK(distinctStunServers({"stun:a.example.org", "stun:A.example.org:3478", "stun:a.example.org:3478?transport=udp",
                             "turn:a.example.org"}) == 1);
  CHECK(distinctStunServers({"stun:a.example.org", "stuns:a.example.org"}) == 2);  // 3478 vs 5349
  CHECK(distinctStunServers({"stun:[2001:db8::1]", "stun:2001:db8::1:3478", "stun:[::1]:3479"}) == 2);
}

TEST_CASE("one STUN server that failed: unknown, relay needed") {
  NatEvidence e = mdns({kA});
  e.perServer[0].errors = {timeout(kA)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(mentions(v, "error 701 (STUN binding request timed out.)"));
}

TEST_CASE("both servers answered, the shared socket got one mapping: port-restricted") {
  NatEvidence e = mdns({kA, kB});
  // Each server's own connection has its own socket, so its own port: not a comparison.
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::PortRestricted);
  CHECK(v.mapping == MappingBehavior::EndpointIndependent);
  checkFlags(v, true, false);
  CHECK(v.serversAnswered == 2);
  CHECK(mentions(v, "stun:stun-a.example.org:3478 and stun:stun-b.example.net:3478 both answered"));
  CHECK(mentions(v, "got one mapping, 203.0.113.5:40002"));
  CHECK(mentions(v, "cannot measure filtering"));
  CHECK_FALSE(mentions(v, "share one host"));
  REQUIRE(v.mappings.size() == 2);  // each server's own mapping, in configured order
  CHECK(v.mappings[0].serverUrl == kA);
  CHECK(v.mappings[0].port == 40000);
  CHECK(v.mappings[1].serverUrl == kB);
  CHECK(v.mappings[1].port == 40001);
}

TEST_CASE("the shared socket got two mappings: symmetric") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  SECTION("different ports") {
    e.shared.srflx = {srflx("203.0.113.5", 50000), srflx("203.0.113.5", 50001)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Symmetric);
    CHECK(v.mapping == MappingBehavior::Dependent);
    checkFlags(v, false, true);
    CHECK(v.serversAnswered == 2);
    CHECK(mentions(v,
                   "One local socket asked stun:stun-a.example.org:3478 and "
                   "stun:stun-b.example.net:3478 and got two mappings, 203.0.113.5:50000 and "
                   "203.0.113.5:50001"));
  }
  SECTION("different addresses") {
    e.shared.srflx = {srflx("203.0.113.5", 50000), srflx("203.0.113.6", 50000)};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
  SECTION("even before the servers' own connections have answered") {
    e.perServer[0].srflx.clear();
    e.perServer[0].completed = false;
    e.shared.srflx = {srflx("203.0.113.5", 50000), srflx("203.0.113.5", 50001)};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
}

TEST_CASE("one mapping on the shared socket proves nothing until that connection is done") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  e.shared.completed = false;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "has not finished gathering, so their mappings cannot be compared yet"));
  e.timedOut = true;
  v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(mentions(v, "did not finish gathering before the time limit"));
  e.shared.completed = true;  // completed but also flagged late: still not trusted
  CHECK(classifyNat(e).type == NatType::Unknown);
}

TEST_CASE("both answered but the shared socket got no reflexive candidate: unknown") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK_FALSE(v.requiresRelay);
  CHECK(mentions(v, "got no reflexive candidate"));
}

TEST_CASE("one server answered, the other reported an error: only one answer, unknown") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  e.perServer[1].errors = {timeout(kB)};
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.mapping == MappingBehavior::Unknown);
  checkFlags(v, false, false);
  CHECK(v.serversAnswered == 1);
  CHECK(mentions(v, "Only stun:stun-a.example.org:3478 answered (mapped to 203.0.113.5:40000)"));
  CHECK(mentions(v, "stun:stun-b.example.net:3478 reported error 701"));
}

TEST_CASE("one server answered and the detection timed out: the other did not answer") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  e.perServer[1].completed = false;
  e.shared.completed = false;
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  e.timedOut = true;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.serversAnswered == 1);
  CHECK(mentions(v, "stun:stun-b.example.net:3478 did not answer before the time limit"));
  e.timedOut = false;  // still gathering
  CHECK(classifyNat(e).type == NatType::Unknown);
  CHECK(mentions(classifyNat(e), "stun:stun-b.example.net:3478 has not answered yet"));
}

TEST_CASE("no reflexive candidate, every server failed: unknown, relay needed") {
  NatEvidence e = mdns({kA, kB});
  e.perServer[0].errors = {timeout(kA)};
  e.perServer[1].errors = {{kB, 701, "STUN host lookup received error."}};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(v.serversAnswered == 0);
  CHECK(mentions(v, "No STUN server produced a reflexive candidate"));
  CHECK(mentions(v, "STUN host lookup received error."));
}

TEST_CASE("no reflexive candidate before the time limit: unknown, relay needed") {
  NatEvidence e = mdns({kA, kB});
  for (auto& g : e.perServer) g.completed = false;
  e.timedOut = true;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(mentions(v, "did not answer before the time limit"));
}

TEST_CASE("no reflexive candidate and no error: unknown, relay needed") {
  NatVerdict v = classifyNat(mdns({kA, kB}));
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(mentions(v, "gave no candidate"));
}

TEST_CASE("three servers") {
  NatEvidence e = mdns({kA, kB, kC});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40003)};
  SECTION("C failed on its own and on the shared socket (named): two answers are enough") {
    e.perServer[2].errors = {timeout(kC)};
    e.shared.errors = {timeout(kC)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(v.serversAnswered == 2);
    CHECK(mentions(v, "stun:stun-a.example.org:3478 and stun:stun-b.example.net:3478 both"));
  }
  SECTION("all three answered: all three vouch") {
    answer(e, 2, "203.0.113.5", 40002);
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(v.serversAnswered == 3);
    CHECK(mentions(v, "all answered"));
  }
  SECTION("B failed on the shared socket only: A and C still vouch") {
    answer(e, 2, "203.0.113.5", 40002);
    e.shared.errors = {timeout("stun:stun-b.example.net")};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(mentions(v, "stun:stun-a.example.org:3478 and stun:198.51.100.30:3478 both answered"));
  }
  SECTION("an error on the shared socket that names no server: nobody can vouch") {
    answer(e, 2, "203.0.113.5", 40002);
    e.shared.errors = {{"", 701, "?"}};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "heard from fewer than two of them (a server reported error 701 (?))"));
  }
  SECTION("two differ on the shared socket, one silent: symmetric") {
    e.shared.srflx.push_back(srflx("203.0.113.5", 40004));
    e.perServer[2].completed = false;
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Symmetric);
    CHECK(v.serversAnswered == 2);
  }
  SECTION("one answered, two failed: unknown") {
    e.perServer[1].srflx.clear();
    e.perServer[1].errors = {timeout(kB)};
    e.perServer[2].errors = {timeout(kC)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "stun:stun-b.example.net:3478 reported error 701"));
    CHECK(mentions(v, "stun:198.51.100.30:3478 reported error 701"));
  }
}

TEST_CASE("open: the reflexive address is a visible local address") {
  NatEvidence e = mdns({kA, kB});
  SECTION("a host candidate shows it") {
    e.perServer[0].hostAddresses = {"192.0.2.2", "127.0.0.1"};
    answer(e, 0, "192.0.2.2", 40000);  // Firefox with loopback on: a 127.0.0.1 server saw this
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Open);
    CHECK(v.mapping == MappingBehavior::EndpointIndependent);
    checkFlags(v, true, false);
    CHECK(mentions(v,
                   "The reflexive address 192.0.2.2 is also a local address, so there is no "
                   "NAT on this path"));
  }
  SECTION("another connection's host candidate shows it (same machine)") {
    e.shared.hostAddresses = {"203.0.113.5"};
    answer(e, 1, "203.0.113.5", 40000);
    CHECK(classifyNat(e).type == NatType::Open);
  }
  SECTION("the candidate's own base is it") {
    answer(e, 0, "203.0.113.5", 40000, "203.0.113.5");
    CHECK(classifyNat(e).type == NatType::Open);
  }
}

TEST_CASE("open is not claimed when host addresses are mDNS names") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  CHECK(classifyNat(e).type == NatType::PortRestricted);
}

TEST_CASE("open inferred from a public host address and no reflexive candidate (mDNS off)") {
  NatEvidence e = mdns({kA, kB});
  // Chromium drops a srflx equal to it.
  for (auto& g : e.perServer) g.hostAddresses = {"203.0.113.5"};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Open);
  checkFlags(v, true, false);
  CHECK(v.serversAnswered == 2);
  CHECK(mentions(v, "203.0.113.5 is public"));

  for (auto& g : e.perServer) g.hostAddresses = {"192.168.1.5"};  // private: silence is no answer
  CHECK(classifyNat(e).type == NatType::Unknown);
  CHECK(classifyNat(e).requiresRelay);
  for (auto& g : e.perServer) g.hostAddresses = {"203.0.113.5"};
  e.perServer[0].errors = {timeout(kA)};
  e.perServer[1].errors = {timeout(kB)};
  CHECK(classifyNat(e).type == NatType::Unknown);
}

TEST_CASE("IPv6") {
  NatEvidence e = mdns({"stun:[2001:db8::10]:3478", "stun:[2001:db8::20]"});
  answer(e, 0, "2001:db8::5", 50000, "::");
  answer(e, 1, "2001:db8::5", 50001, "::");
  SECTION("one mapping on the shared socket") {
    e.shared.srflx = {srflx("2001:db8::5", 50002, "::")};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(v.serversAnswered == 2);
    CHECK(mentions(v, "[2001:db8::5]:50002"));
  }
  SECTION("two mappings on the shared socket: symmetric") {
    e.shared.srflx = {srflx("2001:db8::5", 50002, "::"), srflx("2001:db8::5", 50003, "::")};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
  SECTION("mapped to a visible local address: open") {
    e.perServer[0].hostAddresses = {"2001:DB8::5"};
    CHECK(classifyNat(e).type == NatType::Open);
  }
  SECTION("a server answering over IPv4 does not vouch for an IPv6 mapping") {
    e.stunServers = {"stun:[2001:db8::10]:3478", "stun:198.51.100.30"};
    e.perServer[1].srflx = {srflx("203.0.113.5", 40000)};
    e.shared.srflx = {srflx("2001:db8::5", 50002, "::"), srflx("203.0.113.5", 40001)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "Only stun:198.51.100.30 answered (mapped to 203.0.113.5:40000)"));
    CHECK(mentions(v, "stun:[2001:db8::10]:3478 answered over another address family"));
  }
}

TEST_CASE("dual stack: the best path wins, proven symmetric beats unknown") {
  NatEvidence e = mdns({kC, "stun:[2001:db8::10]:3478", "stun:198.51.100.31"});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "2001:db8::5", 50000, "::");
  answer(e, 2, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40002), srflx("203.0.113.5", 40003), srflx("2001:db8::5", 50001, "::")};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Symmetric);
  CHECK(v.serversAnswered == 3);
}

TEST_CASE("error URLs on the shared socket match the configured spelling") {
  NatEvidence e = mdns({"stun:stun-a.example.org", "stun:Stun-B.example.net?transport=udp", kC});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  e.shared.errors = {timeout(kB), timeout(kC)};  // Chromium's spelling: stun:<host>:<port>
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);  // B failed there, so only A vouches
  CHECK(mentions(v,
                 "heard from fewer than two of them (stun:Stun-B.example.net?transport=udp "
                 "reported error 701"));
}

TEST_CASE("several local sockets behind mDNS names on the shared connection") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  answer(e, 1, "203.0.113.5", 40001);
  e.shared.hostAddresses = {kMdnsHost, "0b4e6d7c-1111-4c1a-9f1e-2b7d0e6a4f11.local"};
  SECTION("two mappings may be one per socket: not called symmetric") {
    e.shared.srflx = {srflx("203.0.113.5", 50000), srflx("203.0.113.5", 50001)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "2 local addresses"));
  }
  SECTION("three mappings from two sockets: some socket got two, symmetric") {
    e.shared.srflx = {srflx("203.0.113.5", 50000), srflx("203.0.113.5", 50001), srflx("203.0.113.5", 50002)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Symmetric);
    CHECK(mentions(v, "2 local sockets asked"));
    CHECK(mentions(v, "3 mappings, among them"));
    CHECK(mentions(v, "more than one per socket"));
  }
  SECTION("a known base shows one socket with two mappings: symmetric") {
    e.shared.srflx = {srflx("203.0.113.5", 50000, "192.168.1.5"), srflx("203.0.113.5", 50001, "192.168.1.5")};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
  SECTION("different known bases are different sockets: one mapping each") {
    e.shared.srflx = {srflx("203.0.113.5", 50000, "192.168.1.5"), srflx("203.0.113.5", 50001, "10.8.0.2")};
    CHECK(classifyNat(e).type == NatType::PortRestricted);
    e.shared.errors = {timeout(kA), timeout(kB)};  // each failed on some socket
    CHECK(classifyNat(e).type == NatType::Unknown);
  }
}

TEST_CASE("servers on one host cannot rule out address-dependent mapping") {
  NatEvidence e = mdns({"stun:127.0.0.1:3478", "stun:127.0.0.1:3479"});
  answer(e, 0, "127.0.0.1", 50743);
  answer(e, 1, "127.0.0.1", 50744);
  e.shared.srflx = {srflx("127.0.0.1", 50745)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::PortRestricted);
  CHECK(mentions(v, "share one host"));
}

TEST_CASE("malformed observations are ignored") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "not-an-address", 40000);
  answer(e, 1, "203.0.113.5", 0);
  e.shared.srflx = {srflx("stun.example.org", 1)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.requiresRelay);
}

TEST_CASE("evidence shorter than the server list counts as silence") {
  NatEvidence e = mdns({kA, kB});
  answer(e, 0, "203.0.113.5", 40000);
  e.perServer.resize(1);
  e.shared.srflx = {srflx("203.0.113.5", 40002)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(mentions(v, "stun:stun-b.example.net:3478 has not answered yet"));
}

TEST_CASE("NAT enums print as the guide names them") {
  CHECK(toString(NatType::Open) == "open");
  CHECK(toString(NatType::FullCone) == "full-cone");
  CHECK(toString(NatType::Restricted) == "restricted");
  CHECK(toString(NatType::PortRestricted) == "port-restricted");
  CHECK(toString(NatType::Symmetric) == "symmetric");
  CHECK(toString(NatType::Unknown) == "unknown");
  CHECK(toString(MappingBehavior::EndpointIndependent) == "endpoint-independent");
  CHECK(toString(MappingBehavior::Dependent) == "dependent");
  CHECK(toString(MappingBehavior::Unknown) == "unknown");
  CHECK(toString(FilteringBehavior::Unknown) == "unknown");
  CHECK(toString(FilteringBehavior::AddressAndPortDependent) == "address-and-port-dependent");
}
