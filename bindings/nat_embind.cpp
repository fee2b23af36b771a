// embind glue for NAT type detection: `CoreNatDetector` owns one NatDetector (src/nat/nat_detector.hpp)
// and implements its NatProbeDriver with calls into bindings/nat_shims.js. `_`-prefixed methods
// are shim callbacks; the result goes to `host.done(result)` exactly once.
#include <emscripten/bind.h>

#include <emscripten/val.h>
#include "js_values.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "nat/nat_detector.hpp"
#include "peer/config.hpp"
#include "peer/input_limits.hpp"
#include "value_from_js.hpp"

using emscripten::val;

namespace wre::bind {
namespace {

// host: { shims, done(result) }; the shims keep their state in the record `open` returns.
class JsNatDriver : public NatProbeDriver {
 public:
  explicit JsNatDriver(const val& host) : shims_(host["shims"]), record_(shims_.call<val>("open", host)) {}

  Result<void> gather(ConnectionId connection, const std::vector<std::string>& stunUrls) override {
    val urls = val::array();
    for (const auto& u : stunUrls) urls.call<void>("push", u);
    val refused = shims_.call<val>("gather", record_, connection, urls);
    if (refused.isString()) return makeError(ErrorKind::Initialization, refused.as<std::string>());
    return ok();
  }
  void probeReach(ConnectionId connection, const std::string& candidate) override {
    shims_.call<void>("probeReach", record_, connection, candidate);
  }
  void setTimer(TimerId id, double delayMs) override { shims_.call<void>("setTimer", record_, id, delayMs); }
  void cancelTimer(TimerId id) override { shims_.call<void>("cancelTimer", record_, id); }
  double nowMs() override { return shims_.call<double>("now"); }
  void close() override { shims_.call<void>("close", record_); }

 private:
  val shims_;
  val record_;
};

val resultObject(const NatReport& report) {
  const NatVerdict& v = report.verdict;
  val out = val::object();
  out.set("type", std::string(toString(v.type)));
  out.set("supportsDirectConnection", v.supportsDirectConnection);
  out.set("requiresRelay", v.requiresRelay);
  out.set("mapping", std::string(toString(v.mapping)));
  out.set("filtering", std::string(toString(v.filtering)));
  out.set("reason", v.reason);
  val evidence = val::array();
  for (const auto& e : report.evidence) {
    val entry = val::object();
    entry.set("server", e.server);
    if (e.address.empty()) {
      entry.set("address", val::null());
      entry.set("port", val::null());
    } else {
      entry.set("address", e.address);
      entry.set("port", e.port);
    }
    if (!e.problem.empty()) entry.set("error", e.problem);
    evidence.call<void>("push", entry);
  }
  out.set("evidence", evidence);
  return out;
}

}  // namespace

class CoreNatDetector {
 public:
  explicit CoreNatDetector(val host)
      : host_(std::move(host)),
        driver_(host_),
        detector_(driver_, [this](const NatReport& r) { host_.call<void>("done", resultObject(r)); }) {}

  // `iceServers`: the peer's config field (read as parseConfig reads it); `timeout`: milliseconds or
  // undefined. Returns undefined, or the failure that refused the arguments (then `done` is never called).
  val start(const val& iceServers, const val& timeout) {
    auto servers = parseIceServers(valueFromJs(iceServers));
    if (!servers) return failureVal(servers.error());
    std::vector<std::string> list;
    for (const auto& server : servers.value()) list.insert(list.end(), server.urls.begin(), server.urls.end());
    std::optional<double> ms;
    if (!timeout.isUndefined() && !timeout.isNull()) ms = timeout.isNumber() ? timeout.as<double>() : std::nan("");
    auto started = detector_.start(list, ms);
    return answerVal(started);
  }

  // `c`: the connection number gather() was called with (the core ignores any other).
  using ConnectionId = NatDetector::ConnectionId;
  void onCandidate(ConnectionId c, const std::string& candidate) { detector_.onCandidate(c, candidate); }
  void onCandidateError(ConnectionId c, const std::string& url, int code, const std::string& text) {
    detector_.onCandidateError(c, url, code, text);
  }
  void onGatheringComplete(ConnectionId c) { detector_.onGatheringComplete(c); }
  void onGatherFailed(ConnectionId c, const std::string& message) { detector_.onGatherFailed(c, message); }
  void onReachState(bool probe, const std::string& state) { detector_.onReachState(probe, state); }
  // The browser's own SDP, but capped like any before it is copied in: "" when over the limit
  // (the self-reach test then fails as it would on a refused description).
  std::string withoutCandidates(const val& sdp) const {
    if (!sdp.isString() || sdp["length"].as<double>() > InputLimits::kSdp) return {};
    return sdpWithoutCandidates(sdp.as<std::string>());
  }
  void onTimer(int id) { detector_.onTimer(static_cast<NatDetector::TimerId>(id)); }

 private:
  val host_;
  JsNatDriver driver_;
  NatDetector detector_;
};

}  // namespace wre::bind

EMSCRIPTEN_BINDINGS(wre_nat) {
  using wre::bind::CoreNatDetector;
  emscripten::class_<CoreNatDetector>("CoreNatDetector")
      .constructor<val>()
      .function("start", &CoreNatDetector::start)
      .function("_onCandidate", &CoreNatDetector::onCandidate)
      .function("_onCandidateError", &CoreNatDetector::onCandidateError)
      .function("_onGatheringComplete", &CoreNatDetector::onGatheringComplete)
      .function("_onGatherFailed", &CoreNatDetector::onGatherFailed)
      .function("_onReachState", &CoreNatDetector::onReachState)
      .function("_withoutCandidates", &CoreNatDetector::withoutCandidates)
      .function("_onTimer", &CoreNatDetector::onTimer);
}
