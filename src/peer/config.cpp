#include "peer/config.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "util/text.hpp"

namespace wre {
namespace {

// "field problem"; parseConfig and parseConfigDefaults say whose config it is in front.
Error configError(std::string_view field, const std::string& problem) {
  return makeError(ErrorKind::Config, format("{} {}", field, problem));
}

Error wrongType(std::string_view field, const Value& v, std::string_view expected) {
  return configError(field, format("must be {}, got {} ({})", expected, v.typeName(), v.describe()));
}

// Reads an optional number in [min, max]; integral if asked. Leaves `out` at its default if absent.
template <class T>
Result<void> readNumber(const Value& in, std::string_view field, T& out, double min, double max, bool integral) {
  const Value& v = in[std::string(field)];
  if (v.isUndefined()) return ok();
  if (v.type() != Value::Type::Number) return wrongType(field, v, "a number");
  double n = v.asNumber();
  if (!std::isfinite(n)) return configError(field, format("must be finite, got {}", v.describe()));
  if (integral && n != std::floor(n)) return configError(field, format("must be a whole number, got {}", v.describe()));
  if (n < min) return configError(field, format("must be at least {}, got {}", min, v.describe()));
  if (n > max) return configError(field, format("must be at most {}, got {}", max, v.describe()));
  out = static_cast<T>(n);
  return ok();
}

Result<void> readBool(const Value& in, std::string_view field, bool& out) {
  const Value& v = in[std::string(field)];
  if (v.isUndefined()) return ok();
  if (v.type() != Value::Type::Bool) return wrongType(field, v, "a boolean");
  out = v.asBool();
  return ok();
}

template <size_t N>
Result<void> readEnum(const Value& in, std::string_view field, std::string& out,
                      const std::array<std::string_view, N>& allowed) {
  const Value& v = in[std::string(field)];
  if (v.isUndefined()) return ok();
  if (v.type() != Value::Type::String) return wrongType(field, v, "a string");
  for (auto a : allowed)
    if (v.asString() == a) {
      out = v.asString();
      return ok();
    }
  return configError(field, format("must be one of '{}', got {}", joinText(allowed, "', '"), v.describe()));
}

Result<IceServer> parseIceServer(const Value& v, size_t index) {
  std::string field = format("iceServers[{}]", index);
  if (v.type() != Value::Type::Object) return wrongType(field, v, "an object");
  for (const auto& [key, _] : v.fields())
    if (key != "urls" && key != "url" && key != "username" && key != "credential" && key != "credentialType")
      return configError(field, format("has unknown field '{}'", key));
  IceServer server;
  const Value& urls = v["urls"].isUndefined() ? v["url"] : v["urls"];
  if (urls.type() == Value::Type::String) {
    server.urls.push_back(urls.asString());
  } else if (urls.type() == Value::Type::Array && !urls.items().empty()) {
    for (const Value& u : urls.items()) {
      if (u.type() != Value::Type::String) return wrongType(field + ".urls[]", u, "a string");
      server.urls.push_back(u.asString());
    }
  } else {
    return wrongType(field + ".urls", urls, "a URL string or a non-empty array of them");
  }
  for (const auto& name : {"username", "credential"}) {
    const Value& s = v[name];
    if (s.isUndefined()) continue;
    if (s.type() != Value::Type::String) return wrongType(field + "." + name, s, "a string");
    (std::string_view(name) == "username" ? server.username : server.credential) = s.asString();
  }
  const Value& ct = v["credentialType"];
  if (!ct.isUndefined() && !(ct.type() == Value::Type::String && ct.asString() == "password"))
    return configError(field + ".credentialType", format("must be 'password', got {}", ct.describe()));
  for (const auto& url : server.urls) {
    auto valid = validateIceUrl(url);
    if (!valid) return configError(field + ".urls", valid.error().message);
    bool isTurn = url.rfind("turn", 0) == 0;
    if (isTurn && (v["username"].isUndefined() || v["credential"].isUndefined()))
      return configError(field, format("TURN URL '{}' needs a username and a credential", url));
  }
  return server;
}

}  // namespace

Result<std::vector<IceServer>> parseIceServers(const Value& servers) {
  std::vector<IceServer> out;
  if (servers.isUndefined()) return out;
  if (servers.type() != Value::Type::Array) return wrongType("iceServers", servers, "an array");
  for (size_t i = 0; i < servers.items().size(); ++i) {
    WRE_TRY(server, parseIceServer(servers.items()[i], i));
    out.push_back(std::move(server));
  }
  return out;
}

Result<void> validateIceUrl(const std::string& url) {
  auto bad = [&](std::string_view why) {
    return makeError(ErrorKind::Config, format("'{}' is not a valid ICE server URL: {}", url, why));
  };
  auto colon = url.find(':');
  if (colon == std::string::npos) return bad("missing scheme (stun:, stuns:, turn: or turns:)");
  std::string_view scheme(url.data(), colon);
  if (scheme != "stun" && scheme != "stuns" && scheme != "turn" && scheme != "turns")
    return bad("scheme must be stun, stuns, turn or turns");
  std::string_view rest = std::string_view(url).substr(colon + 1);
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.rfind("//", 0) == 0) return bad("no '//' after the scheme");
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in IPv6 address");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after IPv6 address");
      port = after.substr(1);
    }
  } else if (auto c = rest.rfind(':'); c != std::string_view::npos) {
    host = rest.substr(0, c);
    port = rest.substr(c + 1);
    if (port.empty()) return bad("empty port");
  }
  if (host.empty()) return bad("missing host");
  for (char ch : host)
    if (ch == '/' || ch == ' ' || ch == '@') return bad("invalid character in host");
  if (!port.empty() || rest.find(':') != std::string_view::npos) {
    if (port.empty() || port.size() > 5) return bad("port must be a number from 1 to 65535");
    int p = 0;
    for (char ch : port) {
      if (ch < '0' || ch > '9') return bad("port must be a number from 1 to 65535");
      p = p * 10 + (ch - '0');
    }
    if (p < 1 || p > 65535) return bad("port must be a number from 1 to 65535");
  }
  if (!query.empty()) {
    if (scheme.rfind("stun", 0) == 0) return bad("stun URLs take no query");
    if (query != "transport=udp" && query != "transport=tcp")
      return bad("query must be transport=udp or transport=tcp");
  }
  return ok();
}

// Every field of a peer's config, or (defaults) of a pool's defaults, which name no peerId.
static Result<Config> readConfig(const Value& in, bool defaults) {
  if (in.type() != Value::Type::Object) return wrongType("config", in, "an object");
  static constexpr std::array<std::string_view, 18> kKnown = {"peerId",
                                                              "iceServers",
                                                              "connectionTimeout",
                                                              "reconnectMaxAttempts",
                                                              "reconnectBaseDelay",
                                                              "reconnectMaxDelay",
                                                              "reconnectJitter",
                                                              "maxBufferedAmount",
                                                              "lowWaterMark",
                                                              "maxQueuedBytes",
                                                              "metricsEnabled",
                                                              "metricsInterval",
                                                              "iceTransportPolicy",
                                                              "bundlePolicy",
                                                              "rtcpMuxPolicy",
                                                              "iceCandidatePoolSize",
                                                              "heartbeatTimeout",
                                                              "iceRestartAttempts"};
  for (const auto& [key, _] : in.fields()) {
    bool known = false;
    for (auto k : kKnown) known = known || key == k;
    if (!known) return configError(key, "is not a known config field");
  }
  Config c;
  const Value& id = in["peerId"];
  if (defaults) {
    if (!id.isUndefined())
      return configError("peerId", "may not be a default (each peer's id is the id given to createPeer())");
  } else {
    if (id.type() != Value::Type::String) return wrongType("peerId", id, "a non-empty string");
    if (id.asString().empty() || id.asString().size() > 256)
      return configError("peerId", format("must be 1 to 256 characters, got {} characters", id.asString().size()));
    c.peerId = id.asString();
  }

  WRE_TRY(servers, parseIceServers(in["iceServers"]));
  c.iceServers = std::move(servers);
  constexpr double kDay = 24.0 * 3600 * 1000;
  WRE_TRY(readNumber(in, "connectionTimeout", c.connectionTimeout, 1, kDay, false));
  WRE_TRY(readNumber(in, "reconnectMaxAttempts", c.reconnectMaxAttempts, 0, 1000, true));
  WRE_TRY(readNumber(in, "iceRestartAttempts", c.iceRestartAttempts, 0, 1000, true));
  WRE_TRY(readNumber(in, "reconnectBaseDelay", c.reconnectBaseDelay, 0, kDay, false));
  WRE_TRY(readNumber(in, "reconnectMaxDelay", c.reconnectMaxDelay, 0, kDay, false));
  WRE_TRY(readNumber(in, "reconnectJitter", c.reconnectJitter, 0, kDay, false));
  if (c.reconnectMaxDelay < c.reconnectBaseDelay)
    return configError("reconnectMaxDelay", format("({}) must not be below reconnectBaseDelay ({})",
                                                   c.reconnectMaxDelay, c.reconnectBaseDelay));
  WRE_TRY(readNumber(in, "maxBufferedAmount", c.maxBufferedAmount, 1, kBrowserChannelLimit, true));
  // Unset, the low-water mark follows a small maxBufferedAmount down (1 MiB or half of it).
  if (in["lowWaterMark"].isUndefined()) c.lowWaterMark = std::min(c.lowWaterMark, std::floor(c.maxBufferedAmount / 2));
  WRE_TRY(readNumber(in, "lowWaterMark", c.lowWaterMark, 0, kBrowserChannelLimit, true));
  if (c.lowWaterMark >= c.maxBufferedAmount)
    return configError("lowWaterMark",
                       format("({}) must be below maxBufferedAmount ({})", c.lowWaterMark, c.maxBufferedAmount));
  WRE_TRY(readNumber(in, "maxQueuedBytes", c.maxQueuedBytes, 0, 1024.0 * 1024 * 1024, true));
  WRE_TRY(readBool(in, "metricsEnabled", c.metricsEnabled));
  WRE_TRY(readNumber(in, "metricsInterval", c.metricsInterval, 100, kDay, false));
  WRE_TRY(readNumber(in, "heartbeatTimeout", c.heartbeatTimeout, 0, kDay, false));
  if (c.heartbeatTimeout > 0 && c.heartbeatTimeout < kMinHeartbeatTimeout)
    return configError("heartbeatTimeout",
                       format("must be 0 (off) or at least {} ms, got {}", kMinHeartbeatTimeout, c.heartbeatTimeout));
  WRE_TRY(readEnum(in, "iceTransportPolicy", c.iceTransportPolicy, std::array<std::string_view, 2>{"all", "relay"}));
  WRE_TRY(readEnum(in, "bundlePolicy", c.bundlePolicy,
                   std::array<std::string_view, 3>{"balanced", "max-compat", "max-bundle"}));
  WRE_TRY(readEnum(in, "rtcpMuxPolicy", c.rtcpMuxPolicy, std::array<std::string_view, 1>{"require"}));
  WRE_TRY(readNumber(in, "iceCandidatePoolSize", c.iceCandidatePoolSize, 0, 255, true));
  return c;
}

static Result<Config> whose(std::string_view prefix, Result<Config> read) {
  if (read) return read;
  Error e = read.error();
  e.message = format("{}{}", prefix, e.message);
  return e;
}

Result<Config> parseConfig(const Value& input) { return whose("Invalid config: ", readConfig(input, false)); }

Result<Config> parseConfigDefaults(const Value& defaults) {
  return whose("Invalid pool defaults: ", readConfig(defaults, true));
}

}  // namespace wre
