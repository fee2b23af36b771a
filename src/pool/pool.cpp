#include "pool/pool.hpp"

#include <algorithm>

#include "peer/config.hpp"
#include "util/text.hpp"

namespace wre {

std::string BroadcastReport::summary() const {
  if (failures.empty()) return {};
  std::string who;
  for (size_t i = 0; i < failures.size(); ++i) {
    if (i == 3 && failures.size() > 4) {
      who += format(" and {} more", failures.size() - 3);
      break;
    }
    if (i > 0) who += ", ";
    who += format("'{}' ({})", failures[i].peerId, failures[i].error.message);
  }
  return format(
      "broadcast(): {} of {} connected peers refused the message: {}; the other {} "
      "sent or queued it",
      failures.size(), recipients, who, accepted);
}

Pool::Pool(Alarm* alarm) : timers_(alarm) {}

Pool::~Pool() {
  // Members may call back into the pool as they go (cancelTimer on close): keep it whole.
  closeAll();
  entries_.clear();
}

Result<void> Pool::setDefaults(const Value& defaults) {
  if (defaults.isUndefined() || defaults.type() == Value::Type::Null) return ok();
  if (defaults.type() != Value::Type::Object)
    return makeError(ErrorKind::Config, format("Invalid pool defaults: must be an object, got {} ({})",
                                               defaults.typeName(), defaults.describe()));
  WRE_TRY(parseConfigDefaults(defaults));
  defaults_ = defaults;
  return ok();
}

Result<Value> Pool::configFor(std::string_view id, const Value& overrides) const {
  Value config = defaults_;
  if (!overrides.isUndefined() && overrides.type() != Value::Type::Null) {
    if (overrides.type() != Value::Type::Object)
      return makeError(ErrorKind::Config,
                       format("createPeer('{}'): overrides must be an object, got {}", id, overrides.describe()));
    for (const auto& [key, value] : overrides.fields()) {
      if (key == "peerId" && !(value.type() == Value::Type::String && value.asString() == id))
        return makeError(
            ErrorKind::Config,
            format("createPeer('{}'): overrides.peerId {} differs from the id; leave it out", id, value.describe()));
      if (!value.isUndefined()) config.set(key, value);
    }
  }
  config.set("peerId", Value::string(std::string(id)));
  return config;
}

// ---- members ----

Pool::Entry* Pool::entry(std::string_view id) const {
  auto it = byId_.find(std::string(id));
  return it == byId_.end() ? nullptr : it->second;
}

PoolMember* Pool::find(std::string_view id) const {
  Entry* e = entry(id);
  return e ? e->member.get() : nullptr;
}

Result<Pool::MemberKey> Pool::add(std::string id, std::unique_ptr<PoolMember> member) {
  if (closed_)
    return makeError(ErrorKind::InvalidState, format("createPeer('{}'): the pool was closed by closeAll()", id));
  if (byId_.count(id))
    return makeError(ErrorKind::Initialization, format("createPeer('{}'): a peer with this id is already in the pool; "
                                                       "ids must be unique (removePeer() it first)",
                                                       id));
  auto e = std::make_unique<Entry>();
  e->id = std::move(id);
  e->key = nextKey_++;
  e->member = std::move(member);
  Entry* raw = e.get();
  entries_.push_back(std::move(e));
  byId_.emplace(raw->id, raw);
  byKey_.emplace(raw->key, raw);
  return raw->key;
}

void Pool::closeAndUnregister(Entry& e) {
  timers_.cancelAll(e.key);
  if (Peer* p = e.member->peer()) p->close();
  timers_.cancelAll(e.key);  // anything the close itself scheduled
  e.live = false;
  byId_.erase(e.id);
  byKey_.erase(e.key);
}

Result<void> Pool::remove(std::string_view id) {
  Outbox::Scope scope(outbox_);
  Entry* e = entry(id);
  if (!e) {
    if (closed_)
      return makeError(ErrorKind::InvalidState, format("removePeer('{}'): the pool was closed by closeAll()", id));
    return makeError(ErrorKind::InvalidState, format("removePeer('{}'): no peer with this id in the pool", id));
  }
  closeAndUnregister(*e);
  return ok();
}

void Pool::closeAll() {
  Outbox::Scope scope(outbox_);
  if (closed_) return;
  closed_ = true;
  for (auto& e : entries_)
    if (e->live) closeAndUnregister(*e);
}

void Pool::collect() {
  if (outbox_.open() || outbox_.delivering()) return;
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [](const auto& e) { return !e->live; }),
                 entries_.end());
}

size_t Pool::parked() const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return !e->live; }));
}

// ---- queries ----

PoolStats Pool::stats() const {
  PoolStats s;
  for (const auto& e : entries_) {
    if (!e->live) continue;
    Peer* p = e->member->peer();
    PeerState state = p ? p->state() : PeerState::New;
    ++s.total;
    ++s.states[static_cast<size_t>(state)];
    if (state == PeerState::Connected) ++s.connected;
  }
  return s;
}

std::vector<std::string> Pool::ids(std::optional<PeerState> state) const {
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    if (!e->live) continue;
    if (state) {
      Peer* p = e->member->peer();
      if ((p ? p->state() : PeerState::New) != *state) continue;
    }
    out.push_back(e->id);
  }
  return out;
}

// ---- broadcast ----

Result<BroadcastReport> Pool::broadcast(int channel, std::optional<std::string_view> excludeId,
                                        const std::function<Payload()>& make) {
  if (closed_) return makeError(ErrorKind::InvalidState, "broadcast(): the pool was closed by closeAll()");
  if (channel < 0 || channel >= kUserChannels)
    return makeError(ErrorKind::Send, format("broadcast(): unknown channel id {}", channel));
  if (excludeId && !entry(*excludeId))
    return makeError(ErrorKind::Send, format("broadcast(): excludeId '{}' is not a peer of this pool", *excludeId));
  BroadcastReport report;
  Outbox::Scope scope(outbox_);  // the recipients' events reach listeners after the loop
  for (auto& entry : entries_) {
    Entry& e = *entry;
    if (!e.live) continue;
    if (excludeId && e.id == *excludeId) continue;
    Peer* p = e.member->peer();
    if (!p || p->state() != PeerState::Connected) continue;
    ++report.recipients;
    // Peer::send emits `error` on refusal itself; a full queue refuses before touching the browser.
    if (auto sent = p->send(channel, make()); sent)
      ++report.accepted;
    else
      report.failures.push_back({e.id, sent.error()});
  }
  return report;
}

// ---- shared timers ----

void Pool::setTimer(MemberKey member, TimerId id, double nowMs, double delayMs) {
  timers_.set(member, id, nowMs, delayMs);
}

void Pool::cancelTimer(MemberKey member, TimerId id) { timers_.cancel(member, id); }

size_t Pool::onAlarm(double nowMs) {
  Outbox::Scope scope(outbox_);  // every timer of the pass runs before any listener
  return timers_.ring(nowMs, [this](MemberKey owner, TimerId id) {
    auto it = byKey_.find(owner);
    if (it == byKey_.end()) return false;
    it->second->member->onTimer(id);
    return true;
  });
}

}  // namespace wre
