// Feeds: the app's config object (parseConfig over a Value tree), written as JSON plus JS's
// undefined/NaN/Infinity/function.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check.hpp"
#include "peer/config.hpp"
#include "util/value.hpp"

using namespace wre;

namespace {

// JSON, plus what a JS object may hold that JSON cannot: undefined, NaN, Infinity, -Infinity, and
// any other bare word as a value of that JS type (`function`, `symbol`, `bigint`). Strings keep
// every byte; \uXXXX becomes UTF-8 (lone surrogates too). Nesting stops at 32 levels.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool read(Value& out) {
    if (!value(out, 0)) return false;
    space();
    return pos_ == in_.size();
  }

 private:
  void space() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t'))
      ++pos_;
  }
  bool eat(char c) {
    space();
    if (pos_ < in_.size() && in_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static bool wordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '+' || c == '-';
  }
  std::string_view word() {
    std::size_t start = pos_;
    while (pos_ < in_.size() && wordChar(in_[pos_])) ++pos_;
    return in_.substr(start, pos_ - start);
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  bool string(std::string& out) {
    if (!eat('"')) return false;
    while (pos_ < in_.size()) {
      char c = in_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= in_.size()) return false;
      char e = in_[pos_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > in_.size()) return false;
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            char h = in_[pos_++];
            unsigned d = h >= '0' && h <= '9'   ? h - '0'
                         : h >= 'a' && h <= 'f' ? h - 'a' + 10
                         : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                : 16;
            if (d > 15) return false;
            cp = cp * 16 + d;
          }
          utf8(out, cp);
          break;
        }
        default:
          out += e;
          break;
      }
    }
    return false;
  }
  bool value(Value& out, int depth) {
    if (depth > 32) return false;
    space();
    if (pos_ >= in_.size()) return false;
    char c = in_[pos_];
    if (c == '{') {
      ++pos_;
      out = Value::object();
      if (eat('}')) return true;
      do {
        std::string key;
        Value v;
        if (!string(key) || !eat(':') || !value(v, depth + 1)) return false;
        out.set(key, std::move(v));
      } while (eat(','));
      return eat('}');
    }
    if (c == '[') {
      ++pos_;
      out = Value::array();
      if (eat(']')) return true;
      do {
        Value v;
        if (!value(v, depth + 1)) return false;
        out.push(std::move(v));
      } while (eat(','));
      return eat(']');
    }
    if (c == '"') {
      std::string s;
      if (!string(s)) return false;
      out = Value::string(std::move(s));
      return true;
    }
    std::string w(word());
    if (w.empty()) return false;
    if (w == "true" || w == "false")
      out = Value::boolean(w == "true");
    else if (w == "null")
      out = Value::null();
    else if (w == "undefined")
      out = Value();
    else if (w == "NaN")
      out = Value::number(std::nan(""));
    else if (w == "Infinity" || w == "+Infinity")
      out = Value::number(HUGE_VAL);
    else if (w == "-Infinity")
      out = Value::number(-HUGE_VAL);
    else if ((w[0] >= '0' && w[0] <= '9') || w[0] == '-' || w[0] == '.') {
      char* end = nullptr;
      double n = std::strtod(w.c_str(), &end);
      if (end != w.c_str() + w.size()) return false;
      out = Value::number(n);
    } else {
      out = Value::other(w);
    }
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

// Every node can be named and shown (that is what error messages do), and every string that could
// be an ICE URL is judged without trouble.
void walk(const Value& v) {
  FUZZ_CHECK(!v.typeName().empty(), "no type name");
  (void)v.describe();
  if (v.type() == Value::Type::String) (void)validateIceUrl(v.asString());
  for (const auto& item : v.items()) walk(item);
  for (const auto& [_, field] : v.fields()) walk(field);
}

Value toValue(const Config& c) {
  Value v = Value::object();
  v.set("peerId", Value::string(c.peerId));
  Value servers = Value::array();
  for (const auto& s : c.iceServers) {
    Value server = Value::object();
    Value urls = Value::array();
    for (const auto& u : s.urls) urls.push(Value::string(u));
    server.set("urls", std::move(urls));
    bool turn = false;
    for (const auto& u : s.urls) turn = turn || u.rfind("turn", 0) == 0;
    if (turn || !s.username.empty()) server.set("username", Value::string(s.username));
    if (turn || !s.credential.empty()) server.set("credential", Value::string(s.credential));
    servers.push(std::move(server));
  }
  v.set("iceServers", std::move(servers));
  v.set("connectionTimeout", Value::number(c.connectionTimeout));
  v.set("reconnectMaxAttempts", Value::number(c.reconnectMaxAttempts));
  v.set("reconnectBaseDelay", Value::number(c.reconnectBaseDelay));
  v.set("reconnectMaxDelay", Value::number(c.reconnectMaxDelay));
  v.set("reconnectJitter", Value::number(c.reconnectJitter));
  v.set("maxBufferedAmount", Value::number(c.maxBufferedAmount));
  v.set("lowWaterMark", Value::number(c.lowWaterMark));
  v.set("maxQueuedBytes", Value::number(c.maxQueuedBytes));
  v.set("metricsEnabled", Value::boolean(c.metricsEnabled));
  v.set("metricsInterval", Value::number(c.metricsInterval));
  v.set("iceTransportPolicy", Value::string(c.iceTransportPolicy));
  v.set("bundlePolicy", Value::string(c.bundlePolicy));
  v.set("rtcpMuxPolicy", Value::string(c.rtcpMuxPolicy));
  v.set("iceCandidatePoolSize", Value::number(c.iceCandidatePoolSize));
  return v;
}

bool same(const Config& a, const Config& b) {
  if (a.iceServers.size() != b.iceServers.size()) return false;
  for (std::size_t i = 0; i < a.iceServers.size(); ++i)
    if (a.iceServers[i].urls != b.iceServers[i].urls || a.iceServers[i].username != b.iceServers[i].username ||
        a.iceServers[i].credential != b.iceServers[i].credential)
      return false;
  return a.peerId == b.peerId && a.connectionTimeout == b.connectionTimeout &&
         a.reconnectMaxAttempts == b.reconnectMaxAttempts && a.reconnectBaseDelay == b.reconnectBaseDelay &&
         a.reconnectMaxDelay == b.reconnectMaxDelay && a.reconnectJitter == b.reconnectJitter &&
         a.maxBufferedAmount == b.maxBufferedAmount && a.lowWaterMark == b.lowWaterMark &&
         a.maxQueuedBytes == b.maxQueuedBytes && a.metricsEnabled == b.metricsEnabled &&
         a.metricsInterval == b.metricsInterval && a.iceTransportPolicy == b.iceTransportPolicy &&
         a.bundlePolicy == b.bundlePolicy && a.rtcpMuxPolicy == b.rtcpMuxPolicy &&
         a.iceCandidatePoolSize == b.iceCandidatePoolSize;
}

bool finiteIn(double x, double lo, double hi) { return std::isfinite(x) && x >= lo && x <= hi; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Value input;
  if (!Reader(std::string_view(reinterpret_cast<const char*>(data), size)).read(input)) return 0;
  walk(input);

  auto parsed = parseConfig(input);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().kind == ErrorKind::Config, "error kind %d", static_cast<int>(parsed.error().kind));
    FUZZ_CHECK(parsed.error().message.rfind("Invalid config: ", 0) == 0, "message: %s", parsed.error().message.c_str());
    return 0;
  }
  const Config& c = parsed.value();
  // What the rest of the core relies on.
  constexpr double kDay = 24.0 * 3600 * 1000;
  FUZZ_CHECK(!c.peerId.empty() && c.peerId.size() <= 256, "peerId of %zu bytes", c.peerId.size());
  FUZZ_CHECK(finiteIn(c.connectionTimeout, 1, kDay), "connectionTimeout %g", c.connectionTimeout);
  FUZZ_CHECK(c.reconnectMaxAttempts >= 0 && c.reconnectMaxAttempts <= 1000, "attempts %d", c.reconnectMaxAttempts);
  FUZZ_CHECK(finiteIn(c.reconnectBaseDelay, 0, kDay) && finiteIn(c.reconnectMaxDelay, c.reconnectBaseDelay, kDay),
             "delays %g..%g", c.reconnectBaseDelay, c.reconnectMaxDelay);
  FUZZ_CHECK(finiteIn(c.reconnectJitter, 0, kDay), "jitter %g", c.reconnectJitter);
  FUZZ_CHECK(finiteIn(c.maxBufferedAmount, 1, kBrowserChannelLimit), "maxBufferedAmount %g", c.maxBufferedAmount);
  FUZZ_CHECK(finiteIn(c.lowWaterMark, 0, c.maxBufferedAmount) && c.lowWaterMark < c.maxBufferedAmount,
             "lowWaterMark %g of %g", c.lowWaterMark, c.maxBufferedAmount);
  FUZZ_CHECK(finiteIn(c.maxQueuedBytes, 0, 1024.0 * 1024 * 1024), "maxQueuedBytes %g", c.maxQueuedBytes);
  FUZZ_CHECK(finiteIn(c.metricsInterval, 100, kDay), "metricsInterval %g", c.metricsInterval);
  FUZZ_CHECK(c.iceTransportPolicy == "all" || c.iceTransportPolicy == "relay", "%s", c.iceTransportPolicy.c_str());
  FUZZ_CHECK(c.bundlePolicy == "balanced" || c.bundlePolicy == "max-compat" || c.bundlePolicy == "max-bundle", "%s",
             c.bundlePolicy.c_str());
  FUZZ_CHECK(c.rtcpMuxPolicy == "require", "%s", c.rtcpMuxPolicy.c_str());
  FUZZ_CHECK(c.iceCandidatePoolSize >= 0 && c.iceCandidatePoolSize <= 255, "pool %d", c.iceCandidatePoolSize);
  for (const auto& s : c.iceServers) {
    FUZZ_CHECK(!s.urls.empty(), "ICE server without URLs");
    for (const auto& u : s.urls) FUZZ_CHECK(validateIceUrl(u), "accepted URL '%s' fails validateIceUrl", u.c_str());
  }

  // A valid config, written out field by field, is read back the same.
  auto again = parseConfig(toValue(c));
  FUZZ_CHECK(again, "its own output refused: %s", again ? "" : again.error().message.c_str());
  FUZZ_CHECK(same(again.value(), c), "config does not round-trip");
  return 0;
}
