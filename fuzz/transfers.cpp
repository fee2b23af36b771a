// Feeds: a connected wre::Peer whose far side said hello, its session and that it takes transfers,
// with what that far side may send about transfers — transfer messages on `wre` (raw bytes, or
// built from fields so runs, syncs, offers and ends reach deep states), `file` messages (held
// for their runs or delivered), and the wrapper's answers to the core's I/O (sink written,
// failed, finished; source read), plus the app's sendFile/accept/reject/cancel and rebuilt
// connections. Invariants: no sanitizer report; every transfer message decodes to what encodes
// back to the same bytes; the `file` messages the core holds stay within its inbox bound; every
// transfer the app saw offered or started ends once at most; the peer stays connected.
//
// Input records, op = byte % 8:
//   0 raw `wre` bytes     u8 length, then the bytes
//   1 built message       b: kind; then its fields (transfer u8, index/offset u16, count u8...)
//   2 `file` message      u16 size
//   3 sink answer         b: 0 written, 1 failed, 2 finished (the oldest write / finish asked)
//   4 source answer       u16 bytes (capped by what was asked), b: end
//   5 app call            b: 0 accept, 1 reject, 2 cancel, 3 sendFile
//   6 time passes         u16 ms
//   7 rebuild             the channels closed by the browser; the new connection comes up
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <string>

#include "check.hpp"
#include "fake_driver.hpp"
#include "fuzz_bytes.hpp"
#include "fuzz_peer.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"
#include "transfer/transfer_codec.hpp"

using namespace wre;
using namespace wre::test;

namespace {

constexpr std::size_t kMaxSteps = 2048;
// What the core may hold of the far side's `file` messages: its inbox bound (4 MiB), one message
// over it, and what the sinks are writing.
constexpr std::size_t kHeldBound = 4 * 1024 * 1024 + 64 * 1024 + 64 * 1024;

// A held `file` message that counts itself while alive (in the core or in an event).
struct Counted : BytesHolder {
  static inline std::size_t live = 0;
  std::size_t size;
  explicit Counted(std::size_t n) : size(n) {
    bytes.assign(n, 'f');  // (the fake driver hashes them)
    live += n;
  }
  ~Counted() override { live -= size; }
};

std::string u8s(Bytes& in, std::size_t n) { return std::string(in.bytes(n)); }

// A transfer message from fields: plausible enough to pass decoding most of the time.
std::string built(Bytes& in) {
  uint8_t kind = in.u8() % 8;
  uint32_t transfer = in.u8() % 5;
  switch (kind) {
    case 0:
      return wire::encode(wire::Run{in.u16(), static_cast<uint32_t>(in.u8() % 8), transfer});
    case 1:
      return wire::encode(wire::Sync{in.u16()});
    case 2: {
      uint16_t size = in.u16();
      bool known = in.u8() & 1;
      return wire::encode(wire::Offer{transfer, known ? std::optional<uint64_t>(size) : std::nullopt,
                                      u8s(in, in.u8() % 8), "t", u8s(in, in.u8() % 8)});
    }
    case 3:
      return wire::encode(wire::Accept{transfer});
    case 4: {
      Digest d{};
      for (auto& x : d) x = in.u8();
      return wire::encode(wire::End{transfer, in.u16(), d});
    }
    case 5:
      return wire::encode(wire::Done{transfer});
    case 6:
      return wire::encode(wire::Cancel{transfer, static_cast<TransferFailure>(in.u8() % 5), u8s(in, in.u8() % 16)});
    default:
      return wire::encode(wire::ClassifyFrom{in.u16()});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  Config config;
  config.peerId = "fuzz";
  config.heartbeatTimeout = 0;  // a silent far side is not what this target is about
  config.metricsEnabled = false;

  FakeDriver driver;
  EventLog log;
  {
    Peer peer(config, driver, log);
    offerAnswered(peer);
    auto up = [&] {
      peer.onConnectionState("connected");
      for (int ch = 0; ch < kChannelCount; ++ch) peer.onChannelOpen(ch);
      peer.onLibraryMessage(kWre, kHello);
      peer.onLibraryMessage(kWre, encodeSession(42));
      peer.onLibraryMessage(kWre, wire::encode(wire::Capable{wire::kTransferVersion}));
      peer.onLibraryMessage(kWre, encodeCounts({0, 0, 0}));
    };
    up();

    std::deque<event::TransferIo> io;  // asked of the wrapper, not answered yet
    std::set<uint32_t> offered;        // far side's transfers the app saw offered
    std::set<uint32_t> ours;           // ours the app started
    std::set<std::string> ended;       // ids that completed or failed
    uint32_t lastOffered = 0;

    auto collect = [&](std::size_t step) {
      for (const auto& e : log.events) {
        if (auto* t = std::get_if<event::TransferIo>(&e)) io.push_back(*t);
        if (auto* o = std::get_if<event::TransferOffered>(&e)) {
          offered.insert(o->transfer);
          lastOffered = o->transfer;
        }
        const std::string* id = nullptr;
        if (auto* c = std::get_if<event::TransferComplete>(&e)) id = &c->id;
        if (auto* f = std::get_if<event::TransferFailed>(&e)) id = &f->id;
        if (id) FUZZ_CHECK(ended.insert(*id).second, "step %zu: transfer %s ended twice", step, id->c_str());
      }
      log.events.clear();
      driver.sent.clear();
      FUZZ_CHECK(Counted::live <= kHeldBound, "step %zu: the core holds %zu bytes of file messages", step,
                 Counted::live);
    };
    collect(0);

    bool bye = false;  // the far side said bye (raw bytes): the peer closes, the run ends
    for (std::size_t step = 1; step <= kMaxSteps && !in.empty() && !bye; ++step) {
      switch (in.u8() % 8) {
        case 0: {
          std::string bytes = u8s(in, in.u8());
          bye = bytes == kBye;
          if (auto m = wire::decodeTransfer(bytes))
            FUZZ_CHECK(wire::encode(*m) == bytes, "step %zu: a transfer message does not encode back to its bytes",
                       step);
          peer.onLibraryMessage(kWre, bytes);
          break;
        }
        case 1:
          peer.onLibraryMessage(kWre, built(in));
          break;
        case 2: {
          std::size_t n = in.u16();
          auto arrival = peer.onUserMessage(kFile, n);
          FUZZ_CHECK(arrival != Peer::Arrival::Drop, "step %zu: a file message was dropped on a connected peer", step);
          if (arrival == Peer::Arrival::Keep) peer.keepFileMessage(Payload(std::make_unique<Counted>(n), n));
          break;
        }
        case 3: {
          uint8_t how = in.u8() % 3;
          auto it = std::find_if(io.begin(), io.end(), [&](const event::TransferIo& t) {
            return how == 2 ? t.op == event::TransferIo::Op::Finish : t.op == event::TransferIo::Op::Write;
          });
          if (it == io.end()) break;
          auto n = it->transfer;
          io.erase(it);
          if (how == 0)
            peer.onSinkWritten(n);
          else if (how == 1)
            peer.onSinkFailed(n, "disk full");
          else
            peer.onSinkFinished(n);
          break;
        }
        case 4: {
          std::size_t n = in.u16();
          bool end = in.u8() & 1;
          auto it = std::find_if(io.begin(), io.end(),
                                 [](const event::TransferIo& t) { return t.op == event::TransferIo::Op::Read; });
          if (it == io.end()) break;
          auto t = *it;
          io.erase(it);
          n = std::min<std::size_t>(n, static_cast<std::size_t>(t.length));
          peer.onSourceRead(t.transfer, bytesPayload(std::string(n, 's')), end);
          break;
        }
        case 5: {
          uint8_t call = in.u8() % 4;
          if (call == 0 && lastOffered) (void)peer.acceptTransfer(lastOffered);
          if (call == 1 && lastOffered) (void)peer.rejectTransfer(lastOffered, "no");
          if (call == 2 && !ours.empty()) (void)peer.cancelTransfer(*ours.begin(), "stop");
          if (call == 3) {
            auto started = peer.sendFile(in.u16(), "n", "t", "{}");
            FUZZ_CHECK(started, "step %zu: sendFile refused plain input", step);
            ours.insert(started.value().transfer);
          }
          break;
        }
        case 6:
          driver.advance(driver.now + in.u16(), [&](TimerId id) { peer.onTimer(id); });
          break;
        case 7: {
          for (int ch = 0; ch < kChannelCount; ++ch) peer.onChannelClose(ch);
          std::size_t made = driver.count("createPeerConnection");
          for (int k = 0; k < 10 && driver.count("createPeerConnection") == made; ++k)
            driver.advance(driver.now + 1000, [&](TimerId id) { peer.onTimer(id); });
          const auto* remade = driver.last("createOffer");
          if (driver.count("createPeerConnection") == made || !remade) break;
          (void)answerOffer(peer, remade->id, "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\n");
          up();
          break;
        }
      }
      collect(step);
      FUZZ_CHECK(bye || peer.state() != PeerState::Closed, "step %zu: the peer closed", step);
    }
    peer.close();
    collect(kMaxSteps + 1);
  }
  log.events.clear();
  FUZZ_CHECK(Counted::live == 0, "%zu bytes of file messages outlived the peer", Counted::live);
  return 0;
}
