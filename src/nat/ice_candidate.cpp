#include "nat/ice_candidate.hpp"

#include <initializer_list>

#include "util/text.hpp"

namespace wre {
namespace {

constexpr std::size_t kQuoteLength = 80;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool isSpace(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Up to maxDigits decimal digits, nothing else; fits in uint64 by construction.
std::optional<std::uint64_t> parseDigits(std::string_view s, std::size_t maxDigits) {
  if (s.empty() || s.size() > maxDigits) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (!isDigit(c)) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

bool isIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    auto n = parseDigits(part, 3);
    // No leading zeros: "010" means 8 to some parsers and 10 to others.
    if (!n || *n > 255 || (part.size() > 1 && part[0] == '0')) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

// RFC 4291 text form: eight hex groups, one `::` for a run of zero groups, optional IPv4 tail.
bool isIpv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  int groups = 0;
  bool gap = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    gap = true;
    i = 2;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t end = s.find(':', i);
    std::string_view part = s.substr(i, end == std::string_view::npos ? end : end - i);
    if (end == std::string_view::npos && part.find('.') != std::string_view::npos) {
      if (!isIpv4(part)) return false;
      groups += 2;
      break;
    }
    if (part.empty() || part.size() > 4) return false;
    for (char c : part)
      if (!isHex(c)) return false;
    ++groups;
    if (end == std::string_view::npos) break;
    i = end + 1;
    if (i == s.size()) return false;  // a single trailing ':'
    if (s[i] == ':') {
      if (gap) return false;
      gap = true;
      ++i;
    }
  }
  return gap ? groups <= 7 : groups == 8;
}

// RFC 1123 host name; an all-numeric last label is refused so a bad IPv4 is not a "name".
bool isHostName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  bool lastAllDigits = true;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view label = s.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    lastAllDigits = true;
    for (char c : label) {
      if (!isAlpha(c) && !isDigit(c) && c != '-') return false;
      if (!isDigit(c)) lastAllDigits = false;
    }
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return !lastAllDigits;
}

template <class E>
using Names = std::initializer_list<std::pair<std::string_view, E>>;

const Names<CandidateTransport> kTransports = {{"udp", CandidateTransport::Udp}, {"tcp", CandidateTransport::Tcp}};
const Names<CandidateType> kTypes = {{"host", CandidateType::Host},
                                     {"srflx", CandidateType::Srflx},
                                     {"prflx", CandidateType::Prflx},
                                     {"relay", CandidateType::Relay}};
const Names<TcpType> kTcpTypes = {{"active", TcpType::Active}, {"passive", TcpType::Passive}, {"so", TcpType::So}};

template <class E>
std::optional<E> lookup(std::string_view token, Names<E> names) {
  for (const auto& [name, value] : names)
    if (equalsNoCase(token, name)) return value;
  return std::nullopt;
}

bool isIceChar(char c) { return isAlpha(c) || isDigit(c) || c == '+' || c == '/'; }

// The input as it may appear in an error message: bounded, and no control characters.
std::string quote(std::string_view line) {
  std::string out;
  std::size_t keep = line.size() > kQuoteLength ? kQuoteLength - 3 : line.size();
  for (std::size_t i = 0; i < keep; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : line[i];
  }
  if (keep < line.size()) out += "...";
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view original) : original_(original) {}

  Result<IceCandidate> parse();

 private:
  Error fail(std::string_view problem) const {
    return makeError(ErrorKind::IceCandidate, format("Invalid ICE candidate: {} in '{}'", problem, quote(original_)));
  }
  std::string_view next() {
    while (!rest_.empty() && isSpace(rest_.front())) rest_.remove_prefix(1);
    std::size_t end = 0;
    while (end < rest_.size() && !isSpace(rest_[end])) ++end;
    std::string_view token = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return token;
  }
  Result<std::string> address(std::string_view what, std::string_view token) const;
  Result<std::uint16_t> port(std::string_view what, std::string_view token) const;

  std::string_view original_;
  std::string_view rest_;
};

Result<std::string> Parser::address(std::string_view what, std::string_view token) const {
  if (token.empty()) return fail(format("missing {}", what));
  if (addressFamilyOf(token) == AddressFamily::Other && !isHostName(token))
    return fail(format("{} '{}' is not an IP address or host name", what, quote(token)));
  return std::string(token);
}

Result<std::uint16_t> Parser::port(std::string_view what, std::string_view token) const {
  if (token.empty()) return fail(format("missing {}", what));
  auto n = parseDigits(token, 5);
  if (!n || *n > 65535) return fail(format("{} '{}' is not a number 0..65535", what, quote(token)));
  return static_cast<std::uint16_t>(*n);
}

Result<IceCandidate> Parser::parse() {
  std::string_view line = original_;
  while (!line.empty() && (isSpace(line.front()) || line.front() == '\r' || line.front() == '\n'))
    line.remove_prefix(1);
  while (!line.empty() && (isSpace(line.back()) || line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  // An empty candidate is how a browser says "end of candidates"; it is not one to parse.
  if (line.empty()) return fail("empty candidate");
  for (char c : line)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return fail("control character");
  for (std::string_view prefix : {"a=candidate:", "candidate:"})
    if (line.substr(0, prefix.size()) == prefix) {
      line.remove_prefix(prefix.size());
      break;
    }
  rest_ = line;

  IceCandidate c;
  // The foundation follows `candidate:` directly; a space there means it is missing.
  if (line.empty() || isSpace(line.front())) return fail("missing foundation");
  std::string_view token = next();
  bool iceChars = token.size() <= 32;
  for (char ch : token) iceChars = iceChars && isIceChar(ch);
  if (!iceChars) return fail(format("foundation '{}' is not 1-32 letters, digits, '+' or '/'", quote(token)));
  c.foundation = std::string(token);

  token = next();
  if (token.empty()) return fail("missing component");
  auto component = parseDigits(token, 3);
  if (!component || *component < 1 || *component > 256)
    return fail(format("component '{}' is not a number 1..256", quote(token)));
  c.component = static_cast<std::uint16_t>(*component);

  token = next();
  if (token.empty()) return fail("missing transport");
  auto transport = lookup(token, kTransports);
  if (!transport) return fail(format("transport '{}' is not udp or tcp", quote(token)));
  c.transport = *transport;

  token = next();
  if (token.empty()) return fail("missing priority");
  auto priority = parseDigits(token, 10);
  if (!priority || *priority > 0xffffffffu)
    return fail(format("priority '{}' is not a number 0..4294967295", quote(token)));
  c.priority = static_cast<std::uint32_t>(*priority);

  WRE_TRY(connectionAddress, address("address", next()));
  c.address = std::move(connectionAddress);
  WRE_TRY(connectionPort, port("port", next()));
  c.port = connectionPort;

  token = next();
  if (!equalsNoCase(token, "typ"))
    return fail(token.empty() ? std::string("missing 'typ'") : format("expected 'typ', found '{}'", quote(token)));
  token = next();
  if (token.empty()) return fail("missing candidate type after 'typ'");
  auto type = lookup(token, kTypes);
  if (!type) return fail(format("unknown candidate type '{}'", quote(token)));
  c.type = *type;

  // The rest is name/value pairs; raddr, rport and tcptype are known, others kept as they are.
  for (std::string_view name = next(); !name.empty(); name = next()) {
    std::string_view value = next();
    if (value.empty()) return fail(format("'{}' has no value", quote(name)));
    auto duplicate = [&] { return fail(format("duplicate '{}'", quote(name))); };
    if (equalsNoCase(name, "raddr")) {
      if (c.relatedAddress) return duplicate();
      WRE_TRY(related, address("raddr", value));
      c.relatedAddress = std::move(related);
    } else if (equalsNoCase(name, "rport")) {
      if (c.relatedPort) return duplicate();
      WRE_TRY(related, port("rport", value));
      c.relatedPort = related;
    } else if (equalsNoCase(name, "tcptype")) {
      if (c.tcpType) return duplicate();
      c.tcpType = lookup(value, kTcpTypes);
      if (!c.tcpType) return fail(format("tcptype '{}' is not active, passive or so", quote(value)));
    } else {
      c.extensions.emplace_back(name, value);
    }
  }

  if (c.tcpType && c.transport != CandidateTransport::Tcp) return fail("tcptype on a udp candidate");
  if (c.port == 0 && c.tcpType != TcpType::Active)
    return fail("port 0 is only valid for a tcp candidate with tcptype active");
  return c;
}

}  // namespace

Result<IceCandidate> parseIceCandidate(std::string_view line) {
  // Checked first so no work is spent on a huge string.
  if (line.size() > kMaxCandidateLength)
    return makeError(ErrorKind::IceCandidate, format("Invalid ICE candidate: too long ({} characters, at "
                                                     "most {}) in '{}'",
                                                     line.size(), kMaxCandidateLength, quote(line)));
  return Parser(line).parse();
}

bool isMdnsName(std::string_view name) {
  std::size_t dot = name.rfind('.');
  return dot != std::string_view::npos && dot > 0 && equalsNoCase(name.substr(dot + 1), "local") && isHostName(name);
}

AddressFamily addressFamilyOf(std::string_view address) {
  if (isIpv4(address)) return AddressFamily::Ipv4;
  if (address.find(':') != std::string_view::npos && isIpv6(address)) return AddressFamily::Ipv6;
  if (isMdnsName(address)) return AddressFamily::Mdns;
  return AddressFamily::Other;
}

std::string_view toString(CandidateTransport transport) { return transport == CandidateTransport::Tcp ? "tcp" : "udp"; }

std::string_view toString(CandidateType type) {
  switch (type) {
    case CandidateType::Host:
      return "host";
    case CandidateType::Srflx:
      return "srflx";
    case CandidateType::Prflx:
      return "prflx";
    case CandidateType::Relay:
      return "relay";
  }
  return "unknown";
}

std::string_view toString(TcpType type) {
  switch (type) {
    case TcpType::Active:
      return "active";
    case TcpType::Passive:
      return "passive";
    case TcpType::So:
      return "so";
  }
  return "unknown";
}

std::string_view toString(AddressFamily family) {
  switch (family) {
    case AddressFamily::Ipv4:
      return "ipv4";
    case AddressFamily::Ipv6:
      return "ipv6";
    case AddressFamily::Mdns:
      return "mdns";
    case AddressFamily::Other:
      return "other";
  }
  return "unknown";
}

}  // namespace wre
