// Feeds: bytes on the library channels `wre`/`wre-probe` (decodeProbe with probes and queries, decodeAck, decodeHello
// of any version and length, decodeSession, decodeCounts), and values through encode→decode.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "check.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"

using namespace wre;

namespace {

constexpr uint64_t kMaxAck = (uint64_t{1} << 53) - 1;

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool sameProbe(const LinkProbe& a, const LinkProbe& b) {
  return a.seq == b.seq && sameBits(a.sentMs, b.sentMs) && sameBits(a.echoSentMs, b.echoSentMs) &&
         sameBits(a.echoHoldMs, b.echoHoldMs) && a.query == b.query;
}

template <class T>
T read(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Decoding: exactly the documented shapes, and what decodes encodes back to the same bytes.
  auto probe = decodeProbe(bytes);
  FUZZ_CHECK(probe.has_value() == (size == 29 && (bytes[0] == 'P' || bytes[0] == 'Q')), "probe decode of %zu bytes",
             size);
  if (probe) FUZZ_CHECK(probe->query == (bytes[0] == 'Q'), "a query is a 'Q' probe");
  if (probe) FUZZ_CHECK(encodeProbe(*probe) == bytes, "probe does not re-encode to its bytes");

  auto ack = decodeAck(bytes);
  bool ackShape = size == 9 && bytes[0] == 'A';
  if (ack) {
    FUZZ_CHECK(ackShape, "ack decoded from %zu bytes", size);
    FUZZ_CHECK(*ack <= kMaxAck, "ack %llu above 2^53-1", static_cast<unsigned long long>(*ack));
    FUZZ_CHECK(encodeAck(*ack) == bytes, "ack does not re-encode to its bytes");
  } else if (ackShape) {
    FUZZ_CHECK(read<uint64_t>(data + 1) > kMaxAck, "ack refused with a count in range");
  }
  // Hello: 'WRE' + version >= 1, 4..kMaxHelloSize bytes (a later version may append); ours among them.
  auto hello = decodeHello(bytes);
  bool helloShape = size >= 4 && size <= kMaxHelloSize && bytes.substr(0, 3) == "WRE" && data[3] >= 1;
  FUZZ_CHECK(hello.has_value() == helloShape, "hello decode of %zu bytes", size);
  if (hello) FUZZ_CHECK(*hello == data[3], "hello version %u, byte says %u", unsigned{*hello}, unsigned{data[3]});
  FUZZ_CHECK(decodeHello(kHello) == uint8_t{1}, "our own hello is not a hello");

  auto session = decodeSession(bytes);
  FUZZ_CHECK(session.has_value() == (size == 9 && bytes[0] == 'S'), "session decode of %zu bytes", size);
  if (session) FUZZ_CHECK(encodeSession(*session) == bytes, "session does not re-encode to its bytes");

  auto counts = decodeCounts(bytes);
  bool countsShape = size == 25 && bytes[0] == 'C';
  if (counts) {
    FUZZ_CHECK(countsShape, "counts decoded from %zu bytes", size);
    for (uint64_t n : *counts) FUZZ_CHECK(n <= kMaxAck, "count %llu above 2^53-1", static_cast<unsigned long long>(n));
    FUZZ_CHECK(encodeCounts(*counts) == bytes, "counts do not re-encode to their bytes");
  } else if (countsShape) {
    bool anyAbove = false;
    for (int i = 0; i < 3; ++i) anyAbove |= read<uint64_t>(data + 1 + 8 * i) > kMaxAck;
    FUZZ_CHECK(anyAbove, "counts refused with every count in range");
  }
  int meanings = int{probe.has_value()} + int{ack.has_value()} + int{hello.has_value()} + int{session.has_value()} +
                 int{counts.has_value()} + int{bytes == kBye};
  FUZZ_CHECK(meanings <= 1, "one message, %d meanings", meanings);

  // Encoding: any probe and any count in range survive the trip bit for bit.
  if (size >= 28) {
    LinkProbe p{read<uint32_t>(data), read<double>(data + 4), read<double>(data + 12), read<double>(data + 20),
                (data[0] & 1) != 0};
    std::string wire = encodeProbe(p);
    FUZZ_CHECK(wire.size() == 29, "probe encodes to %zu bytes", wire.size());
    auto back = decodeProbe(wire);
    FUZZ_CHECK(back && sameProbe(*back, p), "probe does not round-trip");
  }
  if (size >= 8) {
    uint64_t n = read<uint64_t>(data + size - 8);
    std::string wire = encodeAck(n);
    FUZZ_CHECK(wire.size() == 9, "ack encodes to %zu bytes", wire.size());
    auto back = decodeAck(wire);
    FUZZ_CHECK(n > kMaxAck ? !back : (back && *back == n), "ack %llu does not round-trip",
               static_cast<unsigned long long>(n));
  }
  if (size >= 24) {
    DeliveredCounts c{read<uint64_t>(data + size - 24), read<uint64_t>(data + size - 16),
                      read<uint64_t>(data + size - 8)};
    std::string wire = encodeCounts(c);
    FUZZ_CHECK(wire.size() == 25, "counts encode to %zu bytes", wire.size());
    auto back = decodeCounts(wire);
    bool inRange = c[0] <= kMaxAck && c[1] <= kMaxAck && c[2] <= kMaxAck;
    FUZZ_CHECK(inRange ? (back && *back == c) : !back, "counts do not round-trip");
    FUZZ_CHECK(decodeSession(encodeSession(c[0])) == c[0], "session id does not round-trip");
  }
  return 0;
}
