// Feeds: ICE candidate strings from the far end (parseIceCandidate, as addIceCandidate and NAT detection see them).
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "check.hpp"
#include "nat/ice_candidate.hpp"

using namespace wre;

namespace {

std::string serialize(const IceCandidate& c) {
  std::string s = "candidate:" + c.foundation + " " + std::to_string(c.component) + " " +
                  std::string(toString(c.transport)) + " " + std::to_string(c.priority) + " " + c.address + " " +
                  std::to_string(c.port) + " typ " + std::string(toString(c.type));
  if (c.relatedAddress) s += " raddr " + *c.relatedAddress;
  if (c.relatedPort) s += " rport " + std::to_string(*c.relatedPort);
  if (c.tcpType) s += " tcptype " + std::string(toString(*c.tcpType));
  for (const auto& [name, value] : c.extensions) s += " " + name + " " + value;
  return s;
}

bool same(const IceCandidate& a, const IceCandidate& b) {
  return a.foundation == b.foundation && a.component == b.component && a.transport == b.transport &&
         a.priority == b.priority && a.address == b.address && a.port == b.port && a.type == b.type &&
         a.relatedAddress == b.relatedAddress && a.relatedPort == b.relatedPort && a.tcpType == b.tcpType &&
         a.extensions == b.extensions;
}

bool printable(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);

  // Total on any string; the family of a name agrees with isMdnsName.
  AddressFamily family = addressFamilyOf(line);
  FUZZ_CHECK((family == AddressFamily::Mdns) == isMdnsName(line), "family %s, isMdnsName %d", toString(family).data(),
             isMdnsName(line));

  // IPv4 and IPv6 text forms are what inet_pton reads (it refuses leading zeros in IPv4 too).
  if (size < 64 && std::memchr(data, 0, size) == nullptr) {
    std::string text(line);
    unsigned char buf[16];
    bool v4 = inet_pton(AF_INET, text.c_str(), buf) == 1;
    bool v6 = inet_pton(AF_INET6, text.c_str(), buf) == 1;
    FUZZ_CHECK((family == AddressFamily::Ipv4) == v4 && (family == AddressFamily::Ipv6) == v6,
               "'%s' is %s, inet_pton: IPv4 %d, IPv6 %d", text.c_str(), toString(family).data(), v4, v6);
  }

  auto parsed = parseIceCandidate(line);
  if (!parsed) {
    const Error& e = parsed.error();
    FUZZ_CHECK(e.kind == ErrorKind::IceCandidate, "error kind %d", static_cast<int>(e.kind));
    // The message quotes the input truncated and without control characters (it reaches logs).
    FUZZ_CHECK(printable(e.message), "control character in: %s", e.message.c_str());
    FUZZ_CHECK(e.message.size() <= 400, "message of %zu bytes", e.message.size());
    return 0;
  }
  const IceCandidate& c = parsed.value();
  FUZZ_CHECK(size <= kMaxCandidateLength, "accepted %zu bytes", size);
  FUZZ_CHECK(!c.foundation.empty() && c.foundation.size() <= 32, "foundation '%s'", c.foundation.c_str());
  FUZZ_CHECK(c.component >= 1 && c.component <= 256, "component %u", c.component);
  FUZZ_CHECK(!c.address.empty(), "empty address");
  FUZZ_CHECK(!c.tcpType || c.transport == CandidateTransport::Tcp, "tcptype on udp");
  FUZZ_CHECK(c.port != 0 || c.tcpType == TcpType::Active, "port 0 accepted");
  FUZZ_CHECK(printable(c.address) && printable(c.foundation), "control character accepted");
  for (const auto& [name, value] : c.extensions)
    FUZZ_CHECK(
        !name.empty() && !value.empty() && name.find(' ') == std::string::npos && value.find(' ') == std::string::npos,
        "extension '%s' '%s'", name.c_str(), value.c_str());

  // What was accepted writes back out in canonical form and reads back the same.
  // (Skipped when the canonical form is over the length limit: it adds `candidate:` if absent.)
  std::string canonical = serialize(c);
  if (canonical.size() > kMaxCandidateLength) return 0;
  auto again = parseIceCandidate(canonical);
  FUZZ_CHECK(again, "canonical form refused: %s -> %s", canonical.c_str(), again ? "" : again.error().message.c_str());
  FUZZ_CHECK(same(again.value(), c), "canonical form reads differently: %s", canonical.c_str());
  return 0;
}
