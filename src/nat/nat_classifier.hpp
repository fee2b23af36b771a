// NAT classification from what a browser can see while gathering ICE candidates against the
// configured STUN servers (RFC 4787 terms). A pure function: NatDetector collects NatEvidence from
// RTCPeerConnections, classifyNat decides, detectNATType() reports the verdict.
//
// The evidence comes from two kinds of connection, because a browser gives each connection its
// own sockets and Firefox does not say which server produced a reflexive candidate:
//   - one connection per server, configured with only that server: which servers answer, with
//     what, or why not (each candidate belongs to the server of its connection);
//   - one shared connection configured with every server: its socket asks them all, so it alone
//     shows whether the mapping depends on the destination (one mapping per socket, or more).
// Per-server mappings come from different sockets and are never compared with each other.
//
// What each verdict means for the two flags:
//   open            A reflexive address equals a visible local address: no NAT on that path.
//                   supportsDirectConnection = true, requiresRelay = false.
//   port-restricted Two or more servers answered and the shared socket got one mapping from them:
//                   endpoint-independent mapping. A browser cannot send RFC 5780's CHANGE-REQUEST
//                   tests, so filtering is never measured (filtering = Unknown). We report the most
//                   restrictive cone rather than guess a friendlier one. ICE hole punching works
//                   with such a NAT: supportsDirectConnection = true, requiresRelay = false.
//   symmetric       The shared socket got more than one mapping: endpoint-dependent mapping. The
//                   address a peer learns from our srflx candidate is not the one the NAT uses
//                   towards that peer, so a direct path works only when the far side is open or a
//                   permissive cone, which nobody can promise: supportsDirectConnection = false,
//                   requiresRelay = true (configure TURN). ICE may still find a peer-reflexive
//                   path; the flags say what to plan for.
//   unknown         Not enough evidence. requiresRelay = true only when STUN servers were
//                   configured and none produced a reflexive candidate (UDP blocked or STUN
//                   unreachable). Otherwise both flags are false: "not determined".
//   full-cone and restricted are never reported, because telling them apart needs filtering tests.
//
// Browser facts this relies on (Chromium and Firefox): one srflx candidate per local socket and
// mapping, so two servers that map a socket alike give one candidate (the duplicate is dropped);
// a server that fails produces an icecandidateerror that names it; gathering completes only once
// every server has answered or failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wre {

enum class NatType { Open, FullCone, Restricted, PortRestricted, Symmetric, Unknown };
enum class MappingBehavior { EndpointIndependent, Dependent, Unknown };
// Never measured from a browser (see above); the other values exist for a measured source.
enum class FilteringBehavior { EndpointIndependent, AddressDependent, AddressAndPortDependent, Unknown };

// One srflx candidate. Ignored unless address is an IP address and port is not 0.
struct SrflxObservation {
  std::string address;  // the mapped (reflexive) address
  std::uint16_t port = 0;
  std::string relatedAddress;  // raddr: the local base, or 0.0.0.0 / :: when hidden
};

struct ServerError {  // from icecandidateerror
  std::string url;    // the browser's name for the server; only the shared connection needs it
  int errorCode = 0;
  std::string text;
};

// What one gathering connection reported.
struct GatherEvidence {
  // Host candidate addresses, may be mDNS names: the local sockets a hidden-base srflx can come
  // from.
  std::vector<std::string> hostAddresses;
  std::vector<SrflxObservation> srflx;
  std::vector<ServerError> errors;
  bool completed = false;  // iceGatheringState reached `complete`
};

struct NatEvidence {
  std::vector<std::string> stunServers;  // URLs as configured
  // perServer[i]: the connection that asked only stunServers[i] (missing ones reported nothing).
  std::vector<GatherEvidence> perServer;
  GatherEvidence shared;  // the connection that asked every server from the same sockets
  bool timedOut = false;  // detection gave up waiting first
};

// A mapping one server reported to its own connection.
struct ServerMapping {
  std::string serverUrl;
  std::string address;
  std::uint16_t port = 0;
};

struct NatVerdict {
  NatType type = NatType::Unknown;
  bool supportsDirectConnection = false;
  bool requiresRelay = false;
  MappingBehavior mapping = MappingBehavior::Unknown;
  FilteringBehavior filtering = FilteringBehavior::Unknown;
  std::string reason;  // one sentence for people
  int serversAnswered = 0;
  std::vector<ServerMapping> mappings;  // per server, in configured order
};

NatVerdict classifyNat(const NatEvidence& evidence);

// Servers after matching URL spellings (stun:h and stun:h:3478 are one). With fewer than two the
// verdict can only be `unknown`, so detectNATType() may answer at once without gathering.
std::size_t distinctStunServers(const std::vector<std::string>& urls);

std::string_view toString(NatType type);  // the guide's names: open, full-cone, ...
std::string_view toString(MappingBehavior mapping);
std::string_view toString(FilteringBehavior filtering);

}  // namespace wre
