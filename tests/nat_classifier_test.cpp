#include "nat/nat_classifier.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace wre;

namespace {

const char* kA = "stun:stun-a.example.org:3478";
const char* kB = "stun:stun-b.example.net:3478";
const char* kC = "stun:198.51.100.30:3478";
const char* kMdnsHost = "3c2f8a9e-5b2d-4c1a-9f1e-2b7d0e6a4f11.local";

// What Chromium reports with mDNS on: host hidden, srflx raddr 0.0.0.0, gathering completed.
NatEvidence chromium(std::vector<std::string> servers) {
  NatEvidence e;
  e.stunServers = std::move(servers);
  e.hostAddresses = {kMdnsHost};
  e.gatheringCompleted = true;
  return e;
}

SrflxObservation srflx(std::string url, std::string address, std::uint16_t port,
                       std::string related = "0.0.0.0") {
  return {std::move(url), std::move(address), port, std::move(related)};
}

ServerError timeout(std::string url) {
  return {std::move(url), 701, "STUN binding request timed out."};
}

bool mentions(const NatVerdict& v, std::string_view text) {
  return v.reason.find(text) != std::string::npos;
}

void checkFlags(const NatVerdict& v, bool direct, bool relay) {
  INFO(v.reason);
  CHECK(v.supportsDirectConnection == direct);
  CHECK(v.requiresRelay == relay);
  CHECK(v.filtering == FilteringBehavior::Unknown);  // a browser never measures it
}

}  // namespace

TEST_CASE("no STUN servers: unknown, nothing measured") {
  NatEvidence e = chromium({});
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.mapping == MappingBehavior::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "No STUN servers are configured"));
  CHECK(v.serversAnswered == 0);
}

TEST_CASE("one STUN server that answered: unknown, two are needed") {
  NatEvidence e = chromium({kA});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "Only one STUN server is configured (stun:stun-a.example.org:3478)"));
  CHECK(v.serversAnswered == 1);
  REQUIRE(v.mappings.size() == 1);
  CHECK(v.mappings[0].address == "203.0.113.5");
}

TEST_CASE("the same server listed twice counts once") {
  NatEvidence e =
      chromium({"stun:stun-a.example.org", "STUN:STUN-A.example.org:3478?transport=udp"});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
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
  NatEvidence e = chromium({kA, kB});
  e.gatheringCompleted = false;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, false);
  CHECK(mentions(v, "Gathering has not finished"));
  CHECK(mentions(v, "has not answered yet"));
  e.serverErrors = {timeout(kA), timeout(kB)};  // both already failed: no need to wait
  CHECK(classifyNat(e).requiresRelay);
}

TEST_CASE("distinctStunServers matches URL spellings") {
  CHECK(distinctStunServers({}) == 0);
  CHECK(distinctStunServers({"stun:a.example.org", "stun:A.example.org:3478",
                             "stun:a.example.org:3478?transport=udp", "turn:a.example.org"}) == 1);
  CHECK(distinctStunServers({"stun:a.example.org", "stuns:a.example.org"}) == 2);  // 3478 vs 5349
  CHECK(distinctStunServers({"stun:[2001:db8::1]", "stun:2001:db8::1:3478", "stun:[::1]:3479"}) ==
        2);
}

TEST_CASE("one STUN server that failed: unknown, relay needed") {
  NatEvidence e = chromium({kA});
  e.serverErrors = {timeout(kA)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(mentions(v, "error 701 (STUN binding request timed out.)"));
}

TEST_CASE("two servers, same mapping reported by both: endpoint-independent, port-restricted") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000), srflx(kB, "203.0.113.5", 40000)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::PortRestricted);
  CHECK(v.mapping == MappingBehavior::EndpointIndependent);
  checkFlags(v, true, false);
  CHECK(v.serversAnswered == 2);
  CHECK(mentions(v, "203.0.113.5:40000"));
  CHECK(mentions(v, "cannot measure filtering"));
  CHECK_FALSE(mentions(v, "share one host"));
}

TEST_CASE("two servers, different mapped ports: symmetric") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000), srflx(kB, "203.0.113.5", 40001)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Symmetric);
  CHECK(v.mapping == MappingBehavior::Dependent);
  checkFlags(v, false, true);
  CHECK(v.serversAnswered == 2);
  CHECK(mentions(v, "stun:stun-a.example.org:3478 saw 203.0.113.5:40000"));
  CHECK(mentions(v, "stun:stun-b.example.net:3478 saw 203.0.113.5:40001"));
}

TEST_CASE("two servers, different mapped addresses: symmetric") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000), srflx(kB, "203.0.113.6", 40000)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Symmetric);
  checkFlags(v, false, true);
}

TEST_CASE("Chromium drops the duplicate: one srflx, the other server silent after completion") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::PortRestricted);
  CHECK(v.mapping == MappingBehavior::EndpointIndependent);
  checkFlags(v, true, false);
  CHECK(v.serversAnswered == 2);
  CHECK(mentions(v, "drops duplicate candidates"));
  REQUIRE(v.mappings.size() == 2);
  CHECK_FALSE(v.mappings[0].inferred);
  CHECK(v.mappings[1].serverUrl == kB);
  CHECK(v.mappings[1].inferred);
  CHECK(v.mappings[1].port == 40000);
}

TEST_CASE("one srflx and the other server reported an error: only one answer, unknown") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
  e.serverErrors = {timeout(kB)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.mapping == MappingBehavior::Unknown);
  checkFlags(v, false, false);
  CHECK(v.serversAnswered == 1);
  CHECK(mentions(v, "Only stun:stun-a.example.org:3478 answered"));
  CHECK(mentions(v, "stun:stun-b.example.net:3478 reported error 701"));
}

TEST_CASE("one srflx and detection timed out: the silent server may not have answered") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
  e.timedOut = true;
  e.gatheringCompleted = false;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.serversAnswered == 1);
  CHECK(mentions(v, "stun:stun-b.example.net:3478 did not answer before the time limit"));

  e.gatheringCompleted = true;  // completed but also flagged late: still not trusted
  CHECK(classifyNat(e).type == NatType::Unknown);
  e.timedOut = false;
  e.gatheringCompleted = false;  // still gathering
  CHECK(classifyNat(e).type == NatType::Unknown);
  CHECK(mentions(classifyNat(e), "stun:stun-b.example.net:3478 has not answered yet"));
}

TEST_CASE("no reflexive candidate, every server failed: unknown, relay needed") {
  NatEvidence e = chromium({kA, kB});
  e.serverErrors = {timeout(kA), {kB, 701, "STUN host lookup received error."}};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(v.serversAnswered == 0);
  CHECK(mentions(v, "No STUN server produced a reflexive candidate"));
  CHECK(mentions(v, "STUN host lookup received error."));
}

TEST_CASE("no reflexive candidate before the time limit: unknown, relay needed") {
  NatEvidence e = chromium({kA, kB});
  e.gatheringCompleted = false;
  e.timedOut = true;
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(mentions(v, "did not answer before the time limit"));
}

TEST_CASE("no reflexive candidate and no error (Firefox fires none): unknown, relay needed") {
  NatEvidence e = chromium({kA, kB});
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  checkFlags(v, false, true);
  CHECK(mentions(v, "gave no candidate"));
}

TEST_CASE("three servers") {
  NatEvidence e = chromium({kA, kB, kC});
  SECTION("two differ, one silent: symmetric") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000), srflx(kB, "203.0.113.5", 40002)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Symmetric);
    CHECK(v.serversAnswered == 3);  // C's silence is a dropped duplicate of one of the two
  }
  SECTION("one srflx, two silent: all three saw the same mapping") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(v.serversAnswered == 3);
    CHECK(mentions(v, "stun:stun-b.example.net:3478 and stun:198.51.100.30:3478 answered"));
  }
  SECTION("one srflx, one silent, one failed: two answers are enough") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000)};
    e.serverErrors = {timeout(kC)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(v.serversAnswered == 2);
  }
  SECTION("one srflx, two failed: unknown") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000)};
    e.serverErrors = {timeout(kB), timeout(kC)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "stun:stun-b.example.net:3478 reported error 701"));
    CHECK(mentions(v, "stun:198.51.100.30:3478 reported error 701"));
  }
}

TEST_CASE("open: the reflexive address is a visible local address") {
  NatEvidence e = chromium({kA, kB});
  e.hostAddresses = {"203.0.113.5", "10.0.0.2"};
  e.srflx = {srflx(kA, "203.0.113.5", 40000, "203.0.113.5")};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Open);
  CHECK(v.mapping == MappingBehavior::EndpointIndependent);
  checkFlags(v, true, false);
  CHECK(mentions(v, "no NAT"));
}

TEST_CASE("open is not claimed when host addresses are mDNS names") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
  CHECK(classifyNat(e).type == NatType::PortRestricted);
}

TEST_CASE("open inferred from a public host address and no reflexive candidate (mDNS off)") {
  NatEvidence e = chromium({kA, kB});
  e.hostAddresses = {"203.0.113.5"};  // Chromium drops a srflx equal to it
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Open);
  checkFlags(v, true, false);
  CHECK(v.serversAnswered == 2);
  CHECK(mentions(v, "203.0.113.5 is public"));

  e.hostAddresses = {"192.168.1.5"};  // private: silence means no answer
  CHECK(classifyNat(e).type == NatType::Unknown);
  CHECK(classifyNat(e).requiresRelay);
  e.hostAddresses = {"203.0.113.5"};
  e.serverErrors = {timeout(kA), timeout(kB)};
  CHECK(classifyNat(e).type == NatType::Unknown);
}

TEST_CASE("IPv6") {
  NatEvidence e = chromium({"stun:[2001:db8::10]:3478", "stun:[2001:db8::20]"});
  SECTION("same mapping, Chromium's url without brackets") {
    e.srflx = {srflx("stun:2001:db8::10:3478", "2001:db8::5", 50000, "::")};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::PortRestricted);
    CHECK(v.serversAnswered == 2);
    CHECK(mentions(v, "[2001:db8::5]:50000"));
  }
  SECTION("different ports: symmetric") {
    e.srflx = {srflx("stun:[2001:db8::10]:3478", "2001:db8::5", 50000, "::"),
               srflx("stun:[2001:db8::20]:3478", "2001:db8::5", 50001, "::")};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
  SECTION("mapped to a visible local address: open") {
    e.hostAddresses = {"2001:DB8::5"};
    e.srflx = {srflx("stun:[2001:db8::10]:3478", "2001:db8::5", 50000, "::")};
    CHECK(classifyNat(e).type == NatType::Open);
  }
  SECTION("an IPv4 server's silence does not vouch for an IPv6 mapping") {
    e.stunServers = {"stun:[2001:db8::10]:3478", "stun:198.51.100.30"};
    e.srflx = {srflx("stun:[2001:db8::10]:3478", "2001:db8::5", 50000, "::")};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "Only stun:[2001:db8::10]:3478 answered"));
  }
}

TEST_CASE("dual stack: the best path wins, proven symmetric beats unknown") {
  NatEvidence e = chromium({kC, "stun:[2001:db8::10]:3478", "stun:198.51.100.31"});
  e.srflx = {srflx(kC, "203.0.113.5", 40000),
             srflx("stun:198.51.100.31:3478", "203.0.113.5", 40001),
             srflx("stun:[2001:db8::10]:3478", "2001:db8::5", 50000, "::")};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Symmetric);
  CHECK(v.serversAnswered == 3);
}

TEST_CASE("config URLs match the browser's spelling of them") {
  NatEvidence e = chromium({"stun:stun-a.example.org", "stun:Stun-B.example.net?transport=udp"});
  e.srflx = {srflx(kA, "203.0.113.5", 40000)};
  e.serverErrors = {timeout(kB)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);  // B's error was matched to B, so B is not credited
  CHECK(v.serversAnswered == 1);
  CHECK(mentions(v, "Only stun:stun-a.example.org answered"));
}

TEST_CASE("unattributed evidence is never stretched into a second answer") {
  NatEvidence e = chromium({kA, kB});
  SECTION("candidate without a url") {
    e.srflx = {srflx("", "203.0.113.5", 40000)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(v.serversAnswered == 1);
    CHECK(mentions(v, "did not say which STUN server"));
  }
  SECTION("candidate from a server that is not configured") {
    e.srflx = {srflx("turn:turn.example.org:3478", "203.0.113.5", 40000)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(v.serversAnswered == 1);
  }
  SECTION("an error that names no configured server") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000)};
    e.serverErrors = {{"", 701, "?"}};
    CHECK(classifyNat(e).type == NatType::Unknown);
  }
  SECTION("two unnamed candidates with different mappings from one hidden socket: symmetric") {
    e.srflx = {srflx("", "203.0.113.5", 40000), srflx("", "203.0.113.5", 40001)};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
}

TEST_CASE("several local sockets behind mDNS names") {
  NatEvidence e = chromium({kA, kB});
  e.hostAddresses = {kMdnsHost, "0b4e6d7c-1111-4c1a-9f1e-2b7d0e6a4f11.local"};
  SECTION("two mappings may be one per socket: not called symmetric") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000), srflx(kB, "203.0.113.5", 40001)};
    NatVerdict v = classifyNat(e);
    CHECK(v.type == NatType::Unknown);
    CHECK(mentions(v, "2 local addresses"));
  }
  SECTION("three mappings from two sockets: some socket got two, symmetric") {
    e.stunServers.push_back(kC);
    e.srflx = {srflx(kA, "203.0.113.5", 40000), srflx(kB, "203.0.113.5", 40001),
               srflx(kC, "203.0.113.5", 40002)};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
  SECTION("a known base shows one socket with two mappings: symmetric") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000, "192.168.1.5"),
               srflx(kB, "203.0.113.5", 40001, "192.168.1.5")};
    CHECK(classifyNat(e).type == NatType::Symmetric);
  }
  SECTION("different known bases are different sockets: one answer each, unknown") {
    e.srflx = {srflx(kA, "203.0.113.5", 40000, "192.168.1.5"),
               srflx(kB, "203.0.113.5", 40001, "10.8.0.2")};
    e.serverErrors = {timeout(kA), timeout(kB)};  // each failed on the other socket
    CHECK(classifyNat(e).type == NatType::Unknown);
  }
}

TEST_CASE("servers on one host cannot rule out address-dependent mapping") {
  NatEvidence e = chromium({"stun:127.0.0.1:3478", "stun:127.0.0.1:3479"});
  e.srflx = {srflx("stun:127.0.0.1:3478", "127.0.0.1", 50743)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::PortRestricted);
  CHECK(mentions(v, "share one host"));
}

TEST_CASE("malformed observations are ignored") {
  NatEvidence e = chromium({kA, kB});
  e.srflx = {srflx(kA, "not-an-address", 40000), srflx(kB, "203.0.113.5", 0)};
  NatVerdict v = classifyNat(e);
  CHECK(v.type == NatType::Unknown);
  CHECK(v.requiresRelay);
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
