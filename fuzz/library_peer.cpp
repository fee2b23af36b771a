// Feeds: a connected wre::Peer with what the far end sends on `wre`/`wre-probe` (onLibraryMessage), user-message sizes,
// app sends and time; the metrics must stay finite, non-negative, plausible (RTT, jitter within the estimators'
// bounds), lossRate in [0,1]. Session resume: what the peer says on `wre` is a hello, its own session id, counts that
// never go back within one far session, an ack or a bye; whatever counts the far end sends, the replay store stays
// within its bound and never holds more than was handed and not confirmed. The peer stays connected, except after
// exactly a bye on `wre` from a far side that said hello: then it is closed (reason remote-closed, browser objects
// released) and the run ends there.
//
// Input: byte 0 picks metricsInterval (100 ms + 100 ms × (b % 50)); then records, op = byte % 7:
//   0 library message   b: channel 4 + (b & 1), length b >> 1 (0..127); then that many bytes
//   1 user message      b: channel b % 4; u32 LE size          (Peer::onUserMessage)
//   2 time passes       u16 LE milliseconds                      (timers fire; getStats answered)
//   3 time passes       u8 seconds
//   4 app send          b: channel b % 4; u16 LE size          (Peer::send)
//   5 browser drained   b: channel b % 6                        (buffer empty, onBufferedAmountLow)
//   6 rebuild           every channel closed by the browser; the rebuilt connection comes up
// The browser's own getStats() answers are plausible (counters follow what moved), so whatever
// reaches the metrics came through the library's channels. Seeds: capture-corpus.js, from the
// hello/ack/probe bytes real library peers sent in Chromium and Firefox, with their timing.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "check.hpp"
#include "fake_driver.hpp"
#include "fuzz_bytes.hpp"
#include "fuzz_peer.hpp"
#include "metrics/jitter_estimator.hpp"
#include "metrics/probe_codec.hpp"
#include "metrics/rtt_estimator.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"
#include "transfer/transfer_codec.hpp"

using namespace wre;
using namespace wre::test;

namespace {

constexpr std::size_t kMaxSteps = 4096;
constexpr double kMaxSimulatedMs = 60 * 1000;  // probes tick every 50 ms: bound the work

void checkMetrics(const ConnectionMetrics& m, std::size_t step) {
  const std::pair<const char*, double> fields[] = {
      {"bytesReceived", m.bytesReceived},
      {"bytesSent", m.bytesSent},
      {"packetsReceived", m.packetsReceived},
      {"packetsSent", m.packetsSent},
      {"packetsLost", m.packetsLost},
      {"roundTripTime", m.roundTripTime},
      {"jitter", m.jitter},
      {"lossRate", m.lossRate},
      {"bytesPerSecondSent", m.bytesPerSecondSent},
      {"bytesPerSecondReceived", m.bytesPerSecondReceived},
      {"messagesPerSecondSent", m.messagesPerSecondSent},
      {"messagesPerSecondReceived", m.messagesPerSecondReceived},
      {"availableBandwidth", m.availableBandwidth},
      {"mos", m.mos},
      {"timestampMs", m.timestampMs},
  };
  for (const auto& [name, value] : fields)
    FUZZ_CHECK(std::isfinite(value) && value >= 0,
               "step %zu: metrics.%s = %g (rttSource %s, jitterSource %s, lossSource %s)", step, name, value,
               toString(m.rttSource), toString(m.jitterSource), toString(m.lossSource));
  FUZZ_CHECK(m.lossRate <= 1, "step %zu: metrics.lossRate = %g (lossSource %s)", step, m.lossRate,
             toString(m.lossSource));
  // Plausible, not just finite: what the far end sends may cost samples, never push the figures
  // past what a link can show (RttEstimator / JitterEstimator bounds).
  FUZZ_CHECK(m.roundTripTime <= RttEstimator::kMaxRttMs / 1000, "step %zu: metrics.roundTripTime = %g s (%s)", step,
             m.roundTripTime, toString(m.rttSource));
  FUZZ_CHECK(m.jitter <= JitterEstimator::kMaxTransitDeltaS, "step %zu: metrics.jitter = %g s (%s)", step, m.jitter,
             toString(m.jitterSource));
  FUZZ_CHECK(m.mos == 0 || (m.mos >= 1 && m.mos <= 4.5), "step %zu: metrics.mos = %g", step, m.mos);
}

// The browser side: counters that follow what crossed the channels, answers at once.
struct Browser {
  FakeDriver driver;
  EventLog log;
  std::size_t statsAnswered = 0;  // index into driver.calls
  double bytesIn = 0, bytesOut = 0, messagesIn = 0, messagesOut = 0, checks = 0;
  uint64_t lastAck = 0;
  DeliveredCounts lastCounts{};
  std::optional<uint64_t> countsFor;  // the far session lastCounts belong to
  double lastProbeMs = 0;

  void answerStats(Peer& peer) {
    for (; statsAnswered < driver.calls.size(); ++statsAnswered) {
      const auto& call = driver.calls[statsAnswered];
      if (call.what != "getStats") continue;
      checks += 2;
      // A raw report the way Chromium gives it: the core picks what counts (summarizeStats).
      StatsEntry transport{"transport", "T1", "CP1"};
      transport.bytesSent = bytesOut;
      transport.bytesReceived = bytesIn;
      transport.packetsSent = messagesOut;
      transport.packetsReceived = messagesIn;
      StatsEntry pair{"candidate-pair", "CP1", "", "L1", "R1"};
      pair.currentRoundTripTime = 0.002;
      pair.requestsSent = checks;
      pair.responsesReceived = checks;
      pair.availableOutgoingBitrate = 3e6;
      StatsEntry local{"local-candidate", "L1", "", "", "", "host"};
      StatsEntry remote{"remote-candidate", "R1", "", "", "", "host"};
      StatsEntry channel{"data-channel", "D1"};
      channel.messagesSent = messagesOut;
      channel.messagesReceived = messagesIn;
      peer.onStats(call.id, {transport, pair, local, remote, channel});
    }
  }

  // The browser closes every channel (Firefox when ICE fails); the peer's next attempt rebuilds
  // the connection, whose offer is answered; the new one comes up, its counters at zero.
  template <class Wait>
  void rebuild(Peer& peer, Wait& wait, std::size_t step) {
    for (int ch = 0; ch < kChannelCount; ++ch) peer.onChannelClose(ch);
    std::size_t made = driver.count("createPeerConnection");
    for (int k = 0; k < 10 && driver.count("createPeerConnection") == made; ++k) wait(1000);
    FUZZ_CHECK(driver.count("createPeerConnection") == made + 1, "step %zu: no rebuild after the channels closed",
               step);
    const auto* offer = driver.last("createOffer");
    FUZZ_CHECK(offer && offer->detail.empty(), "step %zu: the rebuild made no fresh offer", step);
    FUZZ_CHECK(answerOffer(peer, offer->id, "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\n"),
               "step %zu: the rebuild's answer was refused", step);
    bytesIn = bytesOut = messagesIn = messagesOut = checks = 0;
    lastAck = 0;  // `file` acknowledgements count per connection
    peer.onConnectionState("connected");
    for (int ch = 0; ch < kChannelCount; ++ch) peer.onChannelOpen(ch);
  }

  // What the peer itself put on the wire is well formed.
  void checkSent(std::size_t step, const Peer& peer) {
    if (peer.farSession() != countsFor) {  // a new far session: its counts start again
      countsFor = peer.farSession();
      lastCounts = {};
    }
    for (const auto& [channel, bytes] : driver.sent) {
      bytesOut += static_cast<double>(bytes.size());
      messagesOut += 1;
      if (channel == kWre) {
        auto ack = decodeAck(bytes);
        auto session = decodeSession(bytes);
        auto counts = decodeCounts(bytes);
        auto transfer = wire::decodeTransfer(bytes);
        FUZZ_CHECK(
            bytes == kHello || bytes == kBye || ack || session || counts || transfer,
            "step %zu: the peer sent %zu bytes on wre that are neither hello, session, counts, bye, ack nor transfer",
            step, bytes.size());
        if (session) FUZZ_CHECK(*session == peer.sessionId(), "step %zu: the peer sent another session id", step);
        if (counts) {
          FUZZ_CHECK(peer.farSession().has_value(), "step %zu: counts before the far side's session id", step);
          for (size_t i = 0; i < counts->size(); ++i)
            FUZZ_CHECK((*counts)[i] >= lastCounts[i], "step %zu: count %zu went back", step, i);
          lastCounts = *counts;
        }
        if (ack) {
          FUZZ_CHECK(*ack >= lastAck, "step %zu: ack went back from %llu to %llu", step,
                     static_cast<unsigned long long>(lastAck), static_cast<unsigned long long>(*ack));
          lastAck = *ack;
        }
      } else if (channel == kWreProbe) {
        auto probe = decodeProbe(bytes);
        FUZZ_CHECK(probe, "step %zu: the peer sent %zu bytes on wre-probe that are no probe", step, bytes.size());
        FUZZ_CHECK(std::isfinite(probe->sentMs) && probe->sentMs >= lastProbeMs && probe->sentMs <= driver.now,
                   "step %zu: probe stamped %g after one stamped %g, at %g", step, probe->sentMs, lastProbeMs,
                   driver.now);
        lastProbeMs = probe->sentMs;
        FUZZ_CHECK(probe->echoHoldMs < 0 || std::isfinite(probe->echoHoldMs), "step %zu: echo held %g ms", step,
                   probe->echoHoldMs);
      }
    }
    driver.sent.clear();
    log.events.clear();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  Config config;
  config.peerId = "fuzz";
  // The simulated far side may fall silent at any step: the heartbeat would rightly take the link
  // for lost. Liveness has its own tests; here the peer must stay connected through anything.
  config.heartbeatTimeout = 0;
  config.metricsInterval = 100 + 100.0 * (in.u8() % 50);
  config.maxQueuedBytes = 1024.0 * 1024;

  Browser b;
  Peer peer(config, b.driver, b.log);
  offerAnswered(peer);
  peer.onConnectionState("connected");
  peer.setMetricsWanted(true);           // sweeps, so the stats path runs too
  peer.scheduler().setReportSent(true);  // and every per-message event an app can listen to
  peer.scheduler().setReportQueued(true);
  for (int ch = 0; ch < kChannelCount; ++ch) peer.onChannelOpen(ch);
  FUZZ_CHECK(peer.state() == PeerState::Connected, "not connected");
  b.checkSent(0, peer);

  auto wait = [&](double ms) {
    ms = std::min(ms, kMaxSimulatedMs - b.driver.now);
    if (ms <= 0) return;
    b.driver.advance(b.driver.now + ms, [&](TimerId id) {
      peer.onTimer(id);
      b.answerStats(peer);
    });
  };

  bool byeHeard = false;  // the far side said hello, then bye: the peer must have closed
  for (std::size_t step = 1; step <= kMaxSteps && !in.empty() && !byeHeard; ++step) {
    uint8_t op = in.u8() % 7;
    switch (op) {
      case 0: {
        uint8_t head = in.u8();
        std::string_view message = in.bytes(head >> 1);
        b.bytesIn += static_cast<double>(message.size());
        b.messagesIn += 1;
        int channel = kWre + (head & 1);
        byeHeard = channel == kWre && message == kBye && peer.farSideIsLibrary();
        peer.onLibraryMessage(channel, message);
        break;
      }
      case 1: {
        int channel = in.u8() % kUserChannels;
        uint32_t bytes = in.u32();
        b.bytesIn += bytes;
        b.messagesIn += 1;
        auto arrival = peer.onUserMessage(channel, bytes);
        FUZZ_CHECK(arrival != Peer::Arrival::Drop, "step %zu: a user message was hidden from the app", step);
        // Held for its run (the far end said it announces `file`): the bytes, at most 1 MiB of them.
        if (arrival == Peer::Arrival::Keep)
          peer.keepFileMessage(bytesPayload(std::string(std::min<uint32_t>(bytes, 1 << 20), 'x')));
        break;
      }
      case 2:
        wait(in.u16());
        break;
      case 3:
        wait(1000.0 * in.u8());
        break;
      case 4: {
        int channel = in.u8() % kUserChannels;
        std::size_t bytes = in.u16();
        (void)peer.send(channel, bytesPayload(std::string(bytes, 'x')));
        break;
      }
      case 5: {
        int channel = in.u8() % kChannelCount;
        b.driver.buffered[channel] = 0;
        peer.onBufferedAmountLow(channel);
        break;
      }
      case 6:
        if (b.driver.now < kMaxSimulatedMs - 20000) b.rebuild(peer, wait, step);  // room for the attempt
        break;
    }
    if (byeHeard) {
      auto closes = b.log.all<event::Closed>();
      FUZZ_CHECK(closes.size() == 1 && closes[0].reason == CloseReason::RemoteClosed,
                 "step %zu: a bye after hello gave %zu closed events", step, closes.size());
    }
    b.checkSent(step, peer);
    if (byeHeard) {
      FUZZ_CHECK(peer.state() == PeerState::Closed && b.driver.closed, "step %zu: a bye after hello left the peer %s",
                 step, std::string(toString(peer.state())).c_str());
      break;
    }
    FUZZ_CHECK(peer.state() == PeerState::Connected, "step %zu: state %s", step,
               std::string(toString(peer.state())).c_str());
    // A rebuild puts what the store kept back in the queue: the two bounds together.
    FUZZ_CHECK(peer.queuedBytes() <= 2 * config.maxQueuedBytes + 65535, "step %zu: %zu bytes queued", step,
               peer.queuedBytes());
    const ReplayStore& store = peer.scheduler().replay();
    FUZZ_CHECK(store.bytes() <= std::max<std::size_t>(peer.scheduler().replayLimit(), 65535),
               "step %zu: %zu bytes kept", step, store.bytes());
    uint64_t unconfirmed = 0;
    for (int i = 0; i < 3; ++i) unconfirmed += store.handed(i) - store.acked(i);
    FUZZ_CHECK(store.messages() <= unconfirmed, "step %zu: %zu kept, %llu unconfirmed", step, store.messages(),
               static_cast<unsigned long long>(unconfirmed));
    checkMetrics(peer.metrics(), step);
  }
  // WRE_FUZZ_PRINT=1 build/fuzz/library_peer <file>: what the metrics ended at (for a reproducer).
  if (std::getenv("WRE_FUZZ_PRINT")) {
    const ConnectionMetrics& m = peer.metrics();
    std::fprintf(stderr,
                 "at %.0f ms: roundTripTime %g s (%s), jitter %g s (%s), lossRate %g (%s), packetsLost %g, mos %g\n",
                 b.driver.now, m.roundTripTime, toString(m.rttSource), m.jitter, toString(m.jitterSource), m.lossRate,
                 toString(m.lossSource), m.packetsLost, m.mos);
  }
  peer.close();
  return 0;
}
