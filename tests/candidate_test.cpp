#include <catch2/catch.hpp>
#include <string>

#include "nat/ice_candidate.hpp"

using namespace wre;

namespace {

// Real formats: Chromium (udp host/srflx/relay, mDNS, tcp with tcptype), Firefox (upper-case UDP).
const char* kChromeSrflx =
    "candidate:842163049 1 udp 1677729535 127.0.0.1 50743 typ srflx raddr 0.0.0.0 rport 0 "
    "generation 0 ufrag sEAr network-cost 999";
const char* kChromeMdnsHost =
    "candidate:2846367862 1 udp 2113937151 3c2f8a9e-5b2d-4c1a-9f1e-2b7d0e6a4f11.local 54321 typ "
    "host generation 0 ufrag sEAr network-cost 999";
const char* kChromeTcpActive =
    "candidate:1467250027 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active generation 0 "
    "ufrag sEAr network-id 1";

std::string messageOf(std::string_view line) {
  auto r = parseIceCandidate(line);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::IceCandidate);
  return r.error().message;
}

}  // namespace

TEST_CASE("Chromium srflx candidate") {
  auto r = parseIceCandidate(kChromeSrflx);
  REQUIRE(r);
  const IceCandidate& c = r.value();
  CHECK(c.foundation == "842163049");
  CHECK(c.component == 1);
  CHECK(c.transport == CandidateTransport::Udp);
  CHECK(c.priority == 1677729535u);
  CHECK(c.address == "127.0.0.1");
  CHECK(c.port == 50743);
  CHECK(c.type == CandidateType::Srflx);
  CHECK(c.relatedAddress == std::optional<std::string>("0.0.0.0"));
  CHECK(c.relatedPort == std::optional<std::uint16_t>(0));
  CHECK_FALSE(c.tcpType);
  REQUIRE(c.extensions.size() == 3);
  CHECK(c.extensions[0] == std::pair<std::string, std::string>("generation", "0"));
  CHECK(c.extensions[1] == std::pair<std::string, std::string>("ufrag", "sEAr"));
  CHECK(c.extensions[2] == std::pair<std::string, std::string>("network-cost", "999"));
}

TEST_CASE("the candidate: prefix is optional, a=candidate: and line ends are accepted") {
  std::string full = kChromeSrflx;
  std::string bare = full.substr(std::string("candidate:").size());
  for (const std::string& line : {full, bare, "a=" + full + "\r\n", "  " + full + " "}) {
    auto r = parseIceCandidate(line);
    REQUIRE(r);
    CHECK(r.value().foundation == "842163049");
    CHECK(r.value().extensions.size() == 3);
  }
}

TEST_CASE("Chromium mDNS host candidate") {
  auto r = parseIceCandidate(kChromeMdnsHost);
  REQUIRE(r);
  CHECK(r.value().type == CandidateType::Host);
  CHECK(r.value().address == "3c2f8a9e-5b2d-4c1a-9f1e-2b7d0e6a4f11.local");
  CHECK(addressFamilyOf(r.value().address) == AddressFamily::Mdns);
  CHECK_FALSE(r.value().relatedAddress);
}

TEST_CASE("tcp candidates keep their tcptype") {
  auto active = parseIceCandidate(kChromeTcpActive);
  REQUIRE(active);
  CHECK(active.value().transport == CandidateTransport::Tcp);
  CHECK(active.value().tcpType == std::optional<TcpType>(TcpType::Active));
  CHECK(active.value().port == 9);
  CHECK(active.value().extensions.size() == 3);

  auto zeroPort = parseIceCandidate("candidate:1 1 TCP 2105458943 192.168.1.5 0 typ host tcptype active");
  REQUIRE(zeroPort);
  CHECK(zeroPort.value().port == 0);

  auto passive = parseIceCandidate("candidate:2 1 tcp 1518214911 192.168.1.5 50001 typ host tcptype passive");
  REQUIRE(passive);
  CHECK(passive.value().tcpType == std::optional<TcpType>(TcpType::Passive));
  auto so = parseIceCandidate("candidate:3 1 tcp 1518214911 192.168.1.5 50002 typ host tcptype so");
  REQUIRE(so);
  CHECK(so.value().tcpType == std::optional<TcpType>(TcpType::So));
}

TEST_CASE("good candidates of every type and family") {
  struct Case {
    const char* line;
    CandidateType type;
    AddressFamily family;
  };
  const Case cases[] = {
      {"candidate:0 1 UDP 2122252543 192.168.1.5 54012 typ host", CandidateType::Host, AddressFamily::Ipv4},  // Firefox
      {"candidate:3169487574 1 udp 2122265343 2001:db8::1 50001 typ host generation 0 ufrag sEAr "
       "network-id 2 network-cost 10",
       CandidateType::Host, AddressFamily::Ipv6},
      {"candidate:1 1 udp 1686052607 2001:db8:0:0:0:0:0:2 50002 typ srflx raddr :: rport 0", CandidateType::Srflx,
       AddressFamily::Ipv6},
      {"candidate:1 1 udp 1686052607 ::ffff:203.0.113.9 50002 typ srflx raddr :: rport 0", CandidateType::Srflx,
       AddressFamily::Ipv6},
      {"candidate:1853887674 1 udp 33562367 203.0.113.7 60000 typ relay raddr 198.51.100.2 rport "
       "51234 generation 0 ufrag sEAr network-cost 999",
       CandidateType::Relay, AddressFamily::Ipv4},
      {"candidate:4 2 udp 1845501695 198.51.100.2 51234 typ prflx raddr 10.0.0.2 rport 5000", CandidateType::Prflx,
       AddressFamily::Ipv4},
      {"candidate:a+b/C 256 udp 0 turn.example.org 3478 TYP RELAY", CandidateType::Relay, AddressFamily::Other},
      {"candidate:1 1 udp 4294967295 10.0.0.1 65535 typ host", CandidateType::Host, AddressFamily::Ipv4},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    auto r = parseIceCandidate(c.line);
    REQUIRE(r);
    CHECK(r.value().type == c.type);
    CHECK(addressFamilyOf(r.value().address) == c.family);
  }
  CHECK(parseIceCandidate("candidate:1 1 udp 4294967295 10.0.0.1 65535 typ host").value().priority == 4294967295u);
  CHECK(parseIceCandidate("candidate:a+b/C 256 udp 0 turn.example.org 3478 TYP RELAY").value().component == 256);
}

TEST_CASE("malformed candidates are refused with a message naming the problem") {
  struct Case {
    std::string line;
    const char* expected;
  };
  const std::string ok = "candidate:1 1 udp 2122252543 192.168.1.5 54012 typ host";
  const Case cases[] = {
      {"", "empty candidate"},
      {"a=1 1 udp 1 1.2.3.4 5 typ host", "foundation 'a=1'"},
      {"   \r\n", "empty candidate"},
      {"candidate:", "missing foundation"},
      {"candidate: 1 udp 1 1.2.3.4 5 typ host", "missing foundation"},
      {"candidate:ab$ 1 udp 1 1.2.3.4 5 typ host", "foundation 'ab$'"},
      {"candidate:" + std::string(33, 'a') + " 1 udp 1 1.2.3.4 5 typ host", "foundation"},
      {"candidate:1", "missing component"},
      {"candidate:1 1", "missing transport"},
      {"candidate:1 1 udp", "missing priority"},
      {"candidate:1 0 udp 1 1.2.3.4 5 typ host", "component '0'"},
      {"candidate:1 257 udp 1 1.2.3.4 5 typ host", "component '257'"},
      {"candidate:1 x udp 1 1.2.3.4 5 typ host", "component 'x'"},
      {"candidate:1 1 sctp 1 1.2.3.4 5 typ host", "transport 'sctp' is not udp or tcp"},
      {"candidate:1 1 udp high 1.2.3.4 5 typ host", "priority 'high' is not a number"},
      {"candidate:1 1 udp -1 1.2.3.4 5 typ host", "priority '-1'"},
      {"candidate:1 1 udp 4294967296 1.2.3.4 5 typ host", "priority '4294967296'"},
      {"candidate:1 1 udp 1", "missing address"},
      {"candidate:1 1 udp 1 999.1.1.1 5 typ host", "address '999.1.1.1' is not an IP address"},
      {"candidate:1 1 udp 1 1.2.3 5 typ host", "address '1.2.3'"},
      {"candidate:1 1 udp 1 01.2.3.4 5 typ host", "address '01.2.3.4'"},
      {"candidate:1 1 udp 1 fe80::1%eth0 5 typ host", "address 'fe80::1%eth0'"},
      {"candidate:1 1 udp 1 [::1] 5 typ host", "address '[::1]'"},
      {"candidate:1 1 udp 1 1::2::3 5 typ host", "address '1::2::3'"},
      {"candidate:1 1 udp 1 -bad.local 5 typ host", "address '-bad.local'"},
      {"candidate:1 1 udp 1 1.2.3.4", "missing port"},
      {"candidate:1 1 udp 1 1.2.3.4 70000 typ host", "port '70000' is not a number 0..65535"},
      {"candidate:1 1 udp 1 1.2.3.4 abc typ host", "port 'abc'"},
      {"candidate:1 1 udp 1 1.2.3.4 0 typ host", "port 0 is only valid"},
      {"candidate:1 1 tcp 1 1.2.3.4 0 typ host tcptype passive", "port 0 is only valid"},
      {"candidate:1 1 udp 1 1.2.3.4 5", "missing 'typ'"},
      {"candidate:1 1 udp 1 1.2.3.4 5 type host", "expected 'typ', found 'type'"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ", "missing candidate type"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ bogus", "unknown candidate type 'bogus'"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr", "'raddr' has no value"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr bad_addr rport 0", "raddr 'bad_addr'"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 0.0.0.0 rport 99999", "rport '99999'"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 0.0.0.0 raddr 0.0.0.0", "duplicate 'raddr'"},
      {"candidate:1 1 tcp 1 1.2.3.4 5 typ host tcptype sideways", "tcptype 'sideways'"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ host tcptype active", "tcptype on a udp candidate"},
      {"candidate:1 1 udp 1 1.2.3.4 5 typ host generation", "'generation' has no value"},
      {ok + " ufrag a\nb", "control character"},
      {ok + " x " + std::string(1024, 'y'), "too long (1082 characters, at most 1024)"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    std::string message = messageOf(c.line);
    INFO(message);
    CHECK(message.find(c.expected) != std::string::npos);
    CHECK(message.rfind("Invalid ICE candidate: ", 0) == 0);
  }
}

TEST_CASE("error messages quote the input, truncated and without control characters") {
  std::string line = "candidate:1 1 udp 1 1.2.3.4 5 typ bogus " + std::string(300, 'z');
  std::string message = messageOf(line);
  CHECK(message.find("in 'candidate:1 1 udp 1 1.2.3.4 5 typ bogus zzz") != std::string::npos);
  CHECK(message.find("...'") != std::string::npos);
  CHECK(message.size() < 250);

  std::string bad = messageOf(std::string("candidate:1 1 udp 1 1.2.3.4 5 typ host x \x01"));
  CHECK(bad.find('\x01') == std::string::npos);
}

TEST_CASE("a candidate at the length limit is still parsed") {
  std::string line = "candidate:1 1 udp 1 1.2.3.4 5 typ host x ";
  line += std::string(kMaxCandidateLength - line.size(), 'y');
  REQUIRE(line.size() == kMaxCandidateLength);
  CHECK(parseIceCandidate(line));
}

TEST_CASE("isMdnsName") {
  CHECK(isMdnsName("3c2f8a9e-5b2d-4c1a-9f1e-2b7d0e6a4f11.local"));
  CHECK(isMdnsName("host.LOCAL"));
  CHECK_FALSE(isMdnsName("local"));
  CHECK_FALSE(isMdnsName(".local"));
  CHECK_FALSE(isMdnsName("a..local"));
  CHECK_FALSE(isMdnsName("host.local."));
  CHECK_FALSE(isMdnsName("host.localhost"));
  CHECK_FALSE(isMdnsName("bad_name.local"));
  CHECK_FALSE(isMdnsName("192.168.1.5"));
  CHECK_FALSE(isMdnsName(""));
}

TEST_CASE("addressFamilyOf") {
  CHECK(addressFamilyOf("0.0.0.0") == AddressFamily::Ipv4);
  CHECK(addressFamilyOf("255.255.255.255") == AddressFamily::Ipv4);
  CHECK(addressFamilyOf("256.1.1.1") == AddressFamily::Other);
  CHECK(addressFamilyOf("1.2.3.4.5") == AddressFamily::Other);
  CHECK(addressFamilyOf("1.2.3.") == AddressFamily::Other);
  CHECK(addressFamilyOf("::") == AddressFamily::Ipv6);
  CHECK(addressFamilyOf("::1") == AddressFamily::Ipv6);
  CHECK(addressFamilyOf("fe80::") == AddressFamily::Ipv6);
  CHECK(addressFamilyOf("2001:DB8:0:0:0:0:0:1") == AddressFamily::Ipv6);
  CHECK(addressFamilyOf("::ffff:192.0.2.1") == AddressFamily::Ipv6);
  CHECK(addressFamilyOf("1:2:3:4:5:6:7:8:9") == AddressFamily::Other);
  CHECK(addressFamilyOf("1::2:3:4:5:6:7:8") == AddressFamily::Other);
  CHECK(addressFamilyOf("1:2") == AddressFamily::Other);
  CHECK(addressFamilyOf(":1::") == AddressFamily::Other);
  CHECK(addressFamilyOf("1:") == AddressFamily::Other);
  CHECK(addressFamilyOf("12345::") == AddressFamily::Other);
  CHECK(addressFamilyOf("g::1") == AddressFamily::Other);
  CHECK(addressFamilyOf("abc.local") == AddressFamily::Mdns);
  CHECK(addressFamilyOf("stun.example.org") == AddressFamily::Other);
  CHECK(addressFamilyOf("") == AddressFamily::Other);
}

TEST_CASE("candidate enums print as in SDP") {
  CHECK(toString(CandidateTransport::Udp) == "udp");
  CHECK(toString(CandidateTransport::Tcp) == "tcp");
  CHECK(toString(CandidateType::Host) == "host");
  CHECK(toString(CandidateType::Srflx) == "srflx");
  CHECK(toString(CandidateType::Prflx) == "prflx");
  CHECK(toString(CandidateType::Relay) == "relay");
  CHECK(toString(TcpType::Active) == "active");
  CHECK(toString(TcpType::Passive) == "passive");
  CHECK(toString(TcpType::So) == "so");
  CHECK(toString(AddressFamily::Ipv4) == "ipv4");
  CHECK(toString(AddressFamily::Ipv6) == "ipv6");
  CHECK(toString(AddressFamily::Mdns) == "mdns");
  CHECK(toString(AddressFamily::Other) == "other");
}
