#include "js_values.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "peer/input_limits.hpp"

using emscripten::val;

namespace wre::bind {
val errorVal(const Error& e) {
  val out = val::object();
  out.set("type", std::string(toString(e.kind)));
  out.set("message", e.message);
  return out;
}

val failureVal(val error) {
  val out = val::object();
  out.set("error", error);
  return out;
}

val failureVal(const Error& e) { return failureVal(errorVal(e)); }

val channelVal(int channel) {
  val out = val::object();
  out.set("type", std::string(kChannels[channel].label));
  out.set("label", std::string(kChannels[channel].label));
  return out;
}

Result<SessionDescription> descriptionFromJs(const val& d, ErrorKind kind, std::string_view method) {
  // Lengths first: a hostile signaling path must not make us copy megabytes into the heap.
  std::string where = std::string(method) + "(): the description's ";
  val type = d["type"], sdp = d["sdp"];
  size_t typeLength = type.isString() ? type["length"].as<size_t>() : 0;
  size_t sdpLength = sdp.isString() ? sdp["length"].as<size_t>() : 0;
  if (auto over = overLimit(kind, where + "type", typeLength, InputLimits::kDescriptionType)) return *over;
  if (auto over = overLimit(kind, where + "SDP", sdpLength, InputLimits::kSdp)) return *over;
  return SessionDescription{type.isString() ? type.as<std::string>() : "", sdp.isString() ? sdp.as<std::string>() : ""};
}

Result<CandidateInit> candidateFromJs(const val& c) {
  CandidateInit init;
  // A string field: its length first, then the copy.
  auto field = [&](const char* key, size_t limit, auto& out) -> Result<void> {
    val v = c[key];
    if (!v.isString()) return ok();
    if (auto over = overLimit(ErrorKind::IceCandidate, key, v["length"].as<size_t>(), limit)) return *over;
    out = v.as<std::string>();
    return ok();
  };
  WRE_TRY(field("candidate", InputLimits::kCandidate, init.candidate));
  WRE_TRY(field("sdpMid", InputLimits::kSdpMid, init.sdpMid));
  WRE_TRY(field("usernameFragment", InputLimits::kUsernameFragment, init.usernameFragment));
  val index = c["sdpMLineIndex"];
  if (index.isNumber()) {
    double i = index.as<double>();
    if (i >= 0 && i <= 65535 && i == static_cast<int>(i)) init.sdpMLineIndex = static_cast<int>(i);
  }
  return init;
}

val metricsVal(const ConnectionMetrics& m) {
  val out = val::object();
  out.set("bytesReceived", m.bytesReceived);
  out.set("bytesSent", m.bytesSent);
  out.set("packetsReceived", m.packetsReceived);
  out.set("packetsSent", m.packetsSent);
  out.set("packetsLost", m.packetsLost);
  out.set("roundTripTime", m.roundTripTime);
  out.set("jitter", m.jitter);
  out.set("lossRate", m.lossRate);
  val sources = val::object();
  sources.set("roundTripTime", std::string(toString(m.rttSource)));
  sources.set("jitter", std::string(toString(m.jitterSource)));
  sources.set("packetsLost", std::string(toString(m.lossSource)));
  sources.set("availableBandwidth", std::string(toString(m.bandwidthSource)));
  out.set("sources", sources);
  val types = val::object();
  types.set("local", m.localCandidateType);
  types.set("remote", m.remoteCandidateType);
  out.set("candidateTypes", types);
  out.set("bytesPerSecondSent", m.bytesPerSecondSent);
  out.set("bytesPerSecondReceived", m.bytesPerSecondReceived);
  out.set("messagesPerSecondSent", m.messagesPerSecondSent);
  out.set("messagesPerSecondReceived", m.messagesPerSecondReceived);
  out.set("availableBandwidth", m.availableBandwidth);
  out.set("mos", m.mos);
  out.set("timestamp", m.timestampMs);
  return out;
}

std::vector<StatsEntry> statsReportFromJs(const val& numbers, const val& strings) {
  // One copy into WASM memory for all the numbers, one UTF-8 conversion for all the strings.
  return statsEntriesFromColumns(emscripten::convertJSArrayToNumberVector<double>(numbers), strings.as<std::string>());
}

namespace {

// Adds [column, name] to byType[type].numbers or .strings for every type `types` names.
void addStatsField(val& byType, std::string_view types, const char* list, int column, std::string_view name) {
  size_t at = 0;
  while (at < types.size()) {
    size_t end = std::min(types.find(' ', at), types.size());
    val type(std::string(types.substr(at, end - at)));
    at = end + 1;
    if (!byType.call<bool>("has", type)) {
      val lists = val::object();
      lists.set("numbers", val::array());
      lists.set("strings", val::array());
      byType.call<void>("set", type, lists);
    }
    val pair = val::array();
    pair.call<void>("push", column);
    pair.call<void>("push", std::string(name));
    byType.call<val>("get", type)[list].call<void>("push", pair);
  }
}

}  // namespace

const val& statsFieldNames() {
  static const val names = [] {
    val byType = val::global("Map").new_();
    int column = 0;
    for (const auto& f : kStatsNumberFields) addStatsField(byType, f.types, "numbers", column++, f.name);
    column = 0;
    for (const auto& f : kStatsStringFields) {
      if (f.types != "*") addStatsField(byType, f.types, "strings", column, f.name);
      column++;
    }
    val out = val::object();
    out.set("byType", byType);
    out.set("numberCount", static_cast<int>(std::size(kStatsNumberFields)));
    out.set("stringCount", static_cast<int>(std::size(kStatsStringFields)));
    out.set("separator", std::string(1, kStatsStringSeparator));
    return out;
  }();
  return names;
}

val candidateVal(const CandidateInit& c) {
  val out = val::object();
  out.set("candidate", c.candidate);
  out.set("sdpMid", c.sdpMid ? val(*c.sdpMid) : val::null());
  out.set("sdpMLineIndex", c.sdpMLineIndex ? val(*c.sdpMLineIndex) : val::null());
  if (c.usernameFragment) out.set("usernameFragment", *c.usernameFragment);
  return out;
}

val descriptionVal(const SessionDescription& d) {
  val out = val::object();
  out.set("type", d.type);
  out.set("sdp", d.sdp);
  return out;
}

val rtcConfigurationVal(const Config& config) {
  val servers = val::array();
  for (const auto& s : config.iceServers) {
    val server = val::object();
    val urls = val::array();
    for (const auto& u : s.urls) urls.call<void>("push", u);
    server.set("urls", urls);
    if (!s.username.empty()) server.set("username", s.username);
    if (!s.credential.empty()) server.set("credential", s.credential);
    servers.call<void>("push", server);
  }
  val rtc = val::object();
  rtc.set("iceServers", servers);
  rtc.set("iceTransportPolicy", config.iceTransportPolicy);
  rtc.set("bundlePolicy", config.bundlePolicy);
  rtc.set("rtcpMuxPolicy", config.rtcpMuxPolicy);
  rtc.set("iceCandidatePoolSize", config.iceCandidatePoolSize);
  return rtc;
}

}  // namespace wre::bind
