#include "nat/nat_classifier.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "nat/ice_candidate.hpp"

namespace wre {
namespace {

constexpr std::size_t kMaxErrorText = 80;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "host:port", to match a configured URL with event.candidate.url and icecandidateerror.url:
// Chromium writes those as stun:<host>:<port> even when the config left the port out. An
// unbracketed IPv6 host (as Chromium may write it) loses a trailing ":port" only if what stays is
// still an IPv6 address.
std::string serverKey(std::string_view url) {
  std::size_t colon = url.find(':');
  std::string scheme = lowercase(url.substr(0, colon));
  bool secure = scheme == "stuns" || scheme == "turns";
  if (colon == std::string_view::npos || (!secure && scheme != "stun" && scheme != "turn"))
    return lowercase(url);
  std::string_view s = url.substr(colon + 1);
  if (s.substr(0, 2) == "//") s.remove_prefix(2);
  s = s.substr(0, s.find('?'));
  std::string_view host = s;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos) return lowercase(url);
    host = s.substr(1, close - 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return lowercase(url);
      port = s.substr(close + 2);
    }
  } else if (std::size_t last = s.rfind(':'); last != std::string_view::npos) {
    std::string_view before = s.substr(0, last);
    if (before.find(':') == std::string_view::npos ||
        addressFamilyOf(before) == AddressFamily::Ipv6) {
      host = before;
      port = s.substr(last + 1);
    }
  }
  if (port.empty()) port = secure ? "5349" : "3478";
  return fmt::format(FMT_COMPILE("{}:{}"), lowercase(host), port);
}

std::string_view hostOfKey(std::string_view key) { return key.substr(0, key.rfind(':')); }

bool isUnspecified(std::string_view address) {
  return address.empty() || address == "0.0.0.0" || address == "::";
}

// Not private, loopback, link-local, CGNAT, or multicast/reserved: nobody NATs such an address.
bool isGlobalIpv4(std::string_view address) {
  if (addressFamilyOf(address) != AddressFamily::Ipv4) return false;
  int a = 0, b = 0;
  std::size_t i = 0;
  for (; address[i] != '.'; ++i) a = a * 10 + (address[i] - '0');
  for (++i; address[i] != '.'; ++i) b = b * 10 + (address[i] - '0');
  return !(a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && b >= 64 && b < 128) ||
           (a == 169 && b == 254) || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168));
}

struct Mapping {
  std::string address;  // lowercased
  std::uint16_t port = 0;
  bool operator<(const Mapping& o) const {
    return std::tie(address, port) < std::tie(o.address, o.port);
  }
  bool operator==(const Mapping& o) const { return address == o.address && port == o.port; }
};

std::string show(const Mapping& m) {
  if (m.address.find(':') != std::string::npos)
    return fmt::format(FMT_COMPILE("[{}]:{}"), m.address, m.port);
  return fmt::format(FMT_COMPILE("{}:{}"), m.address, m.port);
}

struct Server {
  std::string url;  // as configured, or as the browser named it
  bool configured = true;
  std::vector<const ServerError*> errors;
  std::set<Mapping> seen;
  bool credited = false;  // answered with a dropped duplicate
};

// Observations from one local socket, or from all sockets of a family when the browser hides the
// base address (raddr 0.0.0.0 behind mDNS).
struct Group {
  AddressFamily family = AddressFamily::Other;
  std::string base;  // empty when hidden
  std::set<Mapping> mappings;
  std::map<Mapping, std::set<std::string>> supporters;  // server keys that reported each mapping
};

struct Judgement {
  NatType type = NatType::Unknown;
  MappingBehavior mapping = MappingBehavior::Unknown;
  std::string reason;
};

int rank(NatType type) {
  switch (type) {
    case NatType::Open: return 3;
    case NatType::PortRestricted: return 2;
    case NatType::Symmetric: return 1;
    default: return 0;
  }
}

class Classifier {
 public:
  explicit Classifier(const NatEvidence& evidence);
  NatVerdict run();

 private:
  Judgement judge(const Group& g) const;
  Judgement judgeSymmetric(const Group& g) const;
  bool couldReach(const std::string& key, AddressFamily family) const;
  std::size_t socketsFor(AddressFamily family) const;
  std::string urls(const std::vector<std::string>& keys) const;
  std::string statusOf(const std::string& key) const;
  std::string silentServers(const std::set<std::string>& answered) const;
  NatVerdict finish(NatType type, MappingBehavior mapping, std::string reason) const;

  const NatEvidence& ev_;
  bool settled_;  // gathering finished on its own: silence now means something
  std::map<std::string, Server> servers_;
  std::vector<std::string> order_;
  std::size_t configured_ = 0;
  std::map<std::string, Group> groups_;
  std::vector<Mapping> unattributed_;
  bool attributionComplete_ = true;  // every candidate and error names a configured server
  std::set<std::string> visibleHosts_;
  int suppressedAnswers_ = 0;
};

Classifier::Classifier(const NatEvidence& ev)
    : ev_(ev), settled_(ev.gatheringCompleted && !ev.timedOut) {
  for (const auto& url : ev.stunServers) {
    std::string key = serverKey(url);
    auto [it, added] = servers_.try_emplace(key);
    if (!added) continue;
    it->second.url = url;
    order_.push_back(key);
  }
  configured_ = servers_.size();
  for (const auto& host : ev.hostAddresses) {
    AddressFamily family = addressFamilyOf(host);
    if (!isUnspecified(host) && (family == AddressFamily::Ipv4 || family == AddressFamily::Ipv6))
      visibleHosts_.insert(lowercase(host));
  }

  for (const auto& o : ev.srflx) {
    AddressFamily family = addressFamilyOf(o.address);
    // Not a reflexive transport address: nothing to compare.
    if ((family != AddressFamily::Ipv4 && family != AddressFamily::Ipv6) || o.port == 0) continue;
    Mapping m{lowercase(o.address), o.port};
    std::string base = isUnspecified(o.relatedAddress) ? "" : lowercase(o.relatedAddress);
    Group& g = groups_[fmt::format(FMT_COMPILE("{}|{}"), toString(family), base)];
    g.family = family;
    g.base = base;
    g.mappings.insert(m);
    if (o.serverUrl.empty()) {
      attributionComplete_ = false;
      unattributed_.push_back(m);
      continue;
    }
    std::string key = serverKey(o.serverUrl);
    auto [it, added] = servers_.try_emplace(key);
    if (added) {
      it->second.url = o.serverUrl;
      it->second.configured = false;
      order_.push_back(key);
      attributionComplete_ = false;  // maybe a configured server spelled differently
    }
    it->second.seen.insert(m);
    g.supporters[m].insert(key);
  }

  for (const auto& e : ev.serverErrors) {
    auto it = servers_.find(serverKey(e.url));
    if (it != servers_.end()) it->second.errors.push_back(&e);
    attributionComplete_ = attributionComplete_ && it != servers_.end();
  }

  // Chromium's duplicate rule (see the header): silence after a completed gathering is an answer.
  if (attributionComplete_ && settled_ && !groups_.empty())
    for (auto& [_, s] : servers_) s.credited = s.configured && s.seen.empty() && s.errors.empty();
}

// A credited server only vouches for a family it can be reached over.
bool Classifier::couldReach(const std::string& key, AddressFamily family) const {
  AddressFamily serverFamily = addressFamilyOf(hostOfKey(key));
  if (serverFamily == AddressFamily::Ipv4 || serverFamily == AddressFamily::Ipv6)
    return serverFamily == family;
  for (const auto& [_, g] : groups_)
    if (g.family != family) return false;  // a host name: we cannot tell which family it has
  return true;
}

// Local sockets that could have produced a hidden-base mapping of this family: mDNS names may be
// either family. Under endpoint-independent mapping each socket shows one mapping at most.
std::size_t Classifier::socketsFor(AddressFamily family) const {
  std::set<std::string> sockets;
  for (const auto& host : ev_.hostAddresses) {
    AddressFamily f = addressFamilyOf(host);
    if (!isUnspecified(host) &&
        (f == family || f == AddressFamily::Mdns || f == AddressFamily::Other))
      sockets.insert(lowercase(host));
  }
  return sockets.empty() ? 1 : sockets.size();
}

std::string Classifier::urls(const std::vector<std::string>& keys) const {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += i + 1 == keys.size() ? " and " : ", ";
    out += servers_.at(keys[i]).url;
  }
  return out;
}

std::string Classifier::statusOf(const std::string& key) const {
  const Server& s = servers_.at(key);
  if (!s.errors.empty()) {
    const ServerError& e = *s.errors.front();
    if (e.text.empty()) return fmt::format(FMT_COMPILE("{} reported error {}"), s.url, e.errorCode);
    return fmt::format(FMT_COMPILE("{} reported error {} ({})"), s.url, e.errorCode,
                       std::string_view(e.text).substr(0, kMaxErrorText));
  }
  if (ev_.timedOut)
    return fmt::format(FMT_COMPILE("{} did not answer before the time limit"), s.url);
  if (!ev_.gatheringCompleted) return fmt::format(FMT_COMPILE("{} has not answered yet"), s.url);
  if (!attributionComplete_ && !ev_.srflx.empty())
    return fmt::format(FMT_COMPILE("{} cannot be matched to a candidate"), s.url);
  return fmt::format(FMT_COMPILE("{} gave no candidate"), s.url);
}

// "stun:b reported error 701 (...), stun:c did not answer ..." for configured servers not answered.
std::string Classifier::silentServers(const std::set<std::string>& answered) const {
  std::string out;
  for (const auto& key : order_) {
    if (!servers_.at(key).configured || answered.count(key)) continue;
    out += out.empty() ? statusOf(key) : "; " + statusOf(key);
  }
  return out;
}

Judgement Classifier::judgeSymmetric(const Group& g) const {
  // Name two mappings from different servers where possible.
  auto who = [&](const Mapping& m) {
    auto it = g.supporters.find(m);
    if (it == g.supporters.end()) return std::string("an unnamed server");
    return urls({it->second.begin(), it->second.end()});
  };
  const Mapping& a = *g.mappings.begin();
  const Mapping* b = &*std::next(g.mappings.begin());
  for (const auto& m : g.mappings)
    if (who(m) != who(a)) {
      b = &m;
      break;
    }
  return {NatType::Symmetric, MappingBehavior::Dependent,
          fmt::format(FMT_COMPILE("{} saw {} but {} saw {}: the NAT picks a new mapping for each "
                                  "destination (symmetric), so plan for a TURN relay."),
                      who(a), show(a), who(*b), show(*b))};
}

Judgement Classifier::judge(const Group& g) const {
  std::size_t sockets = g.base.empty() ? socketsFor(g.family) : 1;
  // More mappings than sockets: some socket got different mappings from different servers.
  if (g.mappings.size() > sockets) return judgeSymmetric(g);

  for (const auto& m : g.mappings)
    if (visibleHosts_.count(m.address) || m.address == g.base)
      return {NatType::Open, MappingBehavior::EndpointIndependent,
              fmt::format(FMT_COMPILE("The reflexive address {} is also a local address, so there "
                                      "is no NAT on this path."),
                          m.address)};

  std::vector<std::string> credited;
  for (const auto& key : order_)
    if (servers_.at(key).credited && couldReach(key, g.family)) credited.push_back(key);
  const Mapping* best = nullptr;
  std::vector<std::string> saw;
  std::set<std::string> attributed;
  for (const auto& [m, keys] : g.supporters) {
    attributed.insert(keys.begin(), keys.end());
    if (!best || keys.size() > saw.size()) {
      best = &m;
      saw.assign(keys.begin(), keys.end());
    }
  }

  if (!best)  // only unnamed candidates (and then nobody is credited either)
    return {NatType::Unknown, MappingBehavior::Unknown,
            fmt::format(FMT_COMPILE("The browser did not say which STUN server produced the "
                                    "reflexive candidate {}, so mappings cannot be compared."),
                        show(*g.mappings.begin()))};

  if (saw.size() + credited.size() >= 2) {
    std::string who =
        credited.empty()
            ? fmt::format(FMT_COMPILE("{} {} saw {}"), urls(saw), saw.size() == 2 ? "both" : "all",
                          show(*best))
            : fmt::format(
                  FMT_COMPILE("{} saw {} and {} answered with the same mapping (the browser "
                              "drops duplicate candidates)"),
                  urls(saw), show(*best), urls(credited));
    // Two ports on one host cannot tell endpoint-independent from address-dependent mapping.
    std::set<std::string_view> hosts;
    for (const auto& key : saw) hosts.insert(hostOfKey(key));
    for (const auto& key : credited) hosts.insert(hostOfKey(key));
    return {NatType::PortRestricted, MappingBehavior::EndpointIndependent,
            fmt::format(FMT_COMPILE("{}, so mapping is endpoint-independent{}; a browser cannot "
                                    "measure filtering, so this is reported as port-restricted."),
                        who,
                        hosts.size() == 1 ? " (though the servers share one host, so "
                                            "address-dependent mapping is not ruled out)"
                                          : "")};
  }

  if (attributed.size() >= 2)
    return {NatType::Unknown, MappingBehavior::Unknown,
            fmt::format(FMT_COMPILE("{} saw different mappings, but with {} local addresses hidden "
                                    "behind mDNS names they may come from different sockets, so "
                                    "mappings cannot be compared."),
                        urls({attributed.begin(), attributed.end()}), sockets)};
  std::string others = silentServers(attributed);
  return {NatType::Unknown, MappingBehavior::Unknown,
          fmt::format(FMT_COMPILE("Only {} answered (mapped to {}){}{}, so there is no second "
                                  "mapping to compare it with."),
                      urls(saw), show(*best), others.empty() ? "" : "; ", others)};
}

NatVerdict Classifier::finish(NatType type, MappingBehavior mapping, std::string reason) const {
  NatVerdict v;
  v.type = type;
  v.mapping = mapping;
  v.reason = std::move(reason);
  v.supportsDirectConnection = type == NatType::Open || type == NatType::FullCone ||
                               type == NatType::Restricted || type == NatType::PortRestricted;
  v.requiresRelay = type == NatType::Symmetric;
  std::set<Mapping> all;
  for (const auto& [_, g] : groups_) all.insert(g.mappings.begin(), g.mappings.end());
  for (const auto& key : order_) {
    const Server& s = servers_.at(key);
    if (!s.seen.empty() || s.credited) ++v.serversAnswered;
    for (const auto& m : s.credited ? all : s.seen)
      v.mappings.push_back({s.url, m.address, m.port, s.credited});
  }
  for (const auto& m : unattributed_) v.mappings.push_back({"", m.address, m.port, false});
  if (v.serversAnswered == 0 && !unattributed_.empty()) v.serversAnswered = 1;
  v.serversAnswered += suppressedAnswers_;
  return v;
}

NatVerdict Classifier::run() {
  if (configured_ == 0)
    return finish(NatType::Unknown, MappingBehavior::Unknown,
                  "No STUN servers are configured, so the NAT type cannot be detected.");

  // Chromium drops a reflexive candidate equal to its local address when mDNS is off; a public
  // local address plus a server that answered without a candidate or error means no NAT.
  std::string publicHost;
  for (const auto& host : visibleHosts_)
    if (isGlobalIpv4(host)) publicHost = host;
  int quiet = 0;
  for (const auto& key : order_)
    quiet += servers_.at(key).configured && servers_.at(key).errors.empty();
  bool suppressedOpen = groups_.empty() && settled_ && !publicHost.empty() && quiet > 0;
  bool noReflexive = groups_.empty() && !suppressedOpen;

  // Silence means failure only once every server failed, gathering ended or time ran out.
  if (noReflexive && (quiet == 0 || ev_.gatheringCompleted || ev_.timedOut)) {
    NatVerdict v =
        finish(NatType::Unknown, MappingBehavior::Unknown,
               fmt::format(FMT_COMPILE("No STUN server produced a reflexive candidate "
                                       "({}): UDP is probably blocked or the servers are "
                                       "unreachable, so a TURN relay is needed."),
                           silentServers({})));
    v.requiresRelay = true;
    return v;
  }
  if (configured_ < 2)
    return finish(
        NatType::Unknown, MappingBehavior::Unknown,
        fmt::format(FMT_COMPILE("Only one STUN server is configured ({}) and two are "
                                "needed to compare mappings, so the NAT type is unknown."),
                    servers_.at(order_.front()).url));
  if (noReflexive)
    return finish(NatType::Unknown, MappingBehavior::Unknown,
                  fmt::format(FMT_COMPILE("Gathering has not finished ({}), so the NAT type is not "
                                          "known yet."),
                              silentServers({})));
  if (suppressedOpen) {
    suppressedAnswers_ = quiet;
    return finish(
        NatType::Open, MappingBehavior::EndpointIndependent,
        fmt::format(FMT_COMPILE("The local address {} is public and STUN answered without "
                                "a separate reflexive address, so there is no NAT."),
                    publicHost));
  }

  Judgement best;
  bool first = true;
  for (const auto& [_, g] : groups_) {
    Judgement j = judge(g);
    if (first || rank(j.type) > rank(best.type)) best = std::move(j);
    first = false;
  }
  return finish(best.type, best.mapping, std::move(best.reason));
}

}  // namespace

NatVerdict classifyNat(const NatEvidence& evidence) { return Classifier(evidence).run(); }

std::size_t distinctStunServers(const std::vector<std::string>& urls) {
  std::set<std::string> keys;
  for (const auto& url : urls) keys.insert(serverKey(url));
  return keys.size();
}

std::string_view toString(NatType type) {
  switch (type) {
    case NatType::Open: return "open";
    case NatType::FullCone: return "full-cone";
    case NatType::Restricted: return "restricted";
    case NatType::PortRestricted: return "port-restricted";
    case NatType::Symmetric: return "symmetric";
    case NatType::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view toString(MappingBehavior mapping) {
  switch (mapping) {
    case MappingBehavior::EndpointIndependent: return "endpoint-independent";
    case MappingBehavior::Dependent: return "dependent";
    case MappingBehavior::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view toString(FilteringBehavior filtering) {
  switch (filtering) {
    case FilteringBehavior::EndpointIndependent: return "endpoint-independent";
    case FilteringBehavior::AddressDependent: return "address-dependent";
    case FilteringBehavior::AddressAndPortDependent: return "address-and-port-dependent";
    case FilteringBehavior::Unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace wre
