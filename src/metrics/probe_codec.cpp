#include "metrics/probe_codec.hpp"

#include <cstring>

namespace wre {
namespace {

constexpr size_t kProbeSize = 29;
constexpr size_t kAckSize = 9;
constexpr uint64_t kMaxAck = (uint64_t{1} << 53) - 1;  // exact as a JS number

template <class T>
void putLe(std::string& out, T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // wasm32 and x86-64 are little-endian
  out.append(reinterpret_cast<const char*>(bytes), sizeof(T));
}

template <class T>
T getLe(std::string_view in, size_t at) {
  T value;
  std::memcpy(&value, in.data() + at, sizeof(T));
  return value;
}

}  // namespace

std::string encodeProbe(const Probe& p) {
  std::string out;
  out.reserve(kProbeSize);
  out.push_back(p.query ? 'Q' : 'P');
  putLe(out, p.seq);
  putLe(out, p.sentMs);
  putLe(out, p.echoSentMs);
  putLe(out, p.echoHoldMs);
  return out;
}

std::optional<Probe> decodeProbe(std::string_view bytes) {
  if (bytes.size() != kProbeSize || (bytes[0] != 'P' && bytes[0] != 'Q')) return std::nullopt;
  return Probe{getLe<uint32_t>(bytes, 1), getLe<double>(bytes, 5), getLe<double>(bytes, 13), getLe<double>(bytes, 21),
               bytes[0] == 'Q'};
}

std::string encodeAck(uint64_t delivered) {
  std::string out;
  out.reserve(kAckSize);
  out.push_back('A');
  putLe(out, delivered);
  return out;
}

std::optional<uint64_t> decodeAck(std::string_view bytes) {
  if (bytes.size() != kAckSize || bytes[0] != 'A') return std::nullopt;
  uint64_t delivered = getLe<uint64_t>(bytes, 1);
  if (delivered > kMaxAck) return std::nullopt;
  return delivered;
}

}  // namespace wre
