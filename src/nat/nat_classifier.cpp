#include "nat/nat_classifier.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "nat/ice_candidate.hpp"
#include "util/text.hpp"

namespace wre {
namespace {

constexpr std::size_t kMaxErrorText = 80;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "host:port", to match a configured URL with icecandidateerror.url: Chromium writes it as
// stun:<host>:<port> even when the config left the port out. An
// unbracketed IPv6 host (as Chromium may write it) loses a trailing ":port" only if what stays is
// still an IPv6 address.
std::string serverKey(std::string_view url) {
  std::size_t colon = url.find(':');
  std::string scheme = lowercase(url.substr(0, colon));
  bool secure = scheme == "stuns" || scheme == "turns";
  if (colon == std::string_view::npos || (!secure && scheme != "stun" && scheme != "turn")) return lowercase(url);
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
    if (before.find(':') == std::string_view::npos || addressFamilyOf(before) == AddressFamily::Ipv6) {
      host = before;
      port = s.substr(last + 1);
    }
  }
  if (port.empty()) port = secure ? "5349" : "3478";
  return format("{}:{}", lowercase(host), port);
}

std::string_view hostOfKey(std::string_view key) { return key.substr(0, key.rfind(':')); }

bool isUnspecified(std::string_view address) { return address.empty() || address == "0.0.0.0" || address == "::"; }

// Not private, loopback, link-local, CGNAT, or multicast/reserved: nobody NATs such an address.
bool isGlobalIpv4(std::string_view address) {
  if (addressFamilyOf(address) != AddressFamily::Ipv4) return false;
  int a = 0, b = 0;
  std::size_t i = 0;
  for (; address[i] != '.'; ++i) a = a * 10 + (address[i] - '0');
  for (++i; address[i] != '.'; ++i) b = b * 10 + (address[i] - '0');
  return !(a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && b >= 64 && b < 128) || (a == 169 && b == 254) ||
           (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168));
}

struct Mapping {
  std::string address;  // lowercased
  std::uint16_t port = 0;
  bool operator<(const Mapping& o) const { return std::tie(address, port) < std::tie(o.address, o.port); }
  bool operator==(const Mapping& o) const { return address == o.address && port == o.port; }
};

std::string show(const Mapping& m) {
  if (m.address.find(':') != std::string::npos) return format("[{}]:{}", m.address, m.port);
  return format("{}:{}", m.address, m.port);
}

struct Server {
  std::string url;         // as configured
  std::set<Mapping> seen;  // what its own connection got
  std::set<AddressFamily> families;
  std::vector<const ServerError*> errors;
  bool completed = false;
};

// The shared connection's observations from one local socket, or from all its sockets of a family
// when the browser hides the base address (raddr 0.0.0.0 behind mDNS).
struct Group {
  AddressFamily family = AddressFamily::Other;
  std::string base;  // empty when hidden
  std::set<Mapping> mappings;
};

struct Judgement {
  NatType type = NatType::Unknown;
  MappingBehavior mapping = MappingBehavior::Unknown;
  std::string reason;
};

int rank(NatType type) {
  switch (type) {
    case NatType::Open:
      return 3;
    case NatType::PortRestricted:
      return 2;
    case NatType::Symmetric:
      return 1;
    default:
      return 0;
  }
}

std::optional<Mapping> mappingOf(const SrflxObservation& o) {
  AddressFamily family = addressFamilyOf(o.address);
  // Not a reflexive transport address: nothing to compare.
  if ((family != AddressFamily::Ipv4 && family != AddressFamily::Ipv6) || o.port == 0) return std::nullopt;
  return Mapping{lowercase(o.address), o.port};
}

class Classifier {
 public:
  explicit Classifier(const NatEvidence& evidence);
  NatVerdict run();

 private:
  std::optional<Judgement> openPath() const;
  Judgement judge(const Group& g) const;
  Judgement judgeSymmetric(const Group& g, std::size_t sockets) const;
  Judgement judgeWithoutShared() const;
  Judgement onlyOne(const std::vector<std::string>& answered) const;
  std::optional<Judgement> sharedUnfinished(const std::vector<std::string>& answered) const;
  std::vector<std::string> answered(std::optional<AddressFamily> family) const;
  std::size_t socketsFor(AddressFamily family) const;
  std::string urls(const std::vector<std::string>& keys) const;
  std::string statusOf(const std::string& key) const;
  std::string silentServers(const std::vector<std::string>& answered) const;
  NatVerdict finish(NatType type, MappingBehavior mapping, std::string reason) const;

  const NatEvidence& ev_;
  std::map<std::string, Server> servers_;
  std::vector<std::string> order_;
  std::map<std::string, Group> groups_;
  std::set<std::string> visibleHosts_;
  int suppressedAnswers_ = 0;
};

Classifier::Classifier(const NatEvidence& ev) : ev_(ev) {
  for (std::size_t i = 0; i < ev.stunServers.size(); ++i) {
    std::string key = serverKey(ev.stunServers[i]);
    auto [it, added] = servers_.try_emplace(key);
    if (added) {
      it->second.url = ev.stunServers[i];
      order_.push_back(key);
    }
    if (i >= ev.perServer.size()) continue;
    const GatherEvidence& own = ev.perServer[i];
    Server& s = it->second;
    for (const auto& o : own.srflx)
      if (auto m = mappingOf(o)) {
        s.seen.insert(*m);
        s.families.insert(addressFamilyOf(m->address));
      }
    for (const auto& e : own.errors) s.errors.push_back(&e);
    s.completed = s.completed || own.completed;
  }

  auto addHosts = [&](const GatherEvidence& g) {
    for (const auto& host : g.hostAddresses) {
      AddressFamily family = addressFamilyOf(host);
      if (!isUnspecified(host) && (family == AddressFamily::Ipv4 || family == AddressFamily::Ipv6))
        visibleHosts_.insert(lowercase(host));
    }
  };
  for (const auto& g : ev.perServer) addHosts(g);
  addHosts(ev.shared);

  for (const auto& o : ev.shared.srflx) {
    auto m = mappingOf(o);
    if (!m) continue;
    AddressFamily family = addressFamilyOf(m->address);
    std::string base = isUnspecified(o.relatedAddress) ? "" : lowercase(o.relatedAddress);
    Group& g = groups_[format("{}|{}", toString(family), base)];
    g.family = family;
    g.base = base;
    g.mappings.insert(*m);
  }
}

// Keys of the servers whose own connection got a mapping (of `family`, when given).
std::vector<std::string> Classifier::answered(std::optional<AddressFamily> family) const {
  std::vector<std::string> out;
  for (const auto& key : order_) {
    const Server& s = servers_.at(key);
    if (family ? s.families.count(*family) > 0 : !s.seen.empty()) out.push_back(key);
  }
  return out;
}

// The shared connection's local sockets that could have produced a hidden-base mapping of this
// family: mDNS names may be either family. Under endpoint-independent mapping each socket shows
// one mapping at most.
std::size_t Classifier::socketsFor(AddressFamily family) const {
  std::set<std::string> sockets;
  for (const auto& host : ev_.shared.hostAddresses) {
    AddressFamily f = addressFamilyOf(host);
    if (!isUnspecified(host) && (f == family || f == AddressFamily::Mdns || f == AddressFamily::Other))
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

std::string errorStatus(std::string_view who, const ServerError& e) {
  if (e.text.empty()) return format("{} reported error {}", who, e.errorCode);
  return format("{} reported error {} ({})", who, e.errorCode, std::string_view(e.text).substr(0, kMaxErrorText));
}

std::string Classifier::statusOf(const std::string& key) const {
  const Server& s = servers_.at(key);
  if (!s.seen.empty()) return format("{} answered over another address family", s.url);
  if (!s.errors.empty()) return errorStatus(s.url, *s.errors.front());
  if (ev_.timedOut) return format("{} did not answer before the time limit", s.url);
  if (!s.completed) return format("{} has not answered yet", s.url);
  return format("{} gave no candidate", s.url);
}

// "stun:b reported error 701 (...); stun:c did not answer ..." for the servers not in `answered`.
std::string Classifier::silentServers(const std::vector<std::string>& answered) const {
  std::string out;
  for (const auto& key : order_) {
    if (std::find(answered.begin(), answered.end(), key) != answered.end()) continue;
    out += out.empty() ? statusOf(key) : "; " + statusOf(key);
  }
  return out;
}

// A reflexive address that is a local one: a visible host address or the candidate's own base.
std::optional<Judgement> Classifier::openPath() const {
  auto check = [&](const GatherEvidence& g) -> std::optional<Judgement> {
    for (const auto& o : g.srflx) {
      auto m = mappingOf(o);
      if (!m || !(visibleHosts_.count(m->address) || m->address == lowercase(o.relatedAddress))) continue;
      return Judgement{NatType::Open, MappingBehavior::EndpointIndependent,
                       format("The reflexive address {} is also a local "
                              "address, so there is no NAT on this path.",
                              m->address)};
    }
    return std::nullopt;
  };
  for (const auto& g : ev_.perServer)
    if (auto j = check(g)) return j;
  return check(ev_.shared);
}

Judgement Classifier::onlyOne(const std::vector<std::string>& answered) const {
  std::string others = silentServers(answered);
  if (answered.empty())
    return {NatType::Unknown, MappingBehavior::Unknown,
            format("No server answered on its own connection ({}), so there "
                   "are no mappings to compare.",
                   others)};
  const Server& s = servers_.at(answered.front());
  return {NatType::Unknown, MappingBehavior::Unknown,
          format("Only {} answered (mapped to {}){}{}, so there is no second "
                 "mapping to compare it with.",
                 s.url, show(*s.seen.begin()), others.empty() ? "" : "; ", others)};
}

// The shared connection must have finished: until then a second mapping may still come.
std::optional<Judgement> Classifier::sharedUnfinished(const std::vector<std::string>& answered) const {
  if (ev_.shared.completed && !ev_.timedOut) return std::nullopt;
  return Judgement{
      NatType::Unknown, MappingBehavior::Unknown,
      format("{} answered, but the connection that asked them all from one "
             "socket {}, so their mappings cannot be compared{}.",
             urls(answered),
             ev_.timedOut ? "did not finish gathering before the time limit" : "has not finished gathering",
             ev_.timedOut ? "" : " yet")};
}

Judgement Classifier::judgeWithoutShared() const {
  std::vector<std::string> keys = answered(std::nullopt);
  if (keys.size() < 2) return onlyOne(keys);
  if (auto j = sharedUnfinished(keys)) return *j;
  return {NatType::Unknown, MappingBehavior::Unknown,
          format("{} answered, but the connection that asked them all from one "
                 "socket got no reflexive candidate, so their mappings cannot be "
                 "compared.",
                 urls(keys))};
}

Judgement Classifier::judgeSymmetric(const Group& g, std::size_t sockets) const {
  const Mapping& a = *g.mappings.begin();
  const Mapping& b = *std::next(g.mappings.begin());
  std::string got = g.mappings.size() == 2
                        ? format("two mappings, {} and {}", show(a), show(b))
                        : format("{} mappings, among them {} and {}", g.mappings.size(), show(a), show(b));
  std::string who = sockets == 1 ? std::string("One local socket") : format("{} local sockets", sockets);
  return {NatType::Symmetric, MappingBehavior::Dependent,
          format("{} asked {} and got {}{}: the NAT picks a new mapping for each "
                 "destination (symmetric), so plan for a TURN relay.",
                 who, urls(order_), got, sockets == 1 ? "" : ", more than one per socket")};
}

Judgement Classifier::judge(const Group& g) const {
  std::size_t sockets = g.base.empty() ? socketsFor(g.family) : 1;
  // More mappings than sockets: some socket got different mappings from different servers.
  if (g.mappings.size() > sockets) return judgeSymmetric(g, sockets);

  std::vector<std::string> keys = answered(g.family);
  if (keys.size() < 2) return onlyOne(keys);
  if (auto j = sharedUnfinished(keys)) return *j;

  // Only servers that did not fail on the shared socket vouch for its mapping. The browser's URL
  // says which failed; an error naming no configured server could be any of them.
  std::vector<std::string> vouching = keys;
  std::string failures;
  for (const auto& e : ev_.shared.errors) {
    auto it = servers_.find(serverKey(e.url));
    if (it == servers_.end()) {
      vouching.clear();
    } else {
      vouching.erase(std::remove(vouching.begin(), vouching.end(), it->first), vouching.end());
    }
    if (failures.empty()) failures = errorStatus(it == servers_.end() ? "a server" : it->second.url, e);
  }
  if (vouching.size() < 2)
    return {NatType::Unknown, MappingBehavior::Unknown,
            format("{} answered, but the socket that asked them all heard from "
                   "fewer than two of them ({}), so mappings cannot be "
                   "compared.",
                   urls(keys), failures)};

  if (g.mappings.size() > 1)
    return {NatType::Unknown, MappingBehavior::Unknown,
            format("The connection that asked {} got {} mappings, but with {} "
                   "local addresses hidden behind mDNS names they may come from "
                   "different sockets, so mappings cannot be compared.",
                   urls(vouching), g.mappings.size(), sockets)};

  // Two ports on one host cannot tell endpoint-independent from address-dependent mapping.
  std::set<std::string_view> hosts;
  for (const auto& key : vouching) hosts.insert(hostOfKey(key));
  return {NatType::PortRestricted, MappingBehavior::EndpointIndependent,
          format("{} {} answered, and the local socket that asked them all got "
                 "one mapping, {}, so mapping is endpoint-independent{}; a "
                 "browser cannot measure filtering, so this is reported as "
                 "port-restricted.",
                 urls(vouching), vouching.size() == 2 ? "both" : "all", show(*g.mappings.begin()),
                 hosts.size() == 1 ? " (though the servers share one host, so "
                                     "address-dependent mapping is not ruled out)"
                                   : "")};
}

NatVerdict Classifier::finish(NatType type, MappingBehavior mapping, std::string reason) const {
  NatVerdict v;
  v.type = type;
  v.mapping = mapping;
  v.reason = std::move(reason);
  v.supportsDirectConnection = type == NatType::Open || type == NatType::FullCone || type == NatType::Restricted ||
                               type == NatType::PortRestricted;
  v.requiresRelay = type == NatType::Symmetric;
  for (const auto& key : order_) {
    const Server& s = servers_.at(key);
    if (!s.seen.empty()) ++v.serversAnswered;
    for (const auto& m : s.seen) v.mappings.push_back({s.url, m.address, m.port});
  }
  v.serversAnswered += suppressedAnswers_;
  return v;
}

NatVerdict Classifier::run() {
  if (servers_.empty())
    return finish(NatType::Unknown, MappingBehavior::Unknown,
                  "No STUN servers are configured, so the NAT type cannot be detected.");

  // Chromium drops a reflexive candidate equal to its local address when mDNS is off; a public
  // local address plus a server whose connection completed without a candidate or error means no
  // NAT.
  std::string publicHost;
  for (const auto& host : visibleHosts_)
    if (isGlobalIpv4(host)) publicHost = host;
  int quiet = 0;
  bool settled = ev_.timedOut;
  bool anyReflexive = !groups_.empty();
  for (const auto& [_, s] : servers_) {
    quiet += s.completed && s.seen.empty() && s.errors.empty();
    anyReflexive = anyReflexive || !s.seen.empty();
  }
  if (!settled)
    settled = std::all_of(servers_.begin(), servers_.end(),
                          [](const auto& kv) { return kv.second.completed || !kv.second.errors.empty(); });
  bool suppressedOpen = !anyReflexive && !publicHost.empty() && quiet > 0;
  bool noReflexive = !anyReflexive && !suppressedOpen;

  // Silence means failure only once every server failed or finished, or time ran out.
  if (noReflexive && settled) {
    NatVerdict v = finish(NatType::Unknown, MappingBehavior::Unknown,
                          format("No STUN server produced a reflexive candidate "
                                 "({}): UDP is probably blocked or the servers are "
                                 "unreachable, so a TURN relay is needed.",
                                 silentServers({})));
    v.requiresRelay = true;
    return v;
  }
  if (servers_.size() < 2)
    return finish(NatType::Unknown, MappingBehavior::Unknown,
                  format("Only one STUN server is configured ({}) and two are "
                         "needed to compare mappings, so the NAT type is unknown.",
                         servers_.at(order_.front()).url));
  if (noReflexive)
    return finish(NatType::Unknown, MappingBehavior::Unknown,
                  format("Gathering has not finished ({}), so the NAT type is not "
                         "known yet.",
                         silentServers({})));
  if (suppressedOpen) {
    suppressedAnswers_ = quiet;
    return finish(NatType::Open, MappingBehavior::EndpointIndependent,
                  format("The local address {} is public and STUN answered without "
                         "a separate reflexive address, so there is no NAT.",
                         publicHost));
  }
  if (auto open = openPath()) return finish(open->type, open->mapping, std::move(open->reason));
  if (groups_.empty()) {
    Judgement j = judgeWithoutShared();
    return finish(j.type, j.mapping, std::move(j.reason));
  }

  // Each family's sockets are judged alone; the best path wins (a proven symmetric beats unknown).
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
    case NatType::Open:
      return "open";
    case NatType::FullCone:
      return "full-cone";
    case NatType::Restricted:
      return "restricted";
    case NatType::PortRestricted:
      return "port-restricted";
    case NatType::Symmetric:
      return "symmetric";
    case NatType::Unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view toString(MappingBehavior mapping) {
  switch (mapping) {
    case MappingBehavior::EndpointIndependent:
      return "endpoint-independent";
    case MappingBehavior::Dependent:
      return "dependent";
    case MappingBehavior::Unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view toString(FilteringBehavior filtering) {
  switch (filtering) {
    case FilteringBehavior::EndpointIndependent:
      return "endpoint-independent";
    case FilteringBehavior::AddressDependent:
      return "address-dependent";
    case FilteringBehavior::AddressAndPortDependent:
      return "address-and-port-dependent";
    case FilteringBehavior::Unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace wre
