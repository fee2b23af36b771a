#include "peer/wre_messages.hpp"

#include "util/le_bytes.hpp"

namespace wre {
namespace {

constexpr size_t kAckSize = 9;
constexpr uint64_t kMaxAck = (uint64_t{1} << 53) - 1;  // exact as a JS number

}  // namespace

std::string encodeAck(uint64_t delivered) {
  std::string out;
  out.reserve(kAckSize);
  out.push_back('A');
  putLe(out, delivered);
  return out;
}

std::optional<uint64_t> decodeAck(std::string_view bytes) {
  if (bytes.size() != kAckSize || bytes[0] != 'A') return std::nullopt;
  ByteReader in(bytes.substr(1));
  uint64_t delivered = in.get<uint64_t>();
  if (!in.done() || delivered > kMaxAck) return std::nullopt;
  return delivered;
}

}  // namespace wre
