// One ICE candidate parsed from an RFC 8839 candidate attribute, the string a browser puts in
// RTCIceCandidate.candidate. The input comes from the far peer through the app's signaling, so it
// is untrusted: anything malformed is refused with ErrorKind::IceCandidate and a message that
// names the bad field and quotes (truncated) the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.hpp"

namespace wre {

enum class CandidateTransport { Udp, Tcp };
enum class CandidateType { Host, Srflx, Prflx, Relay };
enum class TcpType { Active, Passive, So };  // RFC 6544
enum class AddressFamily { Ipv4, Ipv6, Mdns, Other };

struct IceCandidate {
  std::string foundation;
  std::uint16_t component = 1;  // 1..256
  CandidateTransport transport = CandidateTransport::Udp;
  std::uint32_t priority = 0;
  std::string address;     // IPv4, IPv6 (no brackets) or a host name, usually an mDNS `.local` name
  std::uint16_t port = 0;  // 0 only for `tcptype active` (such a candidate never listens)
  CandidateType type = CandidateType::Host;
  std::optional<std::string> relatedAddress;  // raddr: 0.0.0.0 / :: when the browser hides it
  std::optional<std::uint16_t> relatedPort;   // rport: 0 allowed, same reason
  std::optional<TcpType> tcpType;
  // Other name/value attributes in input order (generation, ufrag, network-id, network-cost, ...).
  std::vector<std::pair<std::string, std::string>> extensions;
};

// Longest input accepted; real candidates are under 200 characters.
inline constexpr std::size_t kMaxCandidateLength = 1024;

// Accepts the attribute with or without the leading `candidate:` (and `a=candidate:` from SDP).
// Keywords and enum values are case-insensitive, as RFC 8839's ABNF says.
Result<IceCandidate> parseIceCandidate(std::string_view line);

// A DNS name whose last label is `local` (RFC 6762), as browsers use to hide host addresses.
bool isMdnsName(std::string_view name);

// IPv4 dotted quad, IPv6 text form (no brackets, no zone), mDNS name, or anything else.
AddressFamily addressFamilyOf(std::string_view address);

std::string_view toString(CandidateTransport transport);
std::string_view toString(CandidateType type);
std::string_view toString(TcpType type);
std::string_view toString(AddressFamily family);

}  // namespace wre
