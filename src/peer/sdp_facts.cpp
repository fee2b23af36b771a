#include "peer/sdp_facts.hpp"

#include <limits>

namespace wre {

double maxMessageSizeOf(std::string_view sdp) {
  constexpr std::string_view kAttr = "a=max-message-size:";
  constexpr double kAbsent = 65536;
  for (size_t pos = sdp.find(kAttr); pos != std::string_view::npos; pos = sdp.find(kAttr, pos + 1)) {
    if (pos != 0 && sdp[pos - 1] != '\n') continue;  // only at the start of a line
    double value = 0;
    size_t i = pos + kAttr.size();
    size_t digits = 0;
    for (; i < sdp.size() && sdp[i] >= '0' && sdp[i] <= '9' && digits < 16; ++i, ++digits)
      value = value * 10 + (sdp[i] - '0');
    if (digits == 0) return kAbsent;  // malformed: fall back to the RFC default
    return value == 0 ? std::numeric_limits<double>::infinity() : value;
  }
  return kAbsent;
}

}  // namespace wre
