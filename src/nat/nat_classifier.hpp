// NAT classification (RFC 4787 terms) from the evidence NatDetector collects while gathering ICE
// candidates: a pure function. The verdicts and their two flags are the README's table ("NAT type
// detection"); per-server mappings come from different sockets and are never compared.
// Browser facts this relies on (Chromium and Firefox): one srflx candidate per local socket and
// mapping; a server that fails produces an icecandidateerror naming it; gathering completes only
// once every server has answered or failed.
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
