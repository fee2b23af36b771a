// Feeds: session descriptions (maxMessageSizeOf, read from every remote offer/answer; ownMaxMessageSizeOf, from ours;
// sessionIdOf, read from every remote offer to tell a new connection from an ICE restart).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "check.hpp"
#include "peer/sdp_facts.hpp"

using namespace wre;

namespace {

// RFC 8841 read line by line: the first line that starts with the attribute decides; its value is
// the leading digits (at most 16 are read), 0 means "any size", none means the default.
double reference(std::string_view sdp) {
  constexpr std::string_view kAttr = "a=max-message-size:";
  while (true) {
    std::size_t eol = sdp.find('\n');
    std::string_view line = sdp.substr(0, eol);
    if (line.substr(0, kAttr.size()) == kAttr) {
      line.remove_prefix(kAttr.size());
      double value = 0;
      std::size_t digits = 0;
      while (digits < line.size() && digits < 16 && line[digits] >= '0' && line[digits] <= '9')
        value = value * 10 + (line[digits++] - '0');
      if (digits == 0) return 65536;
      return value == 0 ? std::numeric_limits<double>::infinity() : value;
    }
    if (eol == std::string_view::npos) return 65536;
    sdp.remove_prefix(eol + 1);
  }
}

// The o= line (the first line starting with "o=") split on spaces: its second field, or empty.
std::string_view referenceSessionId(std::string_view sdp) {
  while (true) {
    std::size_t eol = sdp.find('\n');
    std::string_view line = sdp.substr(0, eol);
    if (line.substr(0, 2) == "o=") {
      line = line.substr(0, std::min(line.find('\r'), line.size()));
      std::size_t first = line.find(' ');
      if (first == std::string_view::npos) return {};
      line.remove_prefix(first + 1);
      return line.substr(0, std::min(line.find(' '), line.size()));
    }
    if (eol == std::string_view::npos) return {};
    sdp.remove_prefix(eol + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sdp(reinterpret_cast<const char*>(data), size);
  double got = maxMessageSizeOf(sdp);
  FUZZ_CHECK(!std::isnan(got) && got >= 1, "max message size %g", got);
  FUZZ_CHECK(std::isinf(got) || got <= 1e16, "max message size %g (more than 16 digits)", got);
  double expected = reference(sdp);
  FUZZ_CHECK(got == expected, "max message size %.17g, line-by-line reading gives %.17g", got, expected);
  // Our own reading differs only where the attribute is absent or malformed (then: no limit).
  double own = ownMaxMessageSizeOf(sdp);
  FUZZ_CHECK(own == got || (std::isinf(own) && got == 65536), "own max message size %g, far end's %g", own, got);
  std::string_view id = sessionIdOf(sdp);
  FUZZ_CHECK(id.empty() || (id.data() >= sdp.data() && id.data() + id.size() <= sdp.data() + sdp.size()),
             "session id outside the description");
  FUZZ_CHECK(id == referenceSessionId(sdp), "session id '%.*s', line-by-line reading gives '%.*s'",
             static_cast<int>(id.size()), id.data(), static_cast<int>(referenceSessionId(sdp).size()),
             referenceSessionId(sdp).data());
  return 0;
}
