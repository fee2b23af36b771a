// Feeds: what the browser reports while gathering for NAT detection (candidates, their server URLs, errors, timing) to NatDetector, and the same candidate set straight to classifyNat.
//
// Input, one event a line (the seeds are recorded from Chromium and Firefox by capture-corpus.js):
//   stun <url>                 a configured ICE server URL
//   limit <ms>                 detectNATType's timeout (the first one counts)
//   cand <url>\t<candidate>    an icecandidate event (url may be empty: Firefox gives none)
//   err <url>\t<code>\t<text>  an icecandidateerror event
//   done                       iceGatheringState reached `complete`
//   fail <text>                the browser could not start gathering
//   wait <ms>                  time passes (due timers fire)
//   reach 0|1                  the self-reach test's answer
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

Input parse(std::string_view text) {
  Input in;
  for (std::string_view line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t space = line.find(' ');
    std::string_view word = line.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    auto fields = split(rest, '\t');
    Event e{std::string(word), std::string(fields[0]), "", 0, 0};
    if (word == "stun") {
      if (in.urls.size() < 64) in.urls.emplace_back(rest);
    } else if (word == "limit") {
      if (!in.limit) in.limit = number(rest);
    } else if (word == "cand") {
      if (fields.size() > 1) e.text = std::string(fields[1]);
      in.events.push_back(e);
    } else if (word == "err") {
      if (fields.size() > 1) e.code = static_cast<int>(std::strtol(std::string(fields[1]).c_str(), nullptr, 10));
      if (fields.size() > 2) e.text = std::string(fields[2]);
      in.events.push_back(e);
    } else if (word == "done" || word == "fail" || word == "reach") {
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
    default: FUZZ_CHECK(false, "verdict %s needs filtering tests: %s", toString(v.type).data(), why);
  }
  FUZZ_CHECK(v.serversAnswered >= 0, "serversAnswered %d", v.serversAnswered);
  for (const auto& m : v.mappings) {
    AddressFamily f = addressFamilyOf(m.address);
    FUZZ_CHECK((f == AddressFamily::Ipv4 || f == AddressFamily::Ipv6) && m.port != 0,
               "mapping '%s':%u is no transport address", m.address.c_str(), m.port);
  }
}

// The same candidate set handed to classifyNat directly, without the detector's parsing in front:
// fields split on spaces, whatever they hold.
NatEvidence evidenceOf(const Input& in, double limit) {
  NatEvidence ev;
  ev.stunServers = in.urls;
  double waited = 0;
  for (const auto& e : in.events) {
    if (e.kind == "cand") {
      std::vector<std::string_view> t;
      for (auto tok : split(e.text, ' '))
        if (!tok.empty()) t.push_back(tok);
      if (t.size() < 8) continue;
      if (t[7] == "host") {
        ev.hostAddresses.emplace_back(t[4]);
      } else if (t[7] == "srflx") {
        SrflxObservation o{e.url, std::string(t[4]), static_cast<std::uint16_t>(std::strtoul(std::string(t[5]).c_str(), nullptr, 10)), ""};
        for (std::size_t i = 8; i + 1 < t.size(); i += 2)
          if (t[i] == "raddr") o.relatedAddress = std::string(t[i + 1]);
        ev.srflx.push_back(std::move(o));
      }
    } else if (e.kind == "err") {
      ev.serverErrors.push_back({e.url, e.code, e.text});
    } else if (e.kind == "done") {
      ev.gatheringCompleted = true;
    } else if (e.kind == "wait" && std::isfinite(e.ms) && e.ms > 0) {
      waited += e.ms;
    }
  }
  ev.timedOut = waited >= limit;
  return ev;
}

class FakeProbe : public NatProbeDriver {
 public:
  bool refuse = false;
  double now = 0;
  std::map<TimerId, double> timers;
  std::vector<std::string> reachProbes;
  bool closed = false;

  Result<void> gather(const std::vector<std::string>& urls) override {
    FUZZ_CHECK(urls.size() >= 2 && urls.size() <= kNatMaxServers, "gathering with %zu servers", urls.size());
    if (refuse) return makeError(ErrorKind::Config, "refused");
    return ok();
  }
  void probeReach(const std::string& candidate) override {
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
  probe.refuse = !in.events.empty() && in.events.front().kind == "fail";
  auto started = detector.start(in.urls, in.limit);
  if (!started) {
    FUZZ_CHECK(reports == 0, "refused start reported");
    return 0;
  }
  for (const auto& e : in.events) {
    if (e.kind == "cand") detector.onCandidate(e.text, e.url);
    else if (e.kind == "err") detector.onCandidateError(e.url, e.code, e.text);
    else if (e.kind == "done") detector.onGatheringComplete();
    else if (e.kind == "fail") detector.onGatherFailed(e.text);
    else if (e.kind == "reach") detector.onReachResult(e.text == "1");
    else if (e.kind == "wait" && std::isfinite(e.ms) && e.ms > 0) probe.advance(std::min(e.ms, 1e7), detector);
    FUZZ_CHECK(reports <= 1, "%d reports", reports);
  }
  // Whatever arrived, the time limit ends it.
  probe.advance(kNatMaxTimeoutMs + kNatReachBudgetMs + 1, detector);
  FUZZ_CHECK(reports == 1 && detector.finished(), "%d reports after the time limit", reports);
  return 0;
}
