#include "metrics/probe_codec.hpp"

#include "util/le_bytes.hpp"

namespace wre {
namespace {

constexpr size_t kProbeSize = 29;

}  // namespace

std::string encodeProbe(const LinkProbe& p) {
  std::string out;
  out.reserve(kProbeSize);
  out.push_back(p.query ? 'Q' : 'P');
  putLe(out, p.seq);
  putLe(out, p.sentMs);
  putLe(out, p.echoSentMs);
  putLe(out, p.echoHoldMs);
  return out;
}

std::optional<LinkProbe> decodeProbe(std::string_view bytes) {
  if (bytes.size() != kProbeSize || (bytes[0] != 'P' && bytes[0] != 'Q')) return std::nullopt;
  ByteReader in(bytes.substr(1));
  LinkProbe p;
  p.seq = in.get<uint32_t>();
  p.sentMs = in.get<double>();
  p.echoSentMs = in.get<double>();
  p.echoHoldMs = in.get<double>();
  p.query = bytes[0] == 'Q';
  return p;
}

}  // namespace wre
