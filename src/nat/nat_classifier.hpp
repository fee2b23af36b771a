// NAT classification from what a browser can see while gathering ICE candidates against the
// configured STUN servers (RFC 4787 terms). A pure function: the bindings collect NatEvidence
// from an RTCPeerConnection, classifyNat decides, detectNATType() reports the verdict.
//
// What each verdict means for the two flags:
//   open            A reflexive address equals a visible local address: no NAT on that path.
//                   supportsDirectConnection = true, requiresRelay = false.
//   port-restricted Two or more servers saw the same mapping: endpoint-independent mapping.
//                   A browser cannot send RFC 5780's CHANGE-REQUEST tests, so filtering is never
//                   measured (filtering = Unknown). We report the most restrictive cone rather than
//                   guess a friendlier one. ICE hole punching works with such a NAT:
//                   supportsDirectConnection = true, requiresRelay = false.
//   symmetric       Servers saw different mappings: endpoint-dependent mapping. The address a peer
//                   learns from our srflx candidate is not the one the NAT uses towards that peer,
//                   so a direct path works only when the far side is open or a permissive cone,
//                   which nobody can promise: supportsDirectConnection = false,
//                   requiresRelay = true (configure TURN). ICE may still find a peer-reflexive
//                   path; the flags say what to plan for.
//   unknown         Not enough evidence. requiresRelay = true only when STUN servers were
//                   configured and none produced a reflexive candidate (UDP blocked or STUN
//                   unreachable). Otherwise both flags are false: "not determined".
//   full-cone and restricted are never reported, because telling them apart needs filtering tests.
//
// Browser facts this relies on (Chromium): one srflx candidate per local socket and mapping; a
// second server that maps to the same address:port produces no candidate (a dropped duplicate),
// and a server that fails produces an icecandidateerror. So a configured server with neither, once
// gathering has completed, answered with the mapping already seen.
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
enum class FilteringBehavior {
  EndpointIndependent,
  AddressDependent,
  AddressAndPortDependent,
  Unknown
};

// One srflx candidate. Ignored unless address is an IP address and port is not 0.
struct SrflxObservation {
  std::string serverUrl;  // event.candidate.url; may be empty when the browser does not say
  std::string address;    // the mapped (reflexive) address
  std::uint16_t port = 0;
  std::string relatedAddress;  // raddr: the local base, or 0.0.0.0 / :: when hidden
};

struct ServerError {  // from icecandidateerror
  std::string url;
  int errorCode = 0;
  std::string text;
};

struct NatEvidence {
  std::vector<std::string> stunServers;  // URLs as configured
  std::vector<SrflxObservation> srflx;
  // Host candidate addresses, may be mDNS names: the local sockets a hidden-base srflx can come
  // from.
  std::vector<std::string> hostAddresses;
  std::vector<ServerError> serverErrors;
  bool gatheringCompleted = false;  // iceGatheringState reached `complete`
  bool timedOut = false;            // detection gave up waiting first
};

// One server's observed mapping. `inferred` marks a server credited with a dropped duplicate.
struct ServerMapping {
  std::string serverUrl;
  std::string address;
  std::uint16_t port = 0;
  bool inferred = false;
};

struct NatVerdict {
  NatType type = NatType::Unknown;
  bool supportsDirectConnection = false;
  bool requiresRelay = false;
  MappingBehavior mapping = MappingBehavior::Unknown;
  FilteringBehavior filtering = FilteringBehavior::Unknown;
  std::string reason;  // one sentence for people
  int serversAnswered = 0;
  std::vector<ServerMapping> mappings;
};

NatVerdict classifyNat(const NatEvidence& evidence);

// Servers after matching URL spellings (stun:h and stun:h:3478 are one). With fewer than two the
// verdict can only be `unknown`, so detectNATType() may answer at once without gathering.
std::size_t distinctStunServers(const std::vector<std::string>& urls);

std::string_view toString(NatType type);  // the guide's names: open, full-cone, ...
std::string_view toString(MappingBehavior mapping);
std::string_view toString(FilteringBehavior filtering);

}  // namespace wre
