#include "transfer/transfer_codec.hpp"

#include "util/le_bytes.hpp"

namespace wre {

std::string_view toString(TransferFailure reason) {
  switch (reason) {
    case TransferFailure::Cancelled:
      return "cancelled";
    case TransferFailure::Rejected:
      return "rejected";
    case TransferFailure::Integrity:
      return "integrity";
    case TransferFailure::Closed:
      return "closed";
    case TransferFailure::Sink:
      return "sink";
  }
  return "cancelled";
}

namespace wire {
namespace {

constexpr uint64_t kMaxU53 = (uint64_t{1} << 53) - 1;

// 'F', the kind, then the fixed fields in order.
template <class... Fields>
std::string pack(char kind, Fields... fields) {
  std::string out{'F', kind};
  (putLe(out, fields), ...);
  return out;
}

std::string encodeOne(const Capable& m) { return pack('T', m.version); }
std::string encodeOne(const ClassifyFrom& m) { return pack('K', m.index); }
std::string encodeOne(const Run& m) { return pack('R', m.start, m.count, m.transfer); }
std::string encodeOne(const Sync& m) { return pack('Y', m.first); }
std::string encodeOne(const Offer& m) {
  auto out = pack('O', m.transfer, m.size ? static_cast<double>(*m.size) : -1.0, static_cast<uint16_t>(m.name.size()),
                  static_cast<uint16_t>(m.type.size()), static_cast<uint32_t>(m.meta.size()));
  return out + m.name + m.type + m.meta;
}
std::string encodeOne(const Accept& m) { return pack('A', m.transfer); }
std::string encodeOne(const End& m) {
  return pack('E', m.transfer, m.bytes) + std::string(reinterpret_cast<const char*>(m.sha256.data()), m.sha256.size());
}
std::string encodeOne(const Done& m) { return pack('D', m.transfer); }
std::string encodeOne(const Cancel& m) {
  return pack('X', m.transfer, static_cast<uint8_t>(m.reason), static_cast<uint16_t>(m.message.size())) + m.message;
}

std::optional<TransferMessage> decodeBody(char kind, ByteReader& in) {
  switch (kind) {
    case 'T': {
      auto version = in.get<uint8_t>();
      if (version < 1) return std::nullopt;
      return Capable{version};
    }
    case 'K':
      return ClassifyFrom{in.get<uint64_t>()};
    case 'R': {
      Run run{in.get<uint64_t>(), in.get<uint32_t>(), in.get<uint32_t>()};
      if (run.count == 0) return std::nullopt;
      return run;
    }
    case 'Y':
      return Sync{in.get<uint64_t>()};
    case 'O': {
      Offer offer;
      offer.transfer = in.get<uint32_t>();
      double size = in.get<double>();
      auto nameLength = in.get<uint16_t>();
      auto typeLength = in.get<uint16_t>();
      auto metaLength = in.get<uint32_t>();
      if (nameLength > kMaxName || typeLength > kMaxType || metaLength > kMaxMeta) return std::nullopt;
      offer.name = in.text(nameLength);
      offer.type = in.text(typeLength);
      offer.meta = in.text(metaLength);
      if (size == -1.0) return offer;
      // A byte count: whole, non-negative, exact as a JS number (NaN fails every comparison).
      if (!(size >= 0 && size <= static_cast<double>(kMaxU53)) ||
          size != static_cast<double>(static_cast<uint64_t>(size)))
        return std::nullopt;
      offer.size = static_cast<uint64_t>(size);
      return offer;
    }
    case 'A':
      return Accept{in.get<uint32_t>()};
    case 'E': {
      End end{in.get<uint32_t>(), in.get<uint64_t>(), {}};
      auto digest = in.text(end.sha256.size());
      if (!in.ok()) return std::nullopt;
      for (size_t i = 0; i < end.sha256.size(); ++i) end.sha256[i] = static_cast<uint8_t>(digest[i]);
      return end;
    }
    case 'D':
      return Done{in.get<uint32_t>()};
    case 'X': {
      Cancel cancel{in.get<uint32_t>(), TransferFailure::Cancelled, {}};
      auto reason = in.get<uint8_t>();
      auto length = in.get<uint16_t>();
      if (reason > static_cast<uint8_t>(TransferFailure::Sink) || length > kMaxMessage) return std::nullopt;
      cancel.reason = static_cast<TransferFailure>(reason);
      cancel.message = in.text(length);
      return cancel;
    }
    default:
      return std::nullopt;
  }
}

uint64_t u53Field(const TransferMessage& m) {
  if (auto* k = std::get_if<ClassifyFrom>(&m)) return k->index;
  if (auto* r = std::get_if<Run>(&m)) return r->start > kMaxU53 ? r->start : r->start + r->count;
  if (auto* e = std::get_if<End>(&m)) return e->bytes;
  if (auto* y = std::get_if<Sync>(&m)) return y->first;
  return 0;
}

uint32_t transferOf(const TransferMessage& m) {
  return std::visit(
      [](const auto& x) -> uint32_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Run>) return 1;  // 0 is the app's run
        if constexpr (requires { x.transfer; }) return x.transfer;
        return 1;  // messages about no transfer in particular
      },
      m);
}

}  // namespace

std::string encode(const TransferMessage& message) {
  return std::visit([](const auto& m) { return encodeOne(m); }, message);
}

std::optional<TransferMessage> decodeTransfer(std::string_view bytes) {
  if (bytes.size() < 2 || bytes.size() > kMaxTransferMessage || bytes[0] != 'F') return std::nullopt;
  ByteReader in(bytes.substr(2));
  auto message = decodeBody(bytes[1], in);
  if (!message || !in.done() || u53Field(*message) > kMaxU53) return std::nullopt;
  // Transfer 0 names the app's own `file` messages in a run; no offer, accept... is about it.
  if (transferOf(*message) == 0) return std::nullopt;
  return message;
}

}  // namespace wire
}  // namespace wre
