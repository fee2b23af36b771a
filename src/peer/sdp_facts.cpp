#include "peer/sdp_facts.hpp"

#include <algorithm>
#include <limits>

namespace wre {

namespace {

// The attribute's value, infinity for 0; `absent` when it is missing or malformed.
double attribute(std::string_view sdp, double absent) {
  constexpr std::string_view kAttr = "a=max-message-size:";
  for (size_t pos = sdp.find(kAttr); pos != std::string_view::npos; pos = sdp.find(kAttr, pos + 1)) {
    if (pos != 0 && sdp[pos - 1] != '\n') continue;  // only at the start of a line
    double value = 0;
    size_t i = pos + kAttr.size();
    size_t digits = 0;
    for (; i < sdp.size() && sdp[i] >= '0' && sdp[i] <= '9' && digits < 16; ++i, ++digits)
      value = value * 10 + (sdp[i] - '0');
    if (digits == 0) return absent;  // malformed: as if absent
    return value == 0 ? std::numeric_limits<double>::infinity() : value;
  }
  return absent;
}

}  // namespace

double maxMessageSizeOf(std::string_view sdp) { return attribute(sdp, 65536); }

double ownMaxMessageSizeOf(std::string_view sdp) { return attribute(sdp, std::numeric_limits<double>::infinity()); }

std::string_view sessionIdOf(std::string_view sdp) {
  // "o=<username> <sess-id> <sess-version> ...", on the line that starts with o=.
  size_t pos = sdp.rfind("o=", 0) == 0 ? 0 : sdp.find("\no=");
  if (pos == std::string_view::npos) return {};
  std::string_view line = sdp.substr(pos + (sdp[pos] == '\n' ? 3 : 2));
  line = line.substr(0, std::min(line.find_first_of("\r\n"), line.size()));
  size_t first = line.find(' ');
  if (first == std::string_view::npos) return {};
  std::string_view rest = line.substr(first + 1);
  return rest.substr(0, std::min(rest.find(' '), rest.size()));
}

}  // namespace wre
