#include "session/session_codec.hpp"

#include <cstring>

#include "peer/channel_spec.hpp"

namespace wre {
namespace {

constexpr size_t kSessionSize = 9;
constexpr size_t kCountsSize = 25;
constexpr uint64_t kMaxCount = (uint64_t{1} << 53) - 1;  // exact as a JS number, like the ack

void putU64(std::string& out, uint64_t value) {
  char bytes[8];
  std::memcpy(bytes, &value, 8);  // wasm32 and x86-64 are little-endian
  out.append(bytes, 8);
}

uint64_t getU64(std::string_view in, size_t at) {
  uint64_t value;
  std::memcpy(&value, in.data() + at, 8);
  return value;
}

}  // namespace

std::optional<uint8_t> decodeHello(std::string_view bytes) {
  if (bytes.size() < 4 || bytes.size() > kMaxHelloSize || bytes.substr(0, 3) != "WRE") return std::nullopt;
  auto version = static_cast<uint8_t>(bytes[3]);
  if (version < 1) return std::nullopt;
  return version;
}

std::string encodeSession(uint64_t id) {
  std::string out(1, 'S');
  putU64(out, id);
  return out;
}

std::optional<uint64_t> decodeSession(std::string_view bytes) {
  if (bytes.size() != kSessionSize || bytes[0] != 'S') return std::nullopt;
  return getU64(bytes, 1);
}

std::string encodeCounts(const DeliveredCounts& counts) {
  std::string out(1, 'C');
  for (uint64_t n : counts) putU64(out, n);
  return out;
}

std::optional<DeliveredCounts> decodeCounts(std::string_view bytes) {
  if (bytes.size() != kCountsSize || bytes[0] != 'C') return std::nullopt;
  DeliveredCounts counts{};
  for (size_t i = 0; i < counts.size(); ++i) {
    counts[i] = getU64(bytes, 1 + 8 * i);
    if (counts[i] > kMaxCount) return std::nullopt;
  }
  return counts;
}

int countedIndex(int channel) {
  for (size_t i = 0; i < kCountedChannels.size(); ++i)
    if (kCountedChannels[i] == channel) return static_cast<int>(i);
  return -1;
}

}  // namespace wre
