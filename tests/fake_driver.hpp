// A scripted stand-in for the browser: records what the core asks for, lets the test decide
// buffered amounts and when async requests finish, and runs timers on a manual clock.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "manual_clock.hpp"
#include "peer/driver.hpp"
#include "peer/peer.hpp"
#include "peer/peer_events.hpp"

namespace wre::test {

struct BytesHolder : Payload::Holder {
  std::string bytes;
};

inline Payload bytesPayload(std::string bytes) {
  auto holder = std::make_unique<BytesHolder>();
  holder->bytes = std::move(bytes);
  size_t size = holder->bytes.size();
  return Payload(std::move(holder), size);
}

class FakeDriver : public Driver {
 public:
  struct Call {
    std::string what;
    RequestId id = 0;
    std::string detail;
  };

  bool refuseConfig = false;
  bool throwOnSend = false;
  std::vector<Call> calls;
  std::vector<ChannelSpec> channels;
  std::map<int, double> lowThresholds;
  std::map<int, double> buffered;
  std::vector<std::pair<int, std::string>> sent;
  std::map<TimerId, double> timers;  // id → due time
  double now = 0;
  bool closed = false;

  Result<void> createPeerConnection(const Config&) override {
    if (refuseConfig) return makeError(ErrorKind::Initialization, "browser refused the configuration");
    calls.push_back({"createPeerConnection"});
    closed = false;  // a rebuild makes a new connection after closing the old one
    return ok();
  }
  void createChannel(const ChannelSpec& spec, double low) override {
    channels.push_back(spec);
    lowThresholds[spec.id] = low;
  }
  void copyBytes(const Payload& payload, uint8_t* to) override {
    const auto& bytes = static_cast<const BytesHolder&>(payload.holder()).bytes;
    std::copy(bytes.begin(), bytes.end(), to);
  }
  void createOffer(RequestId id, bool restart) override {
    calls.push_back({"createOffer", id, restart ? "restart" : ""});
  }
  void createAnswer(RequestId id) override { calls.push_back({"createAnswer", id}); }
  void setRemoteDescription(RequestId id, const SessionDescription& d) override {
    calls.push_back({"setRemoteDescription", id, d.type});
  }
  void addIceCandidate(RequestId id, const CandidateInit& c) override {
    calls.push_back({"addIceCandidate", id, c.candidate});
  }
  double bufferedAmount(int channel) override { return buffered[channel]; }
  void getStats(RequestId id) override { calls.push_back({"getStats", id}); }
  Result<void> send(int channel, const Payload& p) override {
    if (throwOnSend) return makeError(ErrorKind::Send, "InvalidStateError");
    const auto& bytes = static_cast<const BytesHolder&>(p.holder()).bytes;
    sent.emplace_back(channel, bytes);
    buffered[channel] += static_cast<double>(bytes.size());
    return ok();
  }
  Result<void> sendBytes(int channel, std::string_view bytes) override {
    sent.emplace_back(channel, std::string(bytes));
    return ok();
  }
  void setTimer(TimerId id, double delayMs) override { timers[id] = now + delayMs; }
  void cancelTimer(TimerId id) override { timers.erase(id); }
  double nowMs() override { return now; }
  double nextRandom = 0.5;
  double random01() override { return nextRandom; }
  // Runs every timer due by `until` in due order, advancing the clock (timers may add timers).
  template <class Fire>
  void advance(double until, Fire fire) {
    runTimersUntil(timers, now, until, fire);
  }
  void close() override { closed = true; }

  const Call* last(const std::string& what) const {
    for (auto it = calls.rbegin(); it != calls.rend(); ++it)
      if (it->what == what) return &*it;
    return nullptr;
  }
  size_t count(const std::string& what) const {
    size_t n = 0;
    for (const auto& c : calls) n += c.what == what;
    return n;
  }
};

// Records every event; `names()` gives a compact trace for order assertions.
class EventLog : public EventSink {
 public:
  std::vector<PeerEvent> events;
  void onEvent(const PeerEvent& e) override { events.push_back(e); }

  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
  template <class T>
  size_t count() const {
    return all<T>().size();
  }
  std::vector<std::string> states() const {
    std::vector<std::string> out;
    for (const auto& s : all<event::StateChange>()) out.emplace_back(toString(s.to));
    return out;
  }
};

// An event log whose listener may call back into the core (close, send, the pool).
class HookLog : public EventLog {
 public:
  std::function<void(const PeerEvent&)> hook;
  void onEvent(const PeerEvent& e) override {
    EventLog::onEvent(e);
    if (hook) hook(e);
  }
};

inline const std::string& bytesOf(const Payload& payload) {
  return static_cast<const BytesHolder&>(payload.holder()).bytes;
}

// The browser hands `peer` a user message, as the shims do: true when the app sees it now. A `file`
// message the transfers hold first (the far side announces its `file` messages) is handed over,
// and reaches the app later as event::FileMessage (FileMessages collects them).
inline bool arrive(Peer& peer, int channel, const std::string& bytes) {
  auto arrival = peer.onUserMessage(channel, bytes.size());
  if (arrival == Peer::Arrival::Keep) peer.keepFileMessage(bytesPayload(bytes));
  return arrival == Peer::Arrival::Deliver;
}

// The `file` messages a log's peer released to its app since the last take().
class FileMessages {
 public:
  explicit FileMessages(const EventLog& log) : log_(log) {}
  std::vector<std::string> take() {
    std::vector<std::string> out;
    for (; seen_ < log_.events.size(); ++seen_)
      if (auto* m = std::get_if<event::FileMessage>(&log_.events[seen_])) out.push_back(bytesOf(*m->data));
    return out;
  }

 private:
  const EventLog& log_;
  size_t seen_ = 0;
};

}  // namespace wre::test
