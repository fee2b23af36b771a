#include "core_pool.hpp"

#include <emscripten/emscripten.h>

#include "js_values.hpp"
#include "value_from_js.hpp"

using emscripten::val;

namespace wre::bind {
namespace {

// A pool member: the embind CorePeer that the JS peer wrapper talks to, owned by the pool.
struct PooledCorePeer : PoolMember {
  explicit PooledCorePeer(val peerHost) : core(std::move(peerHost)) {}
  Peer* peer() override { return core.peer(); }
  void onTimer(TimerId id) override { core.onTimer(static_cast<int>(id)); }
  CorePeer core;
};

}  // namespace

CorePool::CorePool(val alarm) : alarm_(std::move(alarm)), pool_(this) {}

CorePool::~CorePool() = default;

val CorePool::setDefaults(const val& defaults) {
  auto checked = pool_.setDefaults(valueFromJs(defaults));
  return answerVal(checked);
}

val CorePool::add(const std::string& id, val peerHost) {
  auto member = std::make_unique<PooledCorePeer>(std::move(peerHost));
  CorePeer* core = &member->core;
  core->useOutbox(&pool_.outbox());
  core->useConfigFor([this, id](const Value& overrides) { return pool_.configFor(id, overrides); });
  auto key = pool_.add(id, std::move(member));
  if (!key) return failureVal(key.error());
  core->driver().useTimerService(this, key.value());
  return val(core);
}

val CorePool::remove(const std::string& id) {
  auto removed = pool_.remove(id);
  return answerVal(removed);
}

void CorePool::closeAll() { pool_.closeAll(); }

void CorePool::collect() { pool_.collect(); }

val CorePool::broadcast(int channel, const val& data, double size, const val& excludeId) {
  std::optional<std::string> exclude;
  if (excludeId.isString()) exclude = excludeId.as<std::string>();
  auto bytes = static_cast<size_t>(size);
  // Every recipient queues a handle on the same JS buffer: no copy, in WASM memory or in JS.
  auto r = pool_.broadcast(channel, exclude ? std::optional<std::string_view>(*exclude) : std::nullopt,
                           [&] { return Payload(std::make_unique<JsBuffer>(data), bytes); });
  if (!r) return failureVal(r.error());
  const BroadcastReport& report = r.value();
  if (report.failures.empty()) return val(static_cast<double>(report.recipients));
  val out = val::object();
  out.set("type", std::string(toString(ErrorKind::Send)));
  out.set("message", report.summary());
  out.set("recipients", static_cast<double>(report.recipients));
  out.set("accepted", static_cast<double>(report.accepted));
  val failures = val::array();
  for (const auto& f : report.failures) {
    val one = errorVal(f.error);
    one.set("peerId", f.peerId);
    failures.call<void>("push", one);
  }
  out.set("failures", failures);
  return failureVal(out);
}

val CorePool::stats() const {
  PoolStats s = pool_.stats();
  val states = val::object();
  for (PeerState st : kPeerStates)
    states.set(std::string(toString(st)), static_cast<double>(s.states[static_cast<size_t>(st)]));
  val out = val::object();
  out.set("totalPeers", static_cast<double>(s.total));
  out.set("connectedPeers", static_cast<double>(s.connected));
  out.set("states", states);
  return out;
}

val CorePool::ids(bool connectedOnly) const {
  val out = val::array();
  for (const auto& id : pool_.ids(connectedOnly ? std::optional(PeerState::Connected) : std::nullopt))
    out.call<void>("push", id);
  return out;
}

val CorePool::diagnostics() const {
  val out = val::object();
  out.set("peers", static_cast<double>(pool_.size()));
  out.set("parked", static_cast<double>(pool_.parked()));
  out.set("timers", static_cast<double>(pool_.timers().size()));
  out.set("armed", pool_.armedFor().has_value());
  return out;
}

void CorePool::onAlarm() { pool_.onAlarm(emscripten_get_now()); }

void CorePool::setTimer(uint32_t owner, TimerId id, double delayMs) {
  pool_.setTimer(owner, id, emscripten_get_now(), delayMs);
}

void CorePool::cancelTimer(uint32_t owner, TimerId id) { pool_.cancelTimer(owner, id); }

void CorePool::set(double dueMs) {
  double delay = dueMs - emscripten_get_now();
  alarm_.call<void>("arm", delay > 0 ? delay : 0.0);
}

void CorePool::clear() { alarm_.call<void>("disarm"); }

}  // namespace wre::bind
