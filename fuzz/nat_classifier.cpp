// Feeds: what the browser reports while gathering for NAT detection (candidates, errors,
// completion, timing, by connection) to NatDetector, and the same candidate sets straight to
// classifyNat.
//
// Input, one event a line (the seeds are recorded from Chromium and Firefox by capture-corpus.js).
// <n> is the detector's connection number: 0..servers-1 ask one server each, <servers> asks all.
//   stun <url>                      a configured ICE server URL
//   limit <ms>                      detectNATType's timeout (the first one counts)
//   cand <n>\t<candidate>           an icecandidate event
//   err <n>\t<url>\t<code>\t<text>  an icecandidateerror event (url may be empty)
//   done <n>                        iceGatheringState reached `complete`
//   fail <n>\t<text>                the browser refused the connection (first line) or could not
//                                   start gathering
//   wait <ms>                       time passes (due timers fire)
//   reach 0|1                       the self-reach test's answer
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "manual_clock.hpp"
#include "nat/ice_candidate.hpp"
#include "nat/nat_classifier.hpp"
#include "nat/nat_detector.hpp"

using namespace wre;

namespace {

struct Event {
  std::string kind, url, text;
  std::uint32_t connection = 0;
  int code = 0;
  double ms = 0;
};

struct Input {
  std::vector<std::string> urls;
  std::optional<double> limit;
  std::vector<Event> events;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

double number(std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); }
std::uint32_t whole(std::string_view s) {
  return static_cast<std::uint32_t>(std::strtoul(std::string(s).c_str(), nullptr, 10));
}

Input parse(std::string_view text) {
  Input in;
  for (std::string_view line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t space = line.find(' ');
    std::string_view word = line.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    auto fields = split(rest, '\t');
    Event e{std::string(word), "", "", whole(fields[0]), 0, 0};
    if (word == "stun") {
      if (in.urls.size() < 64) in.urls.emplace_back(rest);
    } else if (word == "limit") {
      if (!in.limit) in.limit = number(rest);
    } else if (word == "cand" || word == "fail") {
      if (fields.size() > 1) e.text = std::string(fields[1]);
      in.events.push_back(e);
    } else if (word == "err") {
      if (fields.size() > 1) e.url = std::string(fields[1]);
      if (fields.size() > 2) e.code = static_cast<int>(std::strtol(std::string(fields[2]).c_str(), nullptr, 10));
      if (fields.size() > 3) e.text = std::string(fields[3]);
      in.events.push_back(e);
    } else if (word == "done") {
      in.events.push_back(e);
    } else if (word == "reach") {
      e.text = std::string(rest);
      in.events.push_back(e);
    } else if (word == "wait") {
      e.ms = number(rest);
      in.events.push_back(e);
    }
    if (in.events.size() >= 512) break;
  }
  return in;
}

void checkVerdict(const NatVerdict& v) {
  const char* why = v.reason.c_str();
  FUZZ_CHECK(!v.reason.empty(), "no reason");
  FUZZ_CHECK(v.filtering == FilteringBehavior::Unknown, "filtering measured? %s", why);
  switch (v.type) {
    case NatType::Open:
    case NatType::PortRestricted:
      FUZZ_CHECK(v.supportsDirectConnection && !v.requiresRelay, "%s flags: %s", toString(v.type).data(), why);
      FUZZ_CHECK(v.mapping == MappingBehavior::EndpointIndependent, "%s mapping: %s", toString(v.type).data(), why);
      break;
    case NatType::Symmetric:
      FUZZ_CHECK(!v.supportsDirectConnection && v.requiresRelay, "symmetric flags: %s", why);
      FUZZ_CHECK(v.mapping == MappingBehavior::Dependent, "symmetric mapping: %s", why);
      break;
    case NatType::Unknown:
      FUZZ_CHECK(!v.supportsDirectConnection && v.mapping == MappingBehavior::Unknown, "unknown: %s", why);
      break;
    default:
      FUZZ_CHECK(false, "verdict %s needs filtering tests: %s", toString(v.type).data(), why);
  }
  FUZZ_CHECK(v.serversAnswered >= 0, "serversAnswered %d", v.serversAnswered);
  for (const auto& m : v.mappings) {
    AddressFamily f = addressFamilyOf(m.address);
    FUZZ_CHECK((f == AddressFamily::Ipv4 || f == AddressFamily::Ipv6) && m.port != 0,
               "mapping '%s':%u is no transport address", m.address.c_str(), m.port);
  }
}

// The same candidate sets handed to classifyNat directly, without the detector's parsing in front:
// fields split on spaces, whatever they hold. Connection n < urls is url n's own, n == urls the
// shared one; others are dropped.
NatEvidence evidenceOf(const Input& in, double limit) {
  NatEvidence ev;
  ev.stunServers = in.urls;
  ev.perServer.resize(in.urls.size());
  auto connection = [&](std::uint32_t n) -> GatherEvidence* {
    if (n < ev.perServer.size()) return &ev.perServer[n];
    return n == ev.perServer.size() ? &ev.shared : nullptr;
  };
  double waited = 0;
  for (const auto& e : in.events) {
    GatherEvidence* g = connection(e.connection);
    if (e.kind == "wait" && std::isfinite(e.ms) && e.ms > 0) waited += e.ms;
    if (!g) continue;
    if (e.kind == "cand") {
      std::vector<std::string_view> t;
      for (auto tok : split(e.text, ' '))
        if (!tok.empty()) t.push_back(tok);
      if (t.size() < 8) continue;
      if (t[7] == "host") {
        g->hostAddresses.emplace_back(t[4]);
      } else if (t[7] == "srflx") {
        SrflxObservation o{std::string(t[4]),
                           static_cast<std::uint16_t>(std::strtoul(std::string(t[5]).c_str(), nullptr, 10)), ""};
        for (std::size_t i = 8; i + 1 < t.size(); i += 2)
          if (t[i] == "raddr") o.relatedAddress = std::string(t[i + 1]);
        g->srflx.push_back(std::move(o));
      }
    } else if (e.kind == "err") {
      g->errors.push_back({e.url, e.code, e.text});
    } else if (e.kind == "done") {
      g->completed = true;
    }
  }
  ev.timedOut = waited >= limit;
  return ev;
}

class FakeProbe : public NatProbeDriver {
 public:
  std::optional<ConnectionId> refuse;
  double now = 0;
  std::map<TimerId, double> timers;
  std::vector<std::string> reachProbes;
  ConnectionId made = 0;  // connections are asked for in order: 0, 1, ..., shared
  bool closed = false;

  Result<void> gather(ConnectionId connection, const std::vector<std::string>& urls) override {
    FUZZ_CHECK(!closed, "gathering after close()");
    FUZZ_CHECK(connection == made++, "connection %u asked for out of order", connection);
    FUZZ_CHECK(connection <= kNatMaxServers, "connection %u of at most %zu servers", connection, kNatMaxServers);
    // One server each, then the shared connection with all of them (at least two).
    FUZZ_CHECK(urls.size() == 1 || (urls.size() == connection && urls.size() >= 2), "connection %u asks %zu servers",
               connection, urls.size());
    if (refuse == connection) return makeError(ErrorKind::Config, "refused");
    return ok();
  }
  void probeReach(ConnectionId connection, const std::string& candidate) override {
    FUZZ_CHECK(connection + 1 == made && connection >= 2, "self-reach test on connection %u of %u", connection, made);
    FUZZ_CHECK(parseIceCandidate(candidate), "self-reach test with an unparsable candidate");
    reachProbes.push_back(candidate);
  }
  void setTimer(TimerId id, double delayMs) override {
    FUZZ_CHECK(std::isfinite(delayMs) && delayMs >= 0, "timer of %g ms", delayMs);
    timers[id] = now + delayMs;
  }
  void cancelTimer(TimerId id) override { timers.erase(id); }
  double nowMs() override { return now; }
  void close() override { closed = true; }

  void advance(double ms, NatDetector& d) {
    wre::test::runTimersUntil(timers, now, now + ms, [&](TimerId id) { d.onTimer(id); });
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in = parse(std::string_view(reinterpret_cast<const char*>(data), size));

  // classifyNat on the raw candidate set.
  std::size_t distinct = distinctStunServers(in.urls);
  FUZZ_CHECK(distinct <= in.urls.size(), "%zu distinct of %zu", distinct, in.urls.size());
  checkVerdict(classifyNat(evidenceOf(in, in.limit.value_or(kNatDefaultTimeoutMs))));

  // The detector, as the browser drives it.
  FakeProbe probe;
  int reports = 0;
  NatDetector detector(probe, [&](const NatReport& r) {
    ++reports;
    // WRE_FUZZ_PRINT=1 build/fuzz/nat_classifier <file>: the detector's verdict.
    if (std::getenv("WRE_FUZZ_PRINT"))
      std::fprintf(stderr, "verdict %s after %g ms: %s\n", toString(r.verdict.type).data(), r.elapsedMs,
                   r.verdict.reason.c_str());
    checkVerdict(r.verdict);
    FUZZ_CHECK(std::isfinite(r.elapsedMs) && r.elapsedMs >= 0, "elapsed %g", r.elapsedMs);
    FUZZ_CHECK(probe.closed, "report before close()");
  });
  if (!in.events.empty() && in.events.front().kind == "fail") probe.refuse = in.events.front().connection;
  auto started = detector.start(in.urls, in.limit);
  if (!started) {
    FUZZ_CHECK(reports == 0, "refused start reported");
    return 0;
  }
  for (const auto& e : in.events) {
    if (e.kind == "cand")
      detector.onCandidate(e.connection, e.text);
    else if (e.kind == "err")
      detector.onCandidateError(e.connection, e.url, e.code, e.text);
    else if (e.kind == "done")
      detector.onGatheringComplete(e.connection);
    else if (e.kind == "fail")
      detector.onGatherFailed(e.connection, e.text);
    else if (e.kind == "reach")
      detector.onReachResult(e.text == "1");
    else if (e.kind == "wait" && std::isfinite(e.ms) && e.ms > 0)
      probe.advance(std::min(e.ms, 1e7), detector);
    FUZZ_CHECK(reports <= 1, "%d reports", reports);
  }
  // Whatever arrived, the time limit ends it.
  probe.advance(kNatMaxTimeoutMs + kNatReachBudgetMs + 1, detector);
  FUZZ_CHECK(reports == 1 && detector.finished(), "%d reports after the time limit", reports);
  return 0;
}
