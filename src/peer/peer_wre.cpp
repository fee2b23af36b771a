// The library's own channels: what the far side says on `wre` (hello, bye, its session and
// delivered counts, `file` acknowledgements, transfer messages) and on `wre-probe` (probes).
// Everything here is untrusted input, decoded by the codecs (fuzzed) before it means anything.

#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"
#include "transfer/transfer_codec.hpp"
#include "util/text.hpp"

namespace wre {

void Peer::onLibraryMessage(int channel, std::string_view bytes) {
  Outbox::Scope scope(outbox_);
  if (closed()) return;
  onHeard();
  if (channel == kWre) {
    if (decodeHello(bytes)) {  // any version: a later one may say more than we read
      if (farSideIsLibrary_) return;
      farSideIsLibrary_ = true;
      // File data delivered before we knew: acknowledged now rather than at the next step.
      if (fileDelivered_ != fileAckSent_) sendFileAck();
      if (state_ == PeerState::Connected) startTicking();
    } else if (bytes == kBye) {
      if (farSideIsLibrary_) shutDown(CloseReason::RemoteClosed);  // before a hello: not ours, ignored
    } else if (auto session = decodeSession(bytes)) {
      if (farSideIsLibrary_) onFarSession(*session);
    } else if (auto counts = decodeCounts(bytes)) {
      // Counts mean something only once we know whose session they count (sent after our 'S').
      if (farSideIsLibrary_ && farSession_) {
        auto lost = scheduler_.onDeliveredCounts(*counts);
        if (uint64_t n = lost[0] + lost[1] + lost[2]; n > 0)
          emitError(ErrorKind::Send, format("the connection was rebuilt and {} messages sent before the far "
                                            "side first confirmed deliveries (control {}, reliable {}, file {}) "
                                            "were not delivered; they were not kept for replay",
                                            n, lost[0], lost[1], lost[2]));
        watchReplayAcks();
      }
    } else if (auto delivered = decodeAck(bytes); delivered && farSideIsLibrary_) {
      scheduler_.onFileAck(*delivered);
      watchFileAcks();
    } else if (auto transfer = wire::decodeTransfer(bytes); transfer && farSideIsLibrary_ && farSession_) {
      transfers_.onMessage(*transfer);
    }
    return;
  }
  if (channel != kWreProbe || !farSideIsLibrary_) return;
  auto probe = decodeProbe(bytes);
  if (!probe) return;  // not ours: ignore rather than trust
  double now = driver_.nowMs();
  // Untrusted: the collector keeps what is plausible (metrics_collector.hpp). Only a probe it
  // counted is echoed back: a replay or a garbage timestamp is not ours to return.
  if (metrics_.onProbe(probe->seq, probe->sentMs, now)) toEcho_ = EchoDue{probe->sentMs, now};
  metrics_.onEcho(probe->echoSentMs, probe->echoHoldMs, now);
  if (probe->query) answerQuery(now);
}

}  // namespace wre
