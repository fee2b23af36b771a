#include <algorithm>
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>

#include "fake_driver.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/config.hpp"
#include "peer/wre_messages.hpp"
#include "pool/pool.hpp"
#include "pool/timer_queue.hpp"

using namespace wre;
using namespace wre::test;

namespace {

// A fake driver whose timers go to the pool's shared deadline list, as JsDriver's do in a pool.
class PooledDriver : public FakeDriver {
 public:
  Pool* pool = nullptr;
  Pool::MemberKey key = 0;
  size_t* setTimerCalls = nullptr;
  const double* clock = nullptr;  // the pool's clock, shared by every member
  void setTimer(TimerId id, double delayMs) override {
    if (setTimerCalls) ++*setTimerCalls;
    pool->setTimer(key, id, nowMs(), delayMs);
  }
  double nowMs() override { return clock ? *clock : now; }
  void cancelTimer(TimerId id) override { pool->cancelTimer(key, id); }
};

struct Member : PoolMember {
  PooledDriver driver;
  HookLog log;
  std::optional<Peer> core;
  std::vector<TimerId> fired;
  std::function<void(TimerId)> onFire;
  int* destroyed = nullptr;

  Member(Pool& pool, const std::string& id, double maxQueued = 16.0 * 1024 * 1024, bool metrics = false,
         double maxBuffered = 16.0 * 1024 * 1024) {
    driver.pool = &pool;
    Config c;
    c.peerId = id;
    c.maxQueuedBytes = maxQueued;
    c.maxBufferedAmount = maxBuffered;
    c.lowWaterMark = std::min(c.lowWaterMark, maxBuffered - 1);
    c.metricsEnabled = metrics;  // a periodic timer per connected peer: only where a test wants it
    core.emplace(c, driver, log, &pool.outbox());
    core->scheduler().setReportSent(true);  // as a pool with a message-sent listener
  }
  ~Member() override {
    if (destroyed) ++*destroyed;
  }
  Peer* peer() override { return core ? &*core : nullptr; }
  void onTimer(TimerId id) override {
    fired.push_back(id);
    core->onTimer(id);
    if (onFire) onFire(id);
  }
};

class FakeAlarm : public Alarm {
 public:
  std::optional<double> due;
  int sets = 0, clears = 0;
  void set(double d) override {
    due = d;
    ++sets;
  }
  void clear() override {
    due.reset();
    ++clears;
  }
};

const SessionDescription kAnswer{"answer", "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"};

// A pool of members with a given shape; members are reachable by id.
struct Fixture {
  FakeAlarm alarm;
  Pool pool{&alarm};
  std::map<std::string, Member*> m;
  int destroyed = 0;
  double clock = 0;

  // The alarm goes off: the clock moves to its deadline and the pool runs what is due.
  size_t ring() { return ringAt(*alarm.due); }
  size_t ringAt(double t) {
    clock = t;
    alarm.due.reset();  // a host timer that went off is no longer pending
    return pool.onAlarm(clock);
  }

  Member& add(const std::string& id, double maxQueued = 16.0 * 1024 * 1024, bool metrics = false,
              double maxBuffered = 16.0 * 1024 * 1024) {
    auto member = std::make_unique<Member>(pool, id, maxQueued, metrics, maxBuffered);
    Member* raw = member.get();
    raw->destroyed = &destroyed;
    raw->driver.clock = &clock;
    auto key = pool.add(id, std::move(member));
    REQUIRE(key);
    raw->driver.key = key.value();
    REQUIRE(raw->core->start());
    m[id] = raw;
    return *raw;
  }

  // Offerer through to connected, with the four user channels open.
  static void connect(Member& x) {
    auto offer = x.core->createOffer();
    REQUIRE(offer);
    x.core->onDescription(offer.value(), {"offer", "v=0\r\n"});
    auto set = x.core->setRemoteAnswer(kAnswer);
    REQUIRE(set);
    x.core->onRequestDone(set.value());
    x.core->onConnectionState("connected");
    for (int c = 0; c < kUserChannels; ++c) x.core->onChannelOpen(c);
  }

  static size_t sentOn(const Member& x, int channel) {
    size_t n = 0;
    for (const auto& [c, _] : x.driver.sent) n += c == channel;
    return n;
  }
};

std::function<Payload()> payloadOf(const std::string& bytes, size_t* made = nullptr) {
  return [bytes, made] {
    if (made) ++*made;
    return bytesPayload(bytes);
  };
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TimerQueue

TEST_CASE("timer queue: earliest first, FIFO among equal deadlines, cancel and move") {
  TimerQueue q;
  q.schedule(1, 1, 300);
  q.schedule(2, 1, 100);
  q.schedule(3, 7, 100);
  q.schedule(1, 2, 200);
  CHECK(q.size() == 4);
  CHECK(q.nextDue() == 100);
  auto before = q.nextSequence();
  auto a = q.popDue(150, before);
  auto b = q.popDue(150, before);
  REQUIRE(a);
  REQUIRE(b);
  CHECK((a->owner == 2 && a->id == 1));  // scheduled before (3, 7): first among equals
  CHECK((b->owner == 3 && b->id == 7));
  CHECK_FALSE(q.popDue(150, before));
  q.schedule(1, 1, 50);  // moves, does not duplicate
  CHECK(q.size() == 2);
  CHECK(q.nextDue() == 50);
  CHECK(q.cancel(1, 1));
  CHECK_FALSE(q.cancel(1, 1));
  CHECK(q.nextDue() == 200);
}

TEST_CASE("timer queue: cancelAll takes every timer of one owner and no other") {
  TimerQueue q;
  for (TimerId id = 1; id <= 5; ++id) {
    q.schedule(7, id, id * 10.0);
    q.schedule(8, id, id * 10.0);
  }
  q.schedule(UINT32_MAX, 1, 5);
  CHECK(q.cancelAll(7) == 5);
  CHECK(q.size() == 6);
  CHECK(q.cancelAll(UINT32_MAX) == 1);
  CHECK(q.cancelAll(9) == 0);
  CHECK(q.size() == 5);
}

TEST_CASE("timer queue: a timer scheduled during a pass waits for the next pass") {
  TimerQueue q;
  q.schedule(1, 1, 10);
  auto before = q.nextSequence();
  REQUIRE(q.popDue(10, before));
  q.schedule(1, 2, 10);  // re-armed with no delay while the pass runs
  CHECK_FALSE(q.popDue(10, before));
  CHECK(q.popDue(10, q.nextSequence()));
}

TEST_CASE("timer queue: deadlines are coalesced onto nested grids, at most 1 ms early, late by at most delay/16") {
  CHECK(TimerQueue::gridFor(0) == 0);
  CHECK(TimerQueue::gridFor(15) == 0);
  CHECK(TimerQueue::gridFor(16) == 1);
  CHECK(TimerQueue::gridFor(1000) == 32);
  CHECK(TimerQueue::gridFor(5000) == 256);
  CHECK(TimerQueue::gridFor(30000) == 256);
  for (double delay : {0.0, 3.0, 16.0, 100.0, 999.0, 1000.0, 5000.0, 30000.0}) {
    for (double now = 0; now < 2000; now += 37.3) {
      double due = TimerQueue::deadline(now, delay);
      CHECK(due >= now + delay - TimerQueue::kAlignSlackMs);  // (a deadline just past the grid stays on it)
      CHECK(due - (now + delay) <= std::max(delay / 16, 0.0) + 1e-9);
    }
  }
  // 100 peers created over 1 s, each with a 5 s periodic timer: a handful of ticks, not 100.
  std::set<double> ticks;
  for (int i = 0; i < 100; ++i) ticks.insert(TimerQueue::deadline(i * 10.0, 5000));
  CHECK(ticks.size() <= 5);
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping

TEST_CASE("pool bookkeeping: ids in creation order, lookups, duplicates and unknown ids") {
  Fixture f;
  f.add("a");
  f.add("b");
  f.add("c");
  CHECK(f.pool.size() == 3);
  CHECK(f.pool.ids() == std::vector<std::string>{"a", "b", "c"});
  CHECK(f.pool.find("b") == f.m["b"]);
  CHECK(f.pool.find("zz") == nullptr);

  auto dup = f.pool.add("b", std::make_unique<Member>(f.pool, "b"));
  REQUIRE_FALSE(dup);
  CHECK(dup.error().kind == ErrorKind::Initialization);
  CHECK(dup.error().message.find("'b'") != std::string::npos);
  CHECK(dup.error().message.find("already in the pool") != std::string::npos);
  CHECK(f.pool.size() == 3);

  auto unknown = f.pool.remove("nope");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == ErrorKind::InvalidState);
  CHECK(unknown.error().message == "removePeer('nope'): no peer with this id in the pool");

  REQUIRE(f.pool.remove("b"));
  CHECK(f.m["b"]->driver.closed);
  CHECK(f.m["b"]->core->state() == PeerState::Closed);
  CHECK(f.m["b"]->log.states().back() == "closed");
  CHECK(f.pool.ids() == std::vector<std::string>{"a", "c"});
  CHECK_FALSE(f.pool.remove("b"));  // gone now
  // Destroyed only at collect(), never during the call that removed it.
  CHECK(f.destroyed == 0);
  CHECK(f.pool.parked() == 1);
  f.pool.collect();
  CHECK(f.destroyed == 1);
  CHECK(f.pool.parked() == 0);

  f.add("b");  // the id is free again
  CHECK(f.pool.ids() == std::vector<std::string>{"a", "c", "b"});
}

TEST_CASE("pool defaults: every field checked like a peer config, peerId refused") {
  Pool pool;
  CHECK(pool.setDefaults(Value()));
  Value good = Value::object();
  good.set("metricsEnabled", Value::boolean(true)).set("reconnectMaxAttempts", Value::number(3));
  CHECK(pool.setDefaults(good));

  Value typo = Value::object();
  typo.set("conectionTimeout", Value::number(5));
  auto r = pool.setDefaults(typo);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "Invalid pool defaults: conectionTimeout is not a known config field");

  Value bad = Value::object();
  bad.set("connectionTimeout", Value::string("soon"));
  r = pool.setDefaults(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("Invalid pool defaults: connectionTimeout must be a number") == 0);

  Value withId = Value::object();
  withId.set("peerId", Value::string("x"));
  r = pool.setDefaults(withId);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("peerId may not be a default") != std::string::npos);

  CHECK_FALSE(pool.setDefaults(Value::number(3)));
  // The refused ones left the valid defaults in place.
  auto config = pool.configFor("a", Value());
  REQUIRE(config);
  CHECK(config.value()["reconnectMaxAttempts"].asNumber() == 3);
}

TEST_CASE("a pool peer's config: the defaults, the overrides on top field by field, its id") {
  Pool pool;
  Value defaults = Value::object();
  defaults.set("connectionTimeout", Value::number(60000)).set("reconnectMaxAttempts", Value::number(3));
  REQUIRE(pool.setDefaults(defaults));

  Value overrides = Value::object();
  overrides.set("connectionTimeout", Value::number(300))
      .set("reconnectMaxAttempts", Value());  // undefined: the default
  overrides.set("metricsEnabled", Value::boolean(false));
  auto config = pool.configFor("quick", overrides);
  REQUIRE(config);
  CHECK(config.value()["connectionTimeout"].asNumber() == 300);
  CHECK(config.value()["reconnectMaxAttempts"].asNumber() == 3);
  CHECK_FALSE(config.value()["metricsEnabled"].asBool());
  CHECK(config.value()["peerId"].asString() == "quick");
  CHECK(parseConfig(config.value()));

  Value sameId = Value::object();
  sameId.set("peerId", Value::string("quick"));
  CHECK(pool.configFor("quick", sameId));
  Value otherId = Value::object();
  otherId.set("peerId", Value::string("c"));
  auto r = pool.configFor("b", otherId);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "createPeer('b'): overrides.peerId 'c' differs from the id; leave it out");
  r = pool.configFor("b", Value::string("fast"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "createPeer('b'): overrides must be an object, got 'fast'");
  // Defaults are the pool's copy: the first peer's overrides did not change them.
  CHECK(pool.configFor("d", Value()).value()["connectionTimeout"].asNumber() == 60000);
}

TEST_CASE("pool state counts follow every peer's state") {
  Fixture f;
  for (auto id : {"n1", "n2", "c1", "c2", "c3", "x1", "f1"}) f.add(id);
  auto s = f.pool.stats();
  CHECK(s.total == 7);
  CHECK(s.states[static_cast<size_t>(PeerState::New)] == 7);

  REQUIRE(f.m["x1"]->core->createOffer());  // connecting
  for (auto id : {"c1", "c2", "c3"}) Fixture::connect(*f.m[id]);
  Fixture::connect(*f.m["f1"]);
  f.m["f1"]->core->onConnectionState("failed");
  f.m["c3"]->core->onConnectionState("disconnected");

  s = f.pool.stats();
  CHECK(s.total == 7);
  CHECK(s.connected == 2);
  CHECK(s.states[static_cast<size_t>(PeerState::New)] == 2);
  CHECK(s.states[static_cast<size_t>(PeerState::Connecting)] == 1);
  CHECK(s.states[static_cast<size_t>(PeerState::Connected)] == 2);
  CHECK(s.states[static_cast<size_t>(PeerState::Disconnected)] == 1);
  CHECK(s.states[static_cast<size_t>(PeerState::Failed)] == 1);
  CHECK(s.states[static_cast<size_t>(PeerState::Closed)] == 0);
  CHECK(f.pool.ids(PeerState::Connected) == std::vector<std::string>{"c1", "c2"});

  // A peer's close events reach the listeners once removePeer() is done: it is gone by then.
  PoolStats during;
  f.m["c1"]->log.hook = [&](const PeerEvent& e) {
    if (std::holds_alternative<event::Closed>(e)) during = f.pool.stats();
  };
  REQUIRE(f.pool.remove("c1"));
  CHECK(during.total == 6);
  CHECK(during.states[static_cast<size_t>(PeerState::Closed)] == 0);
  CHECK(during.connected == 1);
  s = f.pool.stats();
  CHECK(s.total == 6);
  CHECK(s.states[static_cast<size_t>(PeerState::Closed)] == 0);
}

// ---------------------------------------------------------------------------------------------
// Broadcast

TEST_CASE("broadcast reaches every connected peer but the excluded one, through each peer's send") {
  Fixture f;
  for (auto id : {"a", "b", "c", "d"}) Fixture::connect(f.add(id));
  f.add("idle");  // never connected: not a recipient
  size_t made = 0;
  auto r = f.pool.broadcast(kReliable, std::string_view("b"), payloadOf("hello", &made));
  REQUIRE(r);
  CHECK(r.value().recipients == 3);
  CHECK(r.value().accepted == 3);
  CHECK(r.value().failures.empty());
  CHECK(r.value().summary().empty());
  CHECK(made == 3);  // one handle per recipient, none for the others
  for (auto id : {"a", "c", "d"}) {
    REQUIRE(f.m[id]->driver.sent.size() == 1);
    CHECK(f.m[id]->driver.sent[0] == std::pair<int, std::string>{kReliable, "hello"});
  }
  CHECK(f.m["b"]->driver.sent.empty());
  CHECK(f.m["idle"]->driver.sent.empty());

  r = f.pool.broadcast(kFile, std::nullopt, payloadOf("all"));
  REQUIRE(r);
  CHECK(r.value().recipients == 4);
  CHECK(Fixture::sentOn(*f.m["b"], kFile) == 1);
}

TEST_CASE("broadcast refuses bad calls before sending anything") {
  Fixture f;
  Fixture::connect(f.add("a"));
  auto r = f.pool.broadcast(kReliable, std::string_view("ghost"), payloadOf("x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "broadcast(): excludeId 'ghost' is not a peer of this pool");
  r = f.pool.broadcast(kWre, std::nullopt, payloadOf("x"));  // library channel
  REQUIRE_FALSE(r);
  r = f.pool.broadcast(-1, std::nullopt, payloadOf("x"));
  REQUIRE_FALSE(r);
  CHECK(f.m["a"]->driver.sent.empty());
}

TEST_CASE("broadcast with a slow peer: it queues, then refuses at its bound; the others never wait") {
  Fixture f;
  for (auto id : {"a", "b", "c"}) Fixture::connect(f.add(id));
  // The slow peer's browser buffer takes one 1 KiB message and never drains by itself here; its
  // queue holds at most 10 KiB.
  Member& slow = f.add("slow", 10 * 1024, false, 1024);
  Fixture::connect(slow);
  std::string msg(1024, 'x');

  size_t refusedAt = 0;
  for (size_t i = 1; i <= 20; ++i) {
    auto r = f.pool.broadcast(kReliable, std::nullopt, payloadOf(msg));
    REQUIRE(r);
    CHECK(r.value().recipients == 4);
    if (!r.value().failures.empty() && refusedAt == 0) {
      refusedAt = i;
      REQUIRE(r.value().failures.size() == 1);
      CHECK(r.value().failures[0].peerId == "slow");
      CHECK(r.value().failures[0].error.kind == ErrorKind::Send);
      CHECK(r.value().accepted == 3);
      CHECK(r.value().summary().find("1 of 4 connected peers refused the message: 'slow'") != std::string::npos);
      CHECK(r.value().summary().find("the other 3 sent or queued it") != std::string::npos);
    }
  }
  // The first goes to the browser (the scheduler learns its buffer is full from that send), the
  // next 10 × 1 KiB are queued, the 12th would pass the bound.
  CHECK(refusedAt == 12);
  // The fast peers got all 20 straight to the browser; the slow one holds exactly its bound.
  for (auto id : {"a", "b", "c"}) CHECK(Fixture::sentOn(*f.m[id], kReliable) == 20);
  CHECK(Fixture::sentOn(slow, kReliable) == 1);
  CHECK(slow.core->queuedBytes() == 10 * 1024);
  CHECK(slow.core->queuedMessages() == 10);
  // Its own error events, one per refusal (the pool re-emits these with its id).
  CHECK(slow.log.count<event::ErrorRaised>() == 9);
  CHECK(slow.log.count<event::Backpressure>() == 1);

  // It drains as the browser catches up (one message per drain here); the next broadcast reaches it.
  for (int i = 0; i < 10; ++i) {
    slow.driver.buffered[kReliable] = 0;
    slow.core->onBufferedAmountLow(kReliable);
  }
  CHECK(Fixture::sentOn(slow, kReliable) == 11);
  auto r = f.pool.broadcast(kReliable, std::nullopt, payloadOf(msg));
  REQUIRE(r);
  CHECK(r.value().failures.empty());
}

TEST_CASE("a peer whose browser send throws is reported, and the fan-out goes on") {
  Fixture f;
  for (auto id : {"a", "b", "c"}) Fixture::connect(f.add(id));
  f.m["b"]->driver.throwOnSend = true;
  auto r = f.pool.broadcast(kControl, std::nullopt, payloadOf("x"));
  REQUIRE(r);
  REQUIRE(r.value().failures.size() == 1);
  CHECK(r.value().failures[0].peerId == "b");
  CHECK(Fixture::sentOn(*f.m["a"], kControl) == 1);
  CHECK(Fixture::sentOn(*f.m["c"], kControl) == 1);
}

// ---------------------------------------------------------------------------------------------
// Re-entrancy: listeners that call the pool back

TEST_CASE("listeners run after the broadcast: removals and additions there change nothing under the loop") {
  Fixture f;
  for (auto id : {"a", "b", "c", "d", "e"}) Fixture::connect(f.add(id));
  // a's message-sent listener removes itself, c and d; b's listener adds a new peer.
  f.m["a"]->log.hook = [&](const PeerEvent& e) {
    if (!std::holds_alternative<event::MessageSent>(e)) return;
    f.m["a"]->log.hook = nullptr;
    REQUIRE(f.pool.remove("a"));
    REQUIRE(f.pool.remove("c"));
    REQUIRE(f.pool.remove("d"));
    f.pool.collect();  // refused while events are being delivered
  };
  f.m["b"]->log.hook = [&](const PeerEvent& e) {
    if (!std::holds_alternative<event::MessageSent>(e)) return;
    f.m["b"]->log.hook = nullptr;
    Fixture::connect(f.add("late"));
  };
  auto r = f.pool.broadcast(kReliable, std::nullopt, payloadOf("m"));
  REQUIRE(r);
  CHECK(r.value().recipients == 5);  // every listener ran after the fan-out
  for (auto id : {"a", "b", "c", "d", "e"}) CHECK(Fixture::sentOn(*f.m[id], kReliable) == 1);
  CHECK(Fixture::sentOn(*f.m["late"], kReliable) == 0);
  // c's message-sent was delivered (by the first removal's own delivery) before its close: the
  // order stays that of the core, and nothing follows `closed`.
  CHECK(f.m["c"]->log.count<event::MessageSent>() == 1);
  CHECK(f.m["c"]->log.count<event::Closed>() == 1);
  CHECK(std::holds_alternative<event::Closed>(f.m["c"]->log.events.back()));
  CHECK(f.destroyed == 0);
  CHECK(f.pool.ids() == std::vector<std::string>{"b", "e", "late"});
  f.pool.collect();
  CHECK(f.destroyed == 3);
}

TEST_CASE("a peer removed again from its own close events is unknown; closeAll from a listener") {
  Fixture f;
  for (auto id : {"a", "b", "c"}) Fixture::connect(f.add(id));
  int nested = 0;
  f.m["a"]->log.hook = [&](const PeerEvent& e) {
    if (std::holds_alternative<event::Closed>(e)) {
      ++nested;
      auto again = f.pool.remove("a");  // already gone when its close events are delivered
      REQUIRE_FALSE(again);
      CHECK(again.error().message == "removePeer('a'): no peer with this id in the pool");
    }
  };
  REQUIRE(f.pool.remove("a"));
  CHECK(nested == 1);

  f.m["b"]->log.hook = [&](const PeerEvent& e) {
    if (std::holds_alternative<event::MessageSent>(e)) f.pool.closeAll();
  };
  auto r = f.pool.broadcast(kReliable, std::nullopt, payloadOf("m"));
  REQUIRE(r);
  CHECK(r.value().recipients == 2);
  CHECK(Fixture::sentOn(*f.m["c"], kReliable) == 1);
  CHECK(f.m["c"]->log.count<event::MessageSent>() == 0);  // closed before it was delivered
  CHECK(f.m["c"]->log.count<event::Closed>() == 1);
  CHECK(f.pool.size() == 0);
  f.pool.collect();
  CHECK(f.destroyed == 3);
}

TEST_CASE("a far side's bye closes a pool peer; it counts as closed until the app removes it from the listener") {
  Fixture f;
  for (auto id : {"a", "b"}) Fixture::connect(f.add(id));
  Member& a = *f.m["a"];
  a.core->onChannelOpen(kWre);
  a.core->onLibraryMessage(kWre, kHello);
  std::optional<PoolStats> during;
  std::optional<Result<void>> removed;
  a.log.hook = [&](const PeerEvent& e) {
    if (!std::holds_alternative<event::Closed>(e)) return;
    during = f.pool.stats();
    removed = f.pool.remove("a");  // what the JS wrapper does once the core closed by itself
  };
  a.core->onLibraryMessage(kWre, kBye);
  REQUIRE(during);
  CHECK(during->total == 2);
  CHECK(during->connected == 1);
  CHECK(during->states[static_cast<size_t>(PeerState::Closed)] == 1);
  REQUIRE(removed);
  CHECK(removed->has_value());
  CHECK(a.log.all<event::Closed>().at(0).reason == CloseReason::RemoteClosed);
  CHECK(a.log.count<event::Closed>() == 1);
  CHECK(f.pool.ids() == std::vector<std::string>{"b"});
  CHECK(f.pool.ids(PeerState::Connected) == std::vector<std::string>{"b"});
  f.pool.collect();
  CHECK(f.destroyed == 1);
}

TEST_CASE("closeAll closes every peer in order and the pool refuses work after it") {
  Fixture f;
  for (auto id : {"a", "b", "c"}) Fixture::connect(f.add(id));
  std::vector<std::string> order;
  for (auto id : {"a", "b", "c"}) {
    std::string name = id;
    f.m[id]->log.hook = [&, name](const PeerEvent& e) {
      if (!std::holds_alternative<event::Closed>(e)) return;
      order.push_back(name);
      if (name == "a") {
        // A listener trying to add, or to remove another, during closeAll.
        auto added = f.pool.add("new", std::make_unique<Member>(f.pool, "new"));
        REQUIRE_FALSE(added);
        CHECK(added.error().message == "createPeer('new'): the pool was closed by closeAll()");
        CHECK_FALSE(f.pool.remove("c"));  // already closed with the rest
      }
    };
  }
  f.pool.closeAll();
  CHECK(order == std::vector<std::string>{"a", "b", "c"});
  for (auto id : {"a", "b", "c"}) CHECK(f.m[id]->core->state() == PeerState::Closed);
  auto s = f.pool.stats();
  CHECK(s.total == 0);
  CHECK(s.connected == 0);
  f.pool.closeAll();  // idempotent

  auto removed = f.pool.remove("a");
  REQUIRE_FALSE(removed);
  CHECK(removed.error().message == "removePeer('a'): the pool was closed by closeAll()");
  auto b = f.pool.broadcast(kReliable, std::nullopt, payloadOf("x"));
  REQUIRE_FALSE(b);
  CHECK(b.error().message == "broadcast(): the pool was closed by closeAll()");
  f.pool.collect();
  CHECK(f.destroyed == 3);
}

// ---------------------------------------------------------------------------------------------
// Shared timers

TEST_CASE("shared timers: 100 peers' connection timeouts cost one alarm and fire in one pass") {
  Fixture f;
  size_t setTimerCalls = 0;
  for (int i = 0; i < 100; ++i) {
    Member& x = f.add("p" + std::to_string(i));
    x.driver.setTimerCalls = &setTimerCalls;
    f.clock = i * 2.0;               // created over 200 ms
    REQUIRE(x.core->createOffer());  // starts its connection timeout (30 s)
  }
  CHECK(setTimerCalls == 100);
  CHECK(f.pool.timers().size() == 100);
  CHECK(f.alarm.sets == 1);  // every later deadline is after the armed one
  REQUIRE(f.alarm.due);
  CHECK(*f.alarm.due >= 30000);

  // Half connect: their timeouts are cancelled; the alarm is left (it will find less to do).
  for (int i = 0; i < 100; i += 2) f.m["p" + std::to_string(i)]->core->onConnectionState("connected");
  CHECK(f.pool.timers().size() == 50);

  // Deadlines 30002..30198 sit on a 256 ms grid: one tick (30208) for all of them.
  size_t ran = 0;
  int passes = 0;
  while (f.alarm.due && passes < 10) {
    ran += f.ring();
    ++passes;
  }
  CHECK(passes == 1);
  CHECK(ran == 50);
  auto s = f.pool.stats();
  CHECK(s.connected == 50);
  CHECK(s.states[static_cast<size_t>(PeerState::Failed)] == 50);
  CHECK(f.pool.timers().empty());
  CHECK_FALSE(f.alarm.due);  // nothing left: no host timer pending
  CHECK(f.m["p1"]->log.all<event::ErrorRaised>().back().error.kind == ErrorKind::ConnectionTimeout);
}

TEST_CASE("shared timers: an earlier deadline re-arms; a timer handler may remove peers due in the same pass") {
  Fixture f;
  Member& a = f.add("a");
  Member& b = f.add("b");
  Member& c = f.add("c");
  f.pool.setTimer(a.driver.key, 90, 0, 5000);
  CHECK(f.alarm.sets == 1);
  CHECK(*f.alarm.due == 5120);  // 5000 on a 256 ms grid
  f.pool.setTimer(b.driver.key, 91, 0, 1000);
  CHECK(f.alarm.sets == 2);
  CHECK(*f.alarm.due == 1024);  // 1000 on a 32 ms grid
  f.pool.setTimer(c.driver.key, 92, 0, 1000);
  CHECK(f.alarm.sets == 2);  // same tick: nothing to move

  b.onFire = [&](TimerId) { REQUIRE(f.pool.remove("c")); };
  CHECK(f.ringAt(1024) == 1);  // b's; c's was due in the same pass but c is gone
  CHECK(b.fired == std::vector<TimerId>{91});
  CHECK(c.fired.empty());
  CHECK(*f.alarm.due == 5120);  // re-armed for what is left

  a.onFire = [&](TimerId) { REQUIRE(f.pool.remove("a")); };  // a removes itself from its timer
  CHECK(f.ringAt(6000) == 1);
  CHECK(f.pool.ids() == std::vector<std::string>{"b"});
  CHECK(f.pool.timers().empty());
  CHECK_FALSE(f.alarm.due);
  CHECK(f.destroyed == 0);
  f.pool.collect();
  CHECK(f.destroyed == 2);
}

TEST_CASE("shared timers: 100 peers' periodic metrics ticks share a bounded number of wake-ups") {
  Fixture f;
  for (int i = 0; i < 100; ++i) {
    Member& x = f.add("p" + std::to_string(i), 16.0 * 1024 * 1024, true);
    f.clock = i * 20.0;  // connected one after another over 2 s
    Fixture::connect(x);
  }
  CHECK(f.pool.timers().size() == 100);  // one metrics tick each (interval 5000 ms)
  int wakeUps = 0;
  size_t ticks = 0;
  while (f.alarm.due && *f.alarm.due <= 60000 && wakeUps < 10000) {
    ticks += f.ring();
    ++wakeUps;
  }
  // Every peer ticked every 5 s, on the 1024 ms grid of the page clock (Peer::startTick): every
  // 5120 ms, 11 or 12 ticks each in 60 s.
  CHECK(ticks >= 100 * 11);
  CHECK(ticks <= 100 * 12);
  for (auto& [_, x] : f.m) CHECK(x->driver.count("getStats") == 1);  // (the fake never answers)
  // One wake-up per tick would be 1100. Shared and aligned: peers connected over 2 s sit on 3
  // instants of the grid, each every 5120 ms.
  CHECK(wakeUps <= 3 * 12);
  f.pool.closeAll();
  CHECK(f.pool.timers().empty());
  CHECK_FALSE(f.alarm.due);
}

TEST_CASE("shared timers: removing a peer cancels its pending timers") {
  Fixture f;
  Member& a = f.add("a");
  Member& b = f.add("b");
  REQUIRE(a.core->createOffer());
  REQUIRE(b.core->createOffer());
  CHECK(f.pool.timers().size() == 2);
  REQUIRE(f.pool.remove("a"));
  CHECK(f.pool.timers().size() == 1);
  f.pool.closeAll();
  CHECK(f.pool.timers().empty());
  CHECK_FALSE(f.alarm.due);
}
