// One simulated browser connection (RTCPeerConnection + its six channels) for the stress test. It
// keeps what a real one keeps: each channel's send buffer (bufferedAmount, the messages in it),
// what has arrived and waits to be dispatched (open, messages, close: in order per channel), the
// connection-state changes and candidates still to report, the async requests still running and
// the timers. The world (stress_world.hpp) decides when each of those reaches the core.
//
// Browser rules kept here: send() throws unless the channel's readyState is open (and past the
// 16 MiB Chromium limit); bufferedamountlow is queued when bufferedAmount crosses the threshold
// from above (a buffer that drains without crossing fires nothing: "never"); after close() nothing
// reaches the core; what was in a closed channel's or connection's buffers is lost.
//
// Rebuilds (session resume): createPeerConnection() after close() starts a new connection, a new
// generation `gen` with fresh channels; its descriptions carry the generation as o= sess-id, as a
// browser's new RTCPeerConnection has a new one. The page's timers are not the connection's:
// close() leaves them (as the bindings' driver does), the rebuilt connection's peer still uses them.
#pragma once

#include <array>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "peer/config.hpp"
#include "peer/driver.hpp"
#include "peer/sdp_facts.hpp"
#include "pool/pool.hpp"
#include "stress_ledger.hpp"

namespace wre::stress {

inline constexpr uint64_t kLibraryBytes = ~uint64_t{0};  // WireMsg::id of the library's own bytes

// What the whole simulated page shares: the clock, the dice and the ledger.
struct Env {
  explicit Env(uint64_t seed) : rng(seed) {}
  Rng rng;
  double now = 0;
  Ledger ledger;
  // Share of bufferedamountlow events the browser loses, where mayLoseLow(owner, channel) allows
  // it (only the 32 MiB scenario sets them: a real browser does not lose them, and the core
  // relies on them while the `file` window is off).
  double lowLoss = 0;
  std::function<bool(int owner, int channel)> mayLoseLow;
  size_t lowLost = 0;
};

struct WireMsg {
  uint64_t id;  // Ledger id, or kLibraryBytes
  size_t size;
  std::shared_ptr<const std::string> bytes;  // the library's own messages (hello, acks, probes)
};

class SimBrowser : public Driver {
 public:
  struct Chan {
    bool ready = false;      // readyState "open": send() works
    bool transport = false;  // the far end's data can arrive (our open event is queued)
    bool closed = false;     // for good (negotiated channels never reopen)
    double threshold = 0;
    double buffered = 0;
    std::deque<WireMsg> out;  // in our send buffer, not yet on the wire
    int lowPending = 0;       // bufferedamountlow events queued
  };
  enum class In { Open, Message, Close };
  struct Inbound {
    In kind;
    WireMsg msg;
  };
  enum class Req { Offer, RestartOffer, Answer, SetRemote, Candidate, Stats };
  struct Request {
    RequestId id;
    Req kind;
    int gen = 0;  // SetRemote: the generation of the far connection that made the description
  };

  SimBrowser(Env& env, int owner) : env_(env), owner_(owner) {}

  Env& env() { return env_; }
  int owner() const { return owner_; }

  std::array<Chan, kChannelCount> ch;
  std::array<std::deque<Inbound>, kChannelCount> in;
  std::deque<std::string> states;  // connectionState changes to report, in order
  std::deque<CandidateInit> candidates;
  std::vector<Request> requests;
  std::map<TimerId, double> timers;  // standalone peers; a pool's members use the pool's list
  Pool* pool = nullptr;
  Pool::MemberKey key = 0;
  SimBrowser* far = nullptr;
  bool closed = false;             // the core closed the connection: no callback after this
  std::string maxMessageSizeLine;  // in our descriptions: what the far end may send us
  int gen = 0;                     // which connection this is: 1 for the first, one more per rebuild
  int remoteGen = 0;               // the far connection whose description this one applied (0: none yet)
  // The world's hook, called when a rebuild has made the new connection (the core is inside
  // rebuildConnection(), its replay hold already decided).
  std::function<void(int oldGen)> onRebuilt;

  Result<void> createPeerConnection(const Config&) override {
    if (gen == 0) {
      gen = 1;
      return ok();
    }
    close();  // (the core closes first; a browser would replace the old one all the same)
    int oldGen = gen++;
    closed = false;
    ch = {};
    remoteGen = 0;
    if (onRebuilt) onRebuilt(oldGen);
    return ok();
  }
  void createChannel(const ChannelSpec& spec, double low) override { ch[spec.id].threshold = low; }
  void createOffer(RequestId id, bool restart) override {
    requests.push_back({id, restart ? Req::RestartOffer : Req::Offer});
  }
  void createAnswer(RequestId id) override { requests.push_back({id, Req::Answer}); }
  void setRemoteDescription(RequestId id, const SessionDescription& d) override {
    requests.push_back({id, Req::SetRemote, std::atoi(std::string(sessionIdOf(d.sdp)).c_str())});
  }
  void addIceCandidate(RequestId id, const CandidateInit&) override { requests.push_back({id, Req::Candidate}); }
  double bufferedAmount(int channel) override { return ch[channel].buffered; }
  void getStats(RequestId id) override { requests.push_back({id, Req::Stats}); }

  Result<void> send(int channel, const Payload& payload) override {
    const auto& h = static_cast<const StressBytes&>(payload.holder());
    WRE_TRY(accept(channel, h.size));
    enqueue(channel, {h.id, h.size, nullptr});
    env_.ledger.handed(h.id, owner_, channel, gen);
    return ok();
  }
  void copyBytes(const Payload& payload, uint8_t* to) override { std::fill_n(to, payload.size(), uint8_t{0}); }
  Result<void> sendBytes(int channel, std::string_view bytes) override {
    WRE_TRY(accept(channel, bytes.size()));
    enqueue(channel, {kLibraryBytes, bytes.size(), std::make_shared<const std::string>(bytes)});
    return ok();
  }

  void setTimer(TimerId id, double delayMs) override {
    if (pool)
      pool->setTimer(key, id, env_.now, delayMs);
    else
      timers[id] = env_.now + delayMs;
  }
  void cancelTimer(TimerId id) override {
    if (pool)
      pool->cancelTimer(key, id);
    else
      timers.erase(id);
  }
  double nowMs() override { return env_.now; }
  double random01() override { return env_.rng.uniform(); }

  // `file` messages handed to the core's keepFileMessage and not yet released to the app.
  std::vector<uint64_t> heldByCore;

  void close() override {
    if (closed) return;
    closed = true;
    for (int c = 0; c < kChannelCount; ++c) {
      loseOut(c);
      for (auto& m : in[c])
        if (m.kind == In::Message && m.msg.id != kLibraryBytes) env_.ledger.lost(m.msg.id, Fate::LostBrowser);
      in[c].clear();
      ch[c].ready = ch[c].transport = false;
      ch[c].lowPending = 0;
    }
    // `file` messages the core held for their runs go with the connection (replayed, or lost).
    for (uint64_t id : heldByCore) env_.ledger.lost(id, Fate::LostBrowser);
    heldByCore.clear();
    states.clear();
    candidates.clear();
    requests.clear();
    if (far) {
      far->onFarClosed();
      far->far = nullptr;
      far = nullptr;
    }
  }

  // ---- what the world does to this browser ----

  // The association is up on our side: our channel's open event is queued; data may arrive.
  void openChannel(int c) {
    if (closed || ch[c].closed || ch[c].transport) return;
    ch[c].transport = true;
    in[c].push_front({In::Open, {}});
  }
  // The channel closes (either end): its buffer is lost; arrived data is still dispatched first.
  void closeChannel(int c) {
    if (closed || ch[c].closed) return;
    ch[c].closed = true;
    ch[c].ready = ch[c].transport = false;
    loseOut(c);
    in[c].push_back({In::Close, {}});
  }
  // Moves up to `maxBytes` (at least one message) of channel c's buffer onto the wire, to the far
  // side's arrivals; queues bufferedamountlow on a crossing. Returns the bytes moved.
  size_t transmit(int c, size_t maxBytes, double netLoss) {
    if (closed || !far || !far->ch[c].transport || ch[c].out.empty()) return 0;
    size_t moved = 0;
    while (!ch[c].out.empty() && (moved == 0 || moved + ch[c].out.front().size <= maxBytes)) {
      WireMsg m = std::move(ch[c].out.front());
      ch[c].out.pop_front();
      size_t size = m.size;
      moved += size;
      double before = ch[c].buffered;
      ch[c].buffered -= static_cast<double>(size);
      if (before > ch[c].threshold && ch[c].buffered <= ch[c].threshold) {
        if (env_.lowLoss > 0 && env_.rng.chance(env_.lowLoss) && env_.mayLoseLow && env_.mayLoseLow(owner_, c))
          ++env_.lowLost;
        else
          ++ch[c].lowPending;
      }
      if (!kChannels[c].ordered && env_.rng.chance(netLoss)) {
        if (m.id != kLibraryBytes) env_.ledger.lost(m.id, Fate::LostNetwork);
        continue;
      }
      far->in[c].push_back({In::Message, std::move(m)});
    }
    return moved;
  }
  size_t outBytes() const {
    size_t n = 0;
    for (const auto& c : ch) n += static_cast<size_t>(c.buffered);
    return n;
  }

 private:
  Result<void> accept(int channel, size_t size) {
    if (closed) return makeError(ErrorKind::Send, "the connection is closed");
    if (!ch[channel].ready)
      return makeError(ErrorKind::Send, "InvalidStateError: RTCDataChannel.readyState is not 'open'");
    if (ch[channel].buffered + static_cast<double>(size) > kBrowserChannelLimit)
      return makeError(ErrorKind::Send, "OperationError: RTCDataChannel send queue is full");
    return ok();
  }
  void enqueue(int channel, WireMsg m) {
    ch[channel].buffered += static_cast<double>(m.size);
    ch[channel].out.push_back(std::move(m));
  }
  void loseOut(int c) {
    for (auto& m : ch[c].out)
      if (m.id != kLibraryBytes) env_.ledger.lost(m.id, Fate::LostBrowser);
    ch[c].out.clear();
  }
  // The far end's connection closed: our channels close, our connection notices.
  void onFarClosed() {
    for (int c = 0; c < kChannelCount; ++c) closeChannel(c);
    states.push_back("disconnected");
    if (env_.rng.chance(0.5)) states.push_back("failed");
  }

  Env& env_;
  int owner_;
};

}  // namespace wre::stress
