// The stress test's page: pairs of library peers wired back to back through simulated browsers
// (stress_browser.hpp), standalone or in pools, with apps whose listeners call back into the core
// (send, close, removePeer, closeAll, createPeer, broadcast) at random events. One step is one
// browser callback, timer or app call, followed by everything its listeners do; after each step
// the invariants are checked (see checkStep). Nothing is destroyed while it may be on the stack:
// closed standalone peers and removed pool members go at the top of the next step, as the
// bindings' microtask does.
//
// Rebuilds (session resume): a peer that rebuilds gets a new connection from its SimBrowser (a new
// generation, its o= sess-id). Two browsers are linked (`far`) only for the generations that
// negotiated with each other (each applied the other's description, see relink()); the link comes
// up on them and their channels open anew. The ledger follows what the replay store sends again.
#pragma once

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "peer/peer.hpp"
#include "pool/pool.hpp"
#include "stress_browser.hpp"

namespace wre::stress {

inline constexpr size_t KiB = 1024, MiB = 1024 * 1024;

// What one run randomizes (chosen from the seed by World::randomProfile).
struct Profile {
  int pairs = 1;
  bool poolA = false, poolB = false;
  double chaos = 0.05;          // chance that a listener sends (or adds, broadcasts) on an event
  double closing = 0.002;       // chance that a listener closes, removes or closes all on an event
  int actionsPerStep = 6;       // at most this many listener actions per step (no endless echo)
  size_t byteBudget = 2 * MiB;  // app bytes a run may try to send
  double netLoss = 0.05;        // `unreliable` messages lost on the way
  bool bigMessages = false;     // up to 2 MiB (far ends that allow it)
  int steps = 300;
  int maxPairs = 5;
  // Only the 32 MiB scenario: no app chaos, one transfer.
  bool transfer = false;
};

class World;

struct StressAlarm : Alarm {
  std::optional<double> due;
  void set(double d) override { due = d; }
  void clear() override { due.reset(); }
};

struct Pair;

class Endpoint {
 public:
  class Sink : public EventSink {
   public:
    Sink(World& w, Endpoint& ep) : w_(w), ep_(ep) {}
    void onEvent(const PeerEvent& e) override;

   private:
    World& w_;
    Endpoint& ep_;
  };

  Endpoint(World& w, Env& env, int index, const Config& config, Pool* pool)
      : world(w), index(index), pool(pool), id(config.peerId), browser(env, index), sink(w, *this) {
    peer.emplace(config, browser, sink, pool ? &pool->outbox() : &ownBox);
  }
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  Outbox& outbox() { return pool ? pool->outbox() : ownBox; }
  bool live() const { return peer && peer->state() != PeerState::Closed; }

  World& world;
  const int index;  // in the ledger and World::facts_
  Pool* pool;
  std::string id;
  Pair* pair = nullptr;
  bool sideA = false;
  int farIndex = -1;
  // A standalone peer's outbox, held here rather than inside the Peer so the test can read
  // unscopedPosts(); the Peer uses it exactly as it would use its own.
  Outbox ownBox;
  SimBrowser browser;
  Sink sink;
  std::optional<Peer> peer;  // last member: destroyed first
};

struct Pair {
  Endpoint* a = nullptr;  // the offerer
  Endpoint* b = nullptr;
  bool up = false, failed = false, signaled = false, restartDone = false, everUp = false;
  std::array<std::vector<int>, 2> unopened;  // channels whose open event is still to come, per side
  std::array<int, 2> upGen{};                // each side's connection when the link last came up (0: never)
};

struct Member : PoolMember {
  std::unique_ptr<Endpoint> ep;
  Peer* peer() override { return ep->peer ? &*ep->peer : nullptr; }
  void onTimer(TimerId id) override { ep->peer->onTimer(id); }
};

class World {
 public:
  // What a run did, for WRE_STRESS_VERBOSE (is the test exercising what it should?).
  struct Stats {
    size_t firstLinkStep = 0;   // the first time a pair's link came up (0: never)
    size_t stepsLinked = 0;     // steps with a live pair linked
    size_t windowsDropped = 0;  // the 10 s file-ack stall fallback fired
    size_t rebuilds = 0;        // connections rebuilt (either side)
    size_t rebuildsKept = 0;    // ... with the replay store holding for the far side's counts
    size_t relinked = 0;        // links up on a rebuilt pair of connections
  } stats;

  // Outcome of a run: empty violation = clean.
  struct Outcome {
    std::string violation;
    std::string trace;
    size_t steps = 0, messages = 0, delivered = 0;
  };

  World(uint64_t seed, Profile profile) : env_(seed), prof_(profile) {}
  ~World() { teardown(); }

  static Profile randomProfile(Rng& r, bool pooled) {
    Profile p;
    p.pairs = pooled ? static_cast<int>(r.between(1, 3)) : static_cast<int>(r.between(1, 2));
    p.poolA = pooled;
    p.poolB = pooled && r.chance(0.5);
    static const double chaos[] = {0.0, 0.01, 0.03, 0.1, 0.3};
    p.chaos = chaos[r.below(5)];
    static const double closing[] = {0.0, 0.0005, 0.002, 0.01, 0.05};
    p.closing = closing[r.below(5)];
    p.byteBudget = r.chance(0.2) ? 8 * MiB : 2 * MiB;
    p.netLoss = r.chance(0.5) ? 0.0 : 0.1;
    p.bigMessages = r.chance(0.15);
    p.steps = static_cast<int>(r.between(100, 300));
    return p;
  }

  Env& env() { return env_; }
  const Profile& profile() const { return prof_; }

  // Runs a whole randomized life: setup, `steps` random steps, quiesce (every message on a channel
  // that is open must then arrive), close everything, final accounting.
  Outcome run() {
    setup();
    for (int i = 0; i < prof_.steps && ok(); ++i) randomStep();
    if (ok()) quiesce();
    if (ok()) closeEverything();
    return outcome();
  }

  bool ok() const { return env_.ledger.violation().empty(); }
  Outcome outcome() {
    Outcome o;
    o.violation = env_.ledger.violation();
    if (!o.violation.empty()) o.trace = "last steps:\n" + trace() + "state:\n" + describe();
    o.steps = stepNo_;
    o.messages = env_.ledger.messages();
    for (size_t id = 0; id < env_.ledger.messages(); ++id) o.delivered += env_.ledger.msg(id).fate == Fate::Delivered;
    return o;
  }
  void fail(const std::string& what) { env_.ledger.fail(what); }

  // ---- setup ----

  void setup() {
    if (prof_.poolA) poolA_ = std::make_unique<Pool>(&alarmA_);
    if (prof_.poolB) poolB_ = std::make_unique<Pool>(&alarmB_);
    for (int i = 0; i < prof_.pairs; ++i) addPair();
  }

  Config randomConfig(const std::string& id) {
    Rng& r = env_.rng;
    Config c;
    c.peerId = id;
    if (prof_.transfer) {
      c.maxQueuedBytes = 64.0 * MiB;  // the whole transfer fits: one synchronous loop
      // The scenario asks whether the transfer survives the outages, not whether a peer gives up:
      // its link flaps for hours of simulated time (the default 5 attempts may all fall in one flap).
      c.reconnectMaxAttempts = 50;
      return c;
    }
    static const double buffered[] = {16.0 * MiB, 16.0 * MiB, 1.0 * MiB, 256.0 * KiB, 64.0 * KiB, 8.0 * KiB};
    c.maxBufferedAmount = buffered[r.below(6)];
    switch (r.below(3)) {
      case 0:
        c.lowWaterMark = std::min(1.0 * MiB, std::floor(c.maxBufferedAmount / 2));
        break;  // parse's default
      case 1:
        c.lowWaterMark = 0;
        break;
      default:
        c.lowWaterMark = std::floor(c.maxBufferedAmount / 4);
        break;
    }
    static const double queued[] = {16.0 * MiB, 64.0 * MiB, 2.0 * MiB, 256.0 * KiB, 32.0 * KiB};
    c.maxQueuedBytes = queued[r.below(5)];
    c.metricsEnabled = r.chance(0.25);  // probes every 50 ms: costly here, and one peer in four is enough
    c.metricsInterval = r.chance(0.5) ? 5000 : 1000;
    static const int attempts[] = {5, 5, 5, 2, 0};
    c.reconnectMaxAttempts = attempts[r.below(5)];
    c.connectionTimeout = r.chance(0.8) ? 30000 : 5000;
    return c;
  }

  // A new pair of peers (A offers); refused when a pool they would join was closed by closeAll().
  // Each peer is started as soon as it exists, as the bindings' constructor and createPeer do: no
  // listener can reach a peer before its start(). A listener of A's first events may close B's
  // pool: A then stays alone.
  Pair* addPair() {
    if (pairs_.size() >= static_cast<size_t>(prof_.maxPairs)) return nullptr;
    if (poolA_ && poolA_->closed()) return nullptr;
    Endpoint* a = makeEndpoint(poolA_.get(), "a");
    if (!a) return nullptr;
    pairs_.push_back(std::make_unique<Pair>());
    Pair* p = pairs_.back().get();
    p->a = a;
    a->pair = p;
    a->sideA = true;
    endpointsDirty_ = true;
    start(*a);
    Endpoint* b = poolB_ && poolB_->closed() ? nullptr : makeEndpoint(poolB_.get(), "b");
    if (!b) return p;
    p->b = b;
    b->pair = p;
    endpointsDirty_ = true;
    a->farIndex = b->index;
    b->farIndex = a->index;
    if (!a->browser.closed) {
      a->browser.far = &b->browser;
      b->browser.far = &a->browser;
    }
    start(*b);
    if (prof_.transfer || env_.rng.chance(0.5))
      signals_.push_back({p, Signal::MakeOffer, {}, {}});
    else
      deliverSignal({p, Signal::MakeOffer, {}, {}});
    return p;
  }

  void start(Endpoint& e) {
    static const char* sizes[] = {"a=max-message-size:262144\r\n", "a=max-message-size:262144\r\n", "",
                                  "a=max-message-size:1073741823\r\n", "a=max-message-size:0\r\n"};
    e.browser.maxMessageSizeLine = prof_.transfer ? sizes[0] : sizes[env_.rng.below(5)];
    facts_[e.index].started = true;
    // Per-message events cost a JS object each: the bindings ask for them only while the app
    // listens (reportEvent). Half the peers here have such listeners.
    bool perMessage = env_.rng.chance(0.5);
    e.peer->scheduler().setReportSent(perMessage);
    e.peer->scheduler().setReportQueued(perMessage);
    if (!e.peer->start()) fail(fmt::format("peer {} did not start", e.id));
  }

  Endpoint* makeEndpoint(Pool* pool, const char* side) {
    int index = env_.ledger.addEndpoint();
    facts_.emplace_back();
    Config c = randomConfig(fmt::format("{}{}", side, index));
    if (!pool) {
      standalone_.push_back(std::make_unique<Endpoint>(*this, env_, index, c, nullptr));
      Endpoint* ep = standalone_.back().get();
      ep->browser.onRebuilt = [this, ep](int oldGen) { onRebuilt(*ep, oldGen); };
      return ep;
    }
    auto member = std::make_unique<Member>();
    member->ep = std::make_unique<Endpoint>(*this, env_, index, c, pool);
    Endpoint* ep = member->ep.get();
    ep->browser.onRebuilt = [this, ep](int oldGen) { onRebuilt(*ep, oldGen); };
    auto key = pool->add(c.peerId, std::move(member));
    if (!key) {
      fail("a pool refused a new member although it was open: " + key.error().message);
      return nullptr;
    }
    ep->browser.pool = pool;
    ep->browser.key = key.value();
    return ep;
  }

  // ---- events (every peer's sink) ----

  void onEvent(Endpoint& ep, const PeerEvent& e) {
    if (tearingDown_) return;
    const int i = ep.index;
    syncReplays(ep);  // before any listener may close it (the discard count includes them)
    if (debug_) {
      std::string extra;
      if (auto* d = std::get_if<event::MessageDropped>(&e)) extra = fmt::format(" dropped {} {}", d->size, d->reason);
      if (auto* q = std::get_if<event::MessageQueued>(&e)) extra = fmt::format(" queued {} on {}", q->size, q->channel);
      if (auto* q = std::get_if<event::MessageSent>(&e)) extra = fmt::format(" sent {} on {}", q->size, q->channel);
      if (auto* q = std::get_if<event::ErrorRaised>(&e)) extra = " error " + q->error.message;
      if (auto* q = std::get_if<event::StateChange>(&e))
        extra = fmt::format(" {} -> {}", toString(q->from), toString(q->to));
      if (auto* q = std::get_if<event::ChannelClose>(&e)) extra = fmt::format(" channel {}", q->channel);
      fmt::print("  [{}] {} event #{}{}\n", stepNo_, ep.id, e.index(), extra);
    }
    // (An app call on a closed peer is answered with one error; the JS wrapper refuses such calls
    // before they reach the core, and the harness counts the ones it makes: onClosed().)
    if (facts_[i].closedSeen) {
      if (std::holds_alternative<event::ErrorRaised>(e) && facts_[i].closedCallsAnswered < facts_[i].closedCalls)
        ++facts_[i].closedCallsAnswered;
      else
        fail(fmt::format("{} got an event (#{}) after `closed`", ep.id, e.index()));
    }
    if (const auto* s = std::get_if<event::StateChange>(&e)) {
      if (s->from == s->to) fail(fmt::format("{}: state-change from {} to itself", ep.id, toString(s->to)));
      if (s->to == PeerState::Closed) facts_[i].closedState = true;
    } else if (std::holds_alternative<event::Closed>(e)) {
      facts_[i].closedSeen = true;
      ++facts_[i].closedCount;
      if (!facts_[i].closedState) fail(fmt::format("{}: `closed` without a state-change to closed before it", ep.id));
      reports_.push_back({Report::CloseDone, i, 0, 0, 0});
    } else if (const auto* err = std::get_if<event::ErrorRaised>(&e)) {
      onError(ep, err->error);
    } else if (const auto* d = std::get_if<event::MessageDropped>(&e)) {
      if (d->channel != kUnreliable)
        fail(fmt::format("{} dropped a message on {}", ep.id, kChannels[d->channel].label));
      reports_.push_back({Report::Unreliable, i, d->channel, d->size, 0});
    } else if (const auto* done = std::get_if<event::RequestDone>(&e)) {
      settle(ep, done->id);
      onRequestDone(ep, *done);
    } else if (const auto* failed = std::get_if<event::RequestFailed>(&e)) {
      settle(ep, failed->id);
    } else if (const auto* reneg = std::get_if<event::RenegotiationNeeded>(&e)) {
      if (!ep.sideA) fail(fmt::format("{} (the answerer) made an ICE-restart offer", ep.id));
      carry(ep, Signal::OfferToB, reneg->offer, {});
    } else if (const auto* cand = std::get_if<event::IceCandidate>(&e)) {
      carry(ep, ep.sideA ? Signal::CandidateToB : Signal::CandidateToA, {}, cand->candidate);
    } else if (const auto* file = std::get_if<event::FileMessage>(&e)) {
      const auto& held = static_cast<const StressBytes&>(file->data->holder());
      auto& kept = ep.browser.heldByCore;
      kept.erase(std::remove(kept.begin(), kept.end(), held.id), kept.end());
      if (!facts_[i].closedSeen) appReceives(ep, kFile, WireMsg{held.id, held.size, nullptr});
    }
    if (prof_.transfer) return onTransferEvent(ep, e);
    listen(ep);
  }

  void onError(Endpoint& ep, const Error& error) {
    if (error.kind != ErrorKind::Send) return;
    const std::string& m = error.message;
    if (m.rfind("the far end acknowledged no 'file' data", 0) == 0) ++stats.windowsDropped;
    size_t n = 0, bytes = 0;
    char label[16] = {};
    // Replay store let go: what any connection so far lost may stay lost.
    if (m.rfind("the far side confirmed no delivered messages", 0) == 0 ||
        m.rfind("the far side came back as a new session", 0) == 0)
      return reports_.push_back({Report::Unkept, ep.index, 0, static_cast<size_t>(ep.browser.gen), 0});
    if (m.rfind("the connection was rebuilt and ", 0) == 0) {
      size_t lost[3] = {};
      size_t at = m.find("(control ");
      if (at == std::string::npos ||
          std::sscanf(m.c_str() + at, "(control %zu, reliable %zu, file %zu)", &lost[0], &lost[1], &lost[2]) != 3)
        return fail("a rebuild's loss report names no counts: " + m);
      for (int k = 0; k < 3; ++k)
        if (lost[k] > 0) reports_.push_back({Report::RebuildLost, ep.index, kCountedChannels[k], lost[k], 0});
      return;
    }
    // "close() discarded …", or "the far side's close discarded …" (it said bye).
    size_t discarded = m.find(" discarded ");
    if (discarded != std::string::npos &&
        std::sscanf(m.c_str() + discarded, " discarded %zu queued messages (%zu bytes)", &n, &bytes) == 2) {
      reports_.push_back({Report::Discard, ep.index, 0, n, bytes});
    } else if (std::sscanf(m.c_str(), "a queued %zu-byte message on '%15[^']'", &n, label) == 2) {
      auto channel = std::find_if(kChannels.begin(), kChannels.end(),
                                  [&](const auto& c) { return c.user && c.label == std::string_view(label); });
      if (channel == kChannels.end()) return fail("an oversize report names no user channel: " + m);
      reports_.push_back({Report::Oversize, ep.index, channel->id, n, 0});
    }
  }

  // ---- the apps' signaling (immediately from the listener, or later through `signals_`) ----

  struct Signal {
    Pair* pair;
    enum Kind { MakeOffer, OfferToB, AnswerToA, CandidateToA, CandidateToB } kind;
    SessionDescription description;
    CandidateInit candidate;
  };

  void carry(Endpoint& from, Signal::Kind kind, SessionDescription d, CandidateInit c) {
    if (!from.pair) return;
    Signal s{from.pair, kind, std::move(d), std::move(c)};
    if (!prof_.transfer && env_.rng.chance(0.3))
      deliverSignal(s);  // from inside the listener
    else
      signals_.push_back(std::move(s));
  }

  void deliverSignal(const Signal& s) {
    Endpoint* to = s.kind == Signal::MakeOffer || s.kind == Signal::AnswerToA || s.kind == Signal::CandidateToA
                       ? s.pair->a
                       : s.pair->b;
    if (!to) return;
    if (to->live())
      signalTo(s);
    else
      onClosed(*to, [&] { signalTo(s); });
  }

  void signalTo(const Signal& s) {
    Pair& p = *s.pair;
    switch (s.kind) {
      case Signal::MakeOffer:
        makeOffer(p);
        break;
      case Signal::OfferToB:
        if (p.b && p.b->peer)
          if (auto r = p.b->peer->createAnswer(s.description)) track(*p.b, r.value(), Purpose::Answer);
        break;
      case Signal::AnswerToA:
        if (p.a && p.a->peer)
          if (auto r = p.a->peer->setRemoteAnswer(s.description)) track(*p.a, r.value(), Purpose::SetAnswer);
        break;
      case Signal::CandidateToA:
      case Signal::CandidateToB: {
        Endpoint* to = s.kind == Signal::CandidateToA ? p.a : p.b;
        if (to && to->peer)
          if (auto r = to->peer->addIceCandidate(s.candidate); r && r.value())
            track(*to, *r.value(), Purpose::Candidate);
        break;
      }
    }
  }

  void makeOffer(Pair& p) {
    if (p.a && p.a->peer)
      if (auto r = p.a->peer->createOffer()) track(*p.a, r.value(), Purpose::Offer);
  }

  void onRequestDone(Endpoint& ep, const event::RequestDone& done) {
    if (done.description) {
      if (done.description->type == "offer") carry(ep, Signal::OfferToB, *done.description, {});
      if (done.description->type == "answer") carry(ep, Signal::AnswerToA, *done.description, {});
      return;
    }
    auto& f = facts_[ep.index];
    auto it = f.purpose.find(done.id);
    if (it != f.purpose.end() && it->second == Purpose::SetAnswer && ep.pair) {
      ep.pair->signaled = true;
      if (ep.pair->failed) ep.pair->restartDone = true;
    }
  }

  // Every request id the API returned settles exactly once (RequestDone or RequestFailed), even
  // across close(). Ids the app never saw (held candidates applied later) settle at most once.
  enum class Purpose { Offer, Answer, SetAnswer, Candidate };
  void track(Endpoint& ep, RequestId id, Purpose purpose) {
    auto& f = facts_[ep.index];
    f.purpose[id] = purpose;
    if (!f.settled.count(id)) f.outstanding.insert(id);  // (a listener may have closed it already)
  }
  void settle(Endpoint& ep, RequestId id) {
    auto& f = facts_[ep.index];
    if (!f.settled.insert(id).second) fail(fmt::format("{}: request {} settled twice", ep.id, id));
    f.outstanding.erase(id);
  }

  // ---- the apps ----

  // Every peer that exists: a copy, for loops that call into the core (a listener may add peers,
  // or close them, while the caller iterates).
  std::vector<Endpoint*> endpoints() const { return peers(); }
  // The same list itself, for loops that do not call into the core.
  const std::vector<Endpoint*>& peers() const {
    if (endpointsDirty_) {
      endpoints_.clear();
      for (const auto& p : pairs_)
        for (Endpoint* e : {p->a, p->b})
          if (e) endpoints_.push_back(e);
      endpointsDirty_ = false;
    }
    return endpoints_;
  }
  Endpoint* randomEndpoint() {
    const auto& all = peers();
    return all.empty() ? nullptr : all[env_.rng.below(all.size())];
  }
  Endpoint* partnerOf(Endpoint& ep) {
    if (!ep.pair) return nullptr;
    return ep.sideA ? ep.pair->b : ep.pair->a;
  }

  int randomChannel() {
    static const int channels[] = {kControl, kReliable, kReliable, kUnreliable, kFile, kFile};
    return channels[env_.rng.below(6)];
  }
  size_t randomSize() {
    Rng& r = env_.rng;
    uint64_t k = r.below(100);
    if (k < 55) return r.between(0, 1024);  // empty messages too
    if (k < 85) return r.between(1024, 16 * KiB);
    if (k < 96) return r.between(16 * KiB, 70 * KiB);
    if (k < 99 || !prof_.bigMessages) return r.between(70 * KiB, 300 * KiB);
    return r.between(300 * KiB, 2 * MiB);
  }

  // One send() as an app makes it; the ledger follows the message from here.
  bool sendOne(Endpoint& ep, int channel, size_t size) {
    if (!ep.peer || bytesTried_ >= prof_.byteBudget) return false;
    bytesTried_ += size;
    Payload payload = env_.ledger.attempt(ep.index, channel, size);
    uint64_t id = env_.ledger.messages() - 1;
    bool accepted = false;
    if (ep.live())
      accepted = static_cast<bool>(ep.peer->send(channel, std::move(payload)));
    else
      onClosed(ep, [&] { accepted = static_cast<bool>(ep.peer->send(channel, std::move(payload))); });
    env_.ledger.resolve(id, accepted);
    if (debug_) fmt::print("  [{}] {} send #{} {} bytes on {}: {}\n", stepNo_, ep.id, id, size, channel, accepted);
    return accepted;
  }

  // The JS wrapper refuses calls on a closed peer itself; now and then the core gets one anyway
  // (it must answer with an error and stay sound).
  template <class Call>
  void onClosed(Endpoint& ep, Call call) {
    if (!env_.rng.chance(0.2)) return;
    ++facts_[ep.index].closedCalls;
    call();
  }

  void closeEndpoint(Endpoint& ep) {
    if (!ep.peer) return;
    if (ep.pool && env_.rng.chance(0.6))
      (void)ep.pool->remove(ep.id);  // an error if it was removed already: fine
    else
      ep.peer->close();
  }

  void broadcast(Pool& pool, Endpoint* excluded) {
    Rng& r = env_.rng;
    std::optional<std::string_view> exclude;
    if (excluded && r.chance(0.5)) exclude = excluded->id;
    std::vector<Endpoint*> recipients;
    for (const auto& id : pool.ids(PeerState::Connected))
      if (!exclude || id != *exclude) recipients.push_back(static_cast<Member*>(pool.find(id))->ep.get());
    int channel = randomChannel();
    size_t size = randomSize();
    std::vector<uint64_t> made;
    auto make = [&]() -> Payload {
      Endpoint* to = made.size() < recipients.size() ? recipients[made.size()] : nullptr;
      if (!to) fail("broadcast() made more payloads than it had recipients");
      made.push_back(env_.ledger.messages());
      bytesTried_ += size;
      return env_.ledger.attempt(to ? to->index : 0, channel, size);
    };
    auto report = pool.broadcast(channel, exclude, make);
    std::set<std::string> refused;
    if (report) {
      if (report.value().recipients != made.size())
        fail(fmt::format("broadcast() reported {} recipients and made {} payloads", report.value().recipients,
                         made.size()));
      for (const auto& f : report.value().failures) refused.insert(f.peerId);
    } else if (!made.empty()) {
      fail("broadcast() failed after making payloads");
    }
    for (size_t k = 0; k < made.size(); ++k)
      env_.ledger.resolve(made[k], report && k < recipients.size() && !refused.count(recipients[k]->id));
  }

  // A listener's reaction to an event (or a message): now and then it sends (also from
  // message-sent, backpressure, channel-ready, message: echo), broadcasts or adds a pair; more
  // rarely it closes its peer or its partner, removes a pool member or closes the pool.
  void listen(Endpoint& ep) {
    if (quiet_ || actionsLeft_ <= 0) return;
    if (env_.rng.chance(prof_.chaos)) {
      --actionsLeft_;
      appAction(ep, false);
    }
    if (env_.rng.chance(prof_.closing)) {
      --actionsLeft_;
      appAction(ep, true);
    }
  }

  // What an app may do (in a listener or on its own): send, send on its partner, a burst of
  // sends, and in a pool broadcast or add a pair; with `closing`: close itself or its partner,
  // and in a pool remove a member or close them all.
  enum Act { kSend, kSendPartner, kBurst, kAdd, kBroadcast, kCloseSelf, kClosePartner, kRemove, kCloseAll, kActs };
  void appAction(Endpoint& ep, bool closing) {
    static const int sending[kActs] = {60, 10, 12, 2, 10, 0, 0, 0, 0};
    static const int ending[kActs] = {0, 0, 0, 0, 0, 10, 4, 6, 1};
    const int* w = closing ? ending : sending;
    Rng& r = env_.rng;
    int total = 0;
    for (int k = 0; k < kActs; ++k) total += w[k];
    int pick = static_cast<int>(r.below(static_cast<uint64_t>(total))), act = 0;
    while (pick >= w[act]) pick -= w[act++];
    Endpoint* partner = partnerOf(ep);
    switch (act) {
      case kSend:
        sendOne(ep, randomChannel(), randomSize());
        break;
      case kSendPartner:
        if (partner) sendOne(*partner, randomChannel(), randomSize());
        break;
      case kBurst: {
        int channel = randomChannel();
        for (uint64_t n = r.between(5, 40); n > 0; --n) sendOne(ep, channel, randomSize());
        break;
      }
      case kAdd:
        if (ep.pool || r.chance(0.3)) addPair();
        break;
      case kBroadcast:
        if (ep.pool)
          broadcast(*ep.pool, &ep);
        else
          sendOne(ep, randomChannel(), randomSize());
        break;
      case kCloseSelf:
        closeEndpoint(ep);
        break;
      case kClosePartner:
        if (partner) closeEndpoint(*partner);
        break;
      case kRemove:
        if (ep.pool) {
          auto ids = ep.pool->ids();
          (void)ep.pool->remove(ids.empty() || r.chance(0.1) ? "ghost" : ids[r.below(ids.size())]);
        }
        break;
      case kCloseAll:
        if (ep.pool) ep.pool->closeAll();
        break;
    }
  }

  // The far app received a message.
  void appReceives(Endpoint& ep, int channel, const WireMsg& m) {
    if (facts_[ep.index].closedSeen) fail(fmt::format("{}'s app got a message after `closed`", ep.id));
    if (m.id == kLibraryBytes) return fail(fmt::format("{}'s app got the library's own bytes", ep.id));
    env_.ledger.delivered(ep.farIndex, channel, m.id, m.size);
    if (prof_.transfer) {
      ++transferDelivered_;
      return;
    }
    if (!quiet_ && actionsLeft_ > 0 && env_.rng.chance(prof_.chaos / 2)) {
      --actionsLeft_;
      sendOne(ep, channel, std::min(m.size, 64 * KiB));  // an echo
    }
    listen(ep);
  }

  // ---- the 32 MiB scenario (Profile::transfer) ----

  struct Transfer {
    size_t total = 32 * MiB, chunk = 16 * KiB;
    enum Trigger { AtConnected, AtFileOpen, AtOffer, AtStep } trigger = AtConnected;
    bool pump = false;  // send until backpressure, go on at channel-ready (instead of one loop)
    size_t sent = 0;
    bool started = false, blocked = false;
    int atStep = 0;
  } transfer_;
  size_t transferDelivered_ = 0;

  void setTransfer(Transfer t) { transfer_ = t; }
  // The browser may lose a bufferedamountlow on `file` while the window paces it (acks drain the
  // queue then): the transfer must not depend on the event there.
  void loseLowWhileWindowPaces(double share) {
    env_.lowLoss = share;
    env_.mayLoseLow = [this](int owner, int channel) {
      for (Endpoint* e : endpoints())
        if (e->index == owner && e->peer) return channel == kFile && e->peer->scheduler().fileWindow().active();
      return false;
    };
  }
  size_t transferMessages() const { return transfer_.total / transfer_.chunk; }
  size_t transferDelivered() const { return transferDelivered_; }

  void onTransferEvent(Endpoint& ep, const PeerEvent& e) {
    if (!ep.sideA) return;
    Transfer& t = transfer_;
    if (t.pump) {
      if (const auto* bp = std::get_if<event::Backpressure>(&e); bp && bp->channel == kFile) t.blocked = true;
      if (const auto* rd = std::get_if<event::ChannelReady>(&e); rd && rd->channel == kFile && t.started) {
        t.blocked = false;
        sendTransfer(ep);
      }
    }
    if (t.started) return;
    bool now = false;
    if (const auto* s = std::get_if<event::StateChange>(&e))
      now = t.trigger == Transfer::AtConnected && s->to == PeerState::Connected;
    else if (const auto* o = std::get_if<event::ChannelOpen>(&e))
      now = t.trigger == Transfer::AtFileOpen && o->channel == kFile;
    else if (const auto* d = std::get_if<event::RequestDone>(&e))
      now = t.trigger == Transfer::AtOffer && d->description && d->description->type == "offer";
    if (now) sendTransfer(ep);
  }

  // The app's synchronous loop (or, pumping, as far as backpressure lets it).
  void sendTransfer(Endpoint& ep) {
    Transfer& t = transfer_;
    t.started = true;
    while (t.sent < transferMessages() && !(t.pump && t.blocked)) {
      ++t.sent;
      if (!sendOne(ep, kFile, t.chunk)) fail(fmt::format("send() #{} of the transfer was refused", t.sent));
    }
  }

  // ---- steps ----

  enum StepKind {
    kDeliver,
    kTransmit,
    kLow,
    kSpuriousLow,
    kState,
    kCandidate,
    kRequest,
    kSignal,
    kClock,
    kLink,
    kOpen,
    kCloseChannel,
    kApp,
    kNetworkChange,
    kStepKinds,
    kRebuild = kStepKinds  // (trace only)
  };

  void randomStep() {
    beginStep();
    Rng& r = env_.rng;
    // Weights: the browser's events dominate; the app acts now and then; the network rarely breaks.
    static const int weights[kStepKinds] = {30, 30, 8, 1, 6, 3, 8, 6, 10, 5, 6, 1, 10, 1};
    static const int transferWeights[kStepKinds] = {30, 30, 6, 1, 6, 3, 8, 6, 10, 1, 6, 0, 0, 0};
    const int* w = prof_.transfer ? transferWeights : weights;
    int total = 0;
    for (int k = 0; k < kStepKinds; ++k) total += w[k];
    for (int tries = 0; tries < 8; ++tries) {
      int pick = static_cast<int>(r.below(static_cast<uint64_t>(total)));
      int k = 0;
      while (pick >= w[k]) pick -= w[k++];
      if (doStep(static_cast<StepKind>(k))) break;
    }
    if (prof_.transfer && !transfer_.started && transfer_.trigger == Transfer::AtStep &&
        static_cast<int>(stepNo_) >= transfer_.atStep && pairs_[0]->a && pairs_[0]->a->live())
      sendTransfer(*pairs_[0]->a);
    endStep();
  }

  void beginStep() {
    env_.ledger.step = ++stepNo_;
    actionsLeft_ = prof_.actionsPerStep;
    collect();
  }
  void endStep() {
    checkStep();
    for (const auto& p : pairs_)
      if (p->up && p->a && p->b && p->a->live() && p->b->live()) {
        ++stats.stepsLinked;
        break;
      }
  }

  // Returns false when the kind had nothing to act on (another is drawn).
  bool doStep(StepKind kind) {
    Rng& r = env_.rng;
    switch (kind) {
      case kDeliver: {
        std::vector<std::pair<Endpoint*, int>> ready;
        for (Endpoint* e : peers())
          for (int c = 0; c < kChannelCount; ++c)
            if (!e->browser.closed && !e->browser.in[c].empty()) ready.emplace_back(e, c);
        if (ready.empty()) return false;
        auto [e, c] = ready[r.below(ready.size())];
        deliverInbound(*e, c);
        return true;
      }
      case kTransmit: {
        std::vector<std::pair<Endpoint*, int>> ready;
        for (Endpoint* e : peers())
          if (e->pair->up)
            for (int c = 0; c < kChannelCount; ++c)
              if (!e->browser.ch[c].out.empty() && e->browser.far && e->browser.far->ch[c].transport)
                ready.emplace_back(e, c);
        if (ready.empty()) return false;
        auto [e, c] = ready[r.below(ready.size())];
        static const size_t budgets[] = {1, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB};
        size_t moved = e->browser.transmit(c, budgets[r.below(5)], prof_.netLoss);
        trace(kTransmit, e->index, c, static_cast<double>(moved));
        return true;
      }
      case kLow: {
        std::vector<std::pair<Endpoint*, int>> ready;
        for (Endpoint* e : peers())
          for (int c = 0; c < kChannelCount; ++c)
            if (!e->browser.closed && e->browser.ch[c].lowPending > 0) ready.emplace_back(e, c);
        if (ready.empty()) return false;
        auto [e, c] = ready[r.below(ready.size())];
        if (!r.chance(0.1)) --e->browser.ch[c].lowPending;  // else it fires again later: twice
        trace(kLow, e->index, c, e->browser.ch[c].buffered);
        e->peer->onBufferedAmountLow(c);
        return true;
      }
      case kSpuriousLow: {  // early: before the buffer is low (or with no crossing at all)
        Endpoint* e = randomEndpoint();
        if (!e || e->browser.closed) return false;
        int c = static_cast<int>(r.below(kChannelCount));
        if (!e->browser.ch[c].ready) return false;
        trace(kSpuriousLow, e->index, c, e->browser.ch[c].buffered);
        e->peer->onBufferedAmountLow(c);
        return true;
      }
      case kState: {
        std::vector<Endpoint*> ready;
        for (Endpoint* e : peers())
          if (!e->browser.closed && !e->browser.states.empty()) ready.push_back(e);
        if (ready.empty()) return false;
        Endpoint* e = ready[r.below(ready.size())];
        std::string s = e->browser.states.front();
        e->browser.states.pop_front();
        trace(kState, e->index, -1, s == "connected" ? 1 : s == "disconnected" ? 2 : s == "failed" ? 3 : 0);
        if (debug_) fmt::print("  [{}] {} browser state {} (connection {})\n", stepNo_, e->id, s, e->browser.gen);
        if (r.chance(0.3)) e->peer->onIceConnectionState(s);
        if (!e->browser.closed) e->peer->onConnectionState(s);
        return true;
      }
      case kCandidate: {
        std::vector<Endpoint*> ready;
        for (Endpoint* e : peers())
          if (!e->browser.closed && !e->browser.candidates.empty()) ready.push_back(e);
        if (ready.empty()) return false;
        Endpoint* e = ready[r.below(ready.size())];
        CandidateInit c = e->browser.candidates.front();
        e->browser.candidates.pop_front();
        trace(kCandidate, e->index, -1, 0);
        if (r.chance(0.2)) e->peer->onIceGatheringState("gathering");
        if (!e->browser.closed) e->peer->onIceCandidate(c);
        return true;
      }
      case kRequest: {
        std::vector<Endpoint*> ready;
        for (Endpoint* e : peers())
          if (!e->browser.closed && !e->browser.requests.empty()) ready.push_back(e);
        if (ready.empty()) return false;
        completeRequest(*ready[r.below(ready.size())]);
        return true;
      }
      case kSignal: {
        if (signals_.empty()) return false;
        // Signaling messages may overtake each other (candidates before the answer, ...).
        size_t i = prof_.transfer ? 0 : r.below(std::min<size_t>(signals_.size(), 3));
        Signal s = signals_[i];
        signals_.erase(signals_.begin() + static_cast<long>(i));
        trace(kSignal, -1, -1, s.kind);
        deliverSignal(s);
        return true;
      }
      case kClock: {
        // Mostly a few ms; sometimes the next timer; rarely a machine so loaded that everything
        // pauses for seconds (up to 12 s in the transfer: past the 10 s file-ack stall timeout).
        double dt;
        uint64_t k = r.below(100);
        if (k < 60)
          dt = static_cast<double>(r.below(60));
        else if (k < 88)
          dt = static_cast<double>(r.below(600));
        else if (k < 97)
          dt = std::max(0.0, nextDue() - env_.now);
        else
          dt = static_cast<double>(r.between(1000, prof_.transfer ? 12000 : 4000));
        advanceClock(std::min(dt, 60000.0));
        return true;
      }
      case kLink:
        return linkStep();
      case kOpen: {
        std::vector<std::pair<Pair*, int>> ready;
        for (const auto& p : pairs_)
          if (p->up && p->a && p->b)
            for (int side = 0; side < 2; ++side)
              if (!p->unopened[side].empty()) ready.emplace_back(p.get(), side);
        if (ready.empty()) return false;
        auto [p, side] = ready[r.below(ready.size())];
        auto& left = p->unopened[side];
        size_t k = r.below(left.size());
        int c = left[k];
        left.erase(left.begin() + static_cast<long>(k));
        (side == 0 ? p->a : p->b)->browser.openChannel(c);
        trace(kOpen, (side == 0 ? p->a : p->b)->index, c, 0);
        return true;
      }
      case kCloseChannel: {
        if (!r.chance(0.3)) return false;
        std::vector<Pair*> ready;
        for (const auto& p : pairs_)
          if (p->a && p->b && p->everUp && p->a->browser.far == &p->b->browser) ready.push_back(p.get());
        if (ready.empty()) return false;
        // The association dies (Firefox once ICE failed; an SCTP abort): every channel closes at
        // both ends for good, and only a rebuilt connection carries data again. A browser closes
        // no single negotiated channel of a library peer (the library never closes one), and the
        // core now takes a closed channel for a dead association (Peer::onChannelClose).
        Pair* p = ready[r.below(ready.size())];
        trace(kCloseChannel, p->a->index, -1, 0);
        for (int c = 0; c < kChannelCount; ++c) {
          p->a->browser.closeChannel(c);
          p->b->browser.closeChannel(c);
        }
        if (p->up && r.chance(0.5)) linkDown(*p, true);  // Firefox: with ICE `failed`
        return true;
      }
      case kApp: {
        Endpoint* e = randomEndpoint();
        if (!e) return false;
        trace(kApp, e->index, -1, 0);
        appAction(*e, r.chance(0.01));
        return true;
      }
      case kNetworkChange: {
        Endpoint* e = randomEndpoint();
        if (!e || e->browser.closed) return false;
        trace(kNetworkChange, e->index, -1, 0);
        e->peer->onNetworkChange();
        return true;
      }
      default:
        return false;
    }
  }

  void deliverInbound(Endpoint& e, int c) {
    Rng& r = env_.rng;
    auto& q = e.browser.in[c];
    size_t k = 0;
    // Unordered channels: one of the first few messages that arrived may be dispatched first.
    if (!kChannels[c].ordered && q.front().kind == SimBrowser::In::Message) {
      size_t run = 0;
      while (run < q.size() && run < 8 && q[run].kind == SimBrowser::In::Message) ++run;
      k = r.below(run);
    }
    SimBrowser::Inbound item = std::move(q[k]);
    q.erase(q.begin() + static_cast<long>(k));
    switch (item.kind) {
      case SimBrowser::In::Open:
        trace(kOpen + 100, e.index, c, 0);
        if (!e.browser.ch[c].closed) e.browser.ch[c].ready = true;
        e.peer->onChannelOpen(c);
        break;
      case SimBrowser::In::Close:
        trace(kCloseChannel + 100, e.index, c, 0);
        e.peer->onChannelClose(c);
        break;
      case SimBrowser::In::Message:
        processReports();  // a drop reported earlier in this step explains a gap
        trace(kDeliver, e.index, c, static_cast<double>(item.msg.size));
        if (kChannels[c].user) {
          // As js/peer.js: a listener may have closed the peer while the core took the message;
          // then it is lost with the closing browser, like the messages still in it.
          auto arrival = e.peer->onUserMessage(c, item.msg.size);
          if (arrival == Peer::Arrival::Keep) {
            // Held until the sender's run says whose it is: reaches the app as event::FileMessage.
            auto held = std::make_unique<StressBytes>();
            held->id = item.msg.id;
            held->size = item.msg.size;
            e.browser.heldByCore.push_back(item.msg.id);
            e.peer->keepFileMessage(Payload(std::move(held), item.msg.size));
          } else if (arrival == Peer::Arrival::Deliver) {
            if (!facts_[e.index].closedSeen)
              appReceives(e, c, item.msg);
            else if (item.msg.id != kLibraryBytes)
              env_.ledger.lost(item.msg.id, Fate::LostBrowser);
          }
        } else {
          if (!item.msg.bytes) return fail(fmt::format("an app message arrived on {}", kChannels[c].label));
          e.peer->onLibraryMessage(c, *item.msg.bytes);
        }
        break;
    }
  }

  void completeRequest(Endpoint& e) {
    Rng& r = env_.rng;
    auto& reqs = e.browser.requests;
    size_t k = prof_.transfer ? 0 : r.below(reqs.size());
    SimBrowser::Request req = reqs[k];
    reqs.erase(reqs.begin() + static_cast<long>(k));
    trace(kRequest, e.index, -1, static_cast<double>(req.kind));
    // The o= sess-id is the connection's generation: a rebuilt connection's descriptions differ.
    std::string sdp =
        fmt::format("v=0\r\no=- {} 1 IN IP4 127.0.0.1\r\ns=-\r\n", e.browser.gen) + e.browser.maxMessageSizeLine;
    double failure = prof_.transfer ? 0.0 : 0.03;
    switch (req.kind) {
      case SimBrowser::Req::Offer:
      case SimBrowser::Req::RestartOffer:
      case SimBrowser::Req::Answer:
        if (req.kind == SimBrowser::Req::RestartOffer && r.chance(failure)) {
          e.peer->onRequestFailed(req.id, "OperationError: restart failed");
          break;
        }
        for (uint64_t n = r.between(0, 2); n > 0; --n)
          e.browser.candidates.push_back({fmt::format("candidate:{} 1 udp 2122260223 192.168.1.{} {} typ host",
                                                      r.below(100000), r.between(1, 254), r.between(1024, 65535)),
                                          std::string("0"), 0, std::nullopt});
        e.peer->onDescription(req.id, {req.kind == SimBrowser::Req::Answer ? "answer" : "offer", sdp});
        break;
      case SimBrowser::Req::SetRemote:
        // A connection that applied the far side's description takes no other connection's (its
        // DTLS fingerprint changed): only a rebuilt one can.
        if (e.browser.remoteGen != 0 && req.gen != e.browser.remoteGen) {
          e.peer->onRequestFailed(req.id, "InvalidModificationError: the description is of another connection");
          break;
        }
        if (r.chance(failure)) {
          e.peer->onRequestFailed(req.id, "OperationError: the browser refused it");
          break;
        }
        e.browser.remoteGen = req.gen;
        if (e.pair) relink(*e.pair);
        e.peer->onRequestDone(req.id);
        break;
      case SimBrowser::Req::Candidate:
        if (r.chance(failure))
          e.peer->onRequestFailed(req.id, "OperationError: the browser refused it");
        else
          e.peer->onRequestDone(req.id);
        break;
      case SimBrowser::Req::Stats: {
        e.peer->onStats(req.id, {});  // an empty report: no pair, no counters
        break;
      }
    }
  }

  // The connection comes up (after signaling; after a failure only once an ICE restart went
  // through), or flaps down (disconnected, sometimes failed).
  bool linkStep() {
    Rng& r = env_.rng;
    std::vector<Pair*> candidates;
    for (const auto& p : pairs_)
      if (linkable(*p)) candidates.push_back(p.get());
    if (candidates.empty()) return false;
    Pair* p = candidates[r.below(candidates.size())];
    if (!p->up) {
      if (p->failed && !p->restartDone) return false;
      linkUp(*p);
      return true;
    }
    if (!r.chance(prof_.transfer ? 0.05 : 0.15)) return false;
    linkDown(*p, r.chance(0.4));
    return true;
  }

  // The link flaps down: disconnected, and with `fails` failed (up again only after an ICE
  // restart or a rebuild went through).
  void linkDown(Pair& p, bool fails) {
    p.up = false;
    trace(kLink, p.a->index, -1, 0);
    for (Endpoint* e : {p.a, p.b}) {
      e->browser.states.push_back("disconnected");
      if (fails) e->browser.states.push_back("failed");
    }
    if (fails) {
      p.failed = true;
      p.restartDone = false;
    }
  }

  void linkUp(Pair& p) {
    if (!stats.firstLinkStep) stats.firstLinkStep = stepNo_;
    if (p.everUp && (p.upGen[0] != p.a->browser.gen || p.upGen[1] != p.b->browser.gen)) ++stats.relinked;
    p.up = true;
    p.failed = p.restartDone = false;
    p.everUp = true;
    trace(kLink, p.a->index, -1, 1);
    if (debug_)
      fmt::print("  [{}] link up {}-{} (connections {}/{})\n", stepNo_, p.a->id, p.b->id, p.a->browser.gen,
                 p.b->browser.gen);
    for (int side = 0; side < 2; ++side) {
      SimBrowser& b = (side == 0 ? p.a : p.b)->browser;
      bool fresh = p.upGen[side] != b.gen;  // a new connection: its channels open with this link
      if (fresh && env_.rng.chance(0.5)) b.states.push_back("connecting");
      b.states.push_back("connected");
      if (fresh) {
        p.upGen[side] = b.gen;
        p.unopened[side].clear();
        for (int c = 0; c < kChannelCount; ++c) p.unopened[side].push_back(c);
      }
    }
  }

  // The two current connections negotiated with each other (each applied the other's
  // description): the association between them can come up.
  static bool negotiated(const Pair& p) {
    return p.a && p.b && !p.a->browser.closed && !p.b->browser.closed && p.a->browser.remoteGen == p.b->browser.gen &&
           p.b->browser.remoteGen == p.a->browser.gen;
  }
  static bool linkable(const Pair& p) { return negotiated(p) && p.signaled && p.a->browser.far == &p.b->browser; }
  // Links the browsers of a pair whose connections negotiated together (after a rebuild: the
  // first link, gen 1, is made with the pair).
  void relink(Pair& p) {
    if (!negotiated(p) || p.a->browser.far == &p.b->browser) return;
    if (p.a->browser.far || p.b->browser.far) return fail("a browser linked to two connections at once");
    p.a->browser.far = &p.b->browser;
    p.b->browser.far = &p.a->browser;
  }

  // A peer rebuilt its connection (SimBrowser::createPeerConnection after close()): the link
  // between the old connections is gone; the new one comes up once negotiated.
  void onRebuilt(Endpoint& ep, int oldGen) {
    ++stats.rebuilds;
    bool kept = ep.peer && ep.peer->scheduler().awaitingResume();
    stats.rebuildsKept += kept;
    facts_[ep.index].awaitingResume = kept;
    env_.ledger.rebuilt(ep.index, oldGen, kept);
    trace(kRebuild, ep.index, -1, ep.browser.gen);
    if (Pair* p = ep.pair) {
      p->up = false;
      p->failed = true;  // up again only once negotiated anew (restartDone)
      p->restartDone = false;
      p->unopened[ep.sideA ? 0 : 1].clear();
    }
  }

  // After a rebuild the core puts what the far side's first counts do not cover back in its
  // queue (SendQueue::pushReplayed, marked `replay`): the ledger counts them as queued again.
  void syncReplays(Endpoint& ep) {
    auto& f = facts_[ep.index];
    if (!f.awaitingResume || !ep.peer || ep.peer->scheduler().awaitingResume()) return;
    f.awaitingResume = false;
    const SendQueue& q = ep.peer->scheduler().queue();
    for (int c : kCountedChannels)
      for (size_t k = 0; k < q.messages(c) && q.at(c, k).replay; ++k)
        env_.ledger.requeued(static_cast<const StressBytes&>(q.at(c, k).payload.holder()).id);
  }

  double nextDue() const {
    double due = std::numeric_limits<double>::infinity();
    for (Endpoint* e : peers())
      if (!e->browser.closed)
        for (const auto& [_, t] : e->browser.timers) due = std::min(due, t);
    if (alarmA_.due) due = std::min(due, *alarmA_.due);
    if (alarmB_.due) due = std::min(due, *alarmB_.due);
    return std::isfinite(due) ? due : env_.now;
  }

  // Moves the clock on, firing every timer that falls due on the way, in order.
  void advanceClock(double dt) {
    double until = env_.now + dt;
    trace(kClock, -1, -1, dt);
    for (int fired = 0; fired < 10000; ++fired) {
      double due = nextDue();
      if (due > until) break;
      if (due < env_.now) due = env_.now;
      env_.now = due;
      if (!fireOne()) break;
    }
    env_.now = until;
  }

  bool fireOne() {
    for (auto* alarm : {&alarmA_, &alarmB_}) {
      if (alarm->due && *alarm->due <= env_.now) {
        alarm->due.reset();  // a host timer that went off is no longer pending
        (alarm == &alarmA_ ? poolA_ : poolB_)->onAlarm(env_.now);
        return true;
      }
    }
    for (Endpoint* e : endpoints()) {
      if (e->browser.closed) continue;
      for (auto it = e->browser.timers.begin(); it != e->browser.timers.end(); ++it)
        if (it->second <= env_.now) {
          TimerId id = it->first;
          e->browser.timers.erase(it);
          e->peer->onTimer(id);
          return true;
        }
    }
    return false;
  }

  // ---- destruction, at the top of a step only ----

  void collect() {
    if (poolA_) poolA_->collect();
    if (poolB_) poolB_->collect();
    for (auto it = standalone_.begin(); it != standalone_.end();) {
      if (!(*it)->live() && env_.rng.chance(0.5))
        it = standalone_.erase(it);
      else
        ++it;
    }
  }

  void endpointGone(Endpoint& ep) {
    endpointsDirty_ = true;
    if (ep.pair) (ep.sideA ? ep.pair->a : ep.pair->b) = nullptr;
    if (ep.browser.far) ep.browser.far->far = nullptr;
    if (ep.live() && !tearingDown_) fail(fmt::format("{} was destroyed while open", ep.id));
  }

  // ---- invariants ----

  struct Report {
    enum Kind { Discard, Oversize, Unreliable, CloseDone, RebuildLost, Unkept } kind;
    int ep;
    int channel;
    size_t n, bytes;
  };

  void processReports() {
    // In event order; after every send() of the step has returned (the ledger knows its fate).
    for (const Report& r : reports_) {
      switch (r.kind) {
        case Report::Discard:
          env_.ledger.discarded(r.ep, r.n, r.bytes);
          break;
        case Report::Oversize:
          env_.ledger.droppedFront(r.ep, r.channel, r.n, Fate::DroppedOversize);
          break;
        case Report::Unreliable:
          env_.ledger.droppedFront(r.ep, r.channel, r.n, Fate::DroppedUnreliable);
          break;
        case Report::CloseDone:
          env_.ledger.closedWithNothingQueued(r.ep);
          break;
        case Report::RebuildLost:
          env_.ledger.reportedLost(r.ep, r.channel, r.n);
          break;
        case Report::Unkept:
          env_.ledger.unkeptThrough(r.ep, static_cast<int>(r.n));
          break;
      }
    }
    reports_.clear();
  }

  // After every step:
  // - no event was posted outside an entry point's scope, and every outbox is empty and closed;
  // - each peer's queue holds exactly what the ledger says is queued (bytes and messages, per
  //   channel), once the reports of the step are applied;
  // - no drain stall. SendScheduler's rule: a queued message goes when a drain runs and the
  //   channel has room (real bufferedAmount 0, or + size <= highWater; on `file` the credit window
  //   allows it); drains run on bufferedamountlow, channel open/close, an acknowledgement that
  //   opens the window, the link coming back. Waiting while the buffer is above the low threshold
  //   is the design (the browser's crossing will fire the event); so a stall is a channel the core
  //   has open, whose browser channel is open, with room for its queue's front, whose buffer is
  //   already at or below the threshold (no crossing can come), and with nothing that drains on
  //   its way (no bufferedamountlow, open or close event, `wre` message or "connected" pending).
  void checkStep() {
    if (!ok()) return;
    processReports();
    for (Endpoint* e : peers()) {
      Outbox& box = e->outbox();
      if (box.unscopedPosts() != 0)
        fail(fmt::format("{}: {} events posted outside any scope", e->id, box.unscopedPosts()));
      if (box.pending() != 0 || box.open() || box.delivering())
        fail(fmt::format("{}: outbox not empty/closed after the step ({} pending)", e->id, box.pending()));
      if (!e->peer) continue;
      syncReplays(*e);
      const SendQueue& q = e->peer->scheduler().queue();
      size_t total = 0, count = 0;
      for (int c = 0; c < kUserChannels; ++c) {
        const auto& s = env_.ledger.stream(e->index, c);
        if (q.bytes(c) != s.queuedBytes || q.messages(c) != s.queued)
          fail(
              fmt::format("{}: queue on {} holds {} messages ({} bytes); {} ({} bytes) were accepted and not yet "
                          "sent or reported",
                          e->id, kChannels[c].label, q.messages(c), q.bytes(c), s.queued, s.queuedBytes));
        total += s.queuedBytes;
        count += s.queued;
      }
      if (e->peer->queuedBytes() != total || e->peer->queuedMessages() != count)
        fail(fmt::format("{}: queuedBytes/queuedMessages {} / {} but the queues hold {} / {}", e->id,
                         e->peer->queuedBytes(), e->peer->queuedMessages(), total, count));
      if (e->live() && !e->browser.closed) checkNoStall(*e);
    }
  }

  bool drainOnItsWay(const Endpoint& e) const {
    const SimBrowser& b = e.browser;
    for (int c = 0; c < kChannelCount; ++c) {
      if (b.ch[c].lowPending > 0) return true;
      if (!b.in[c].empty() && b.in[c].front().kind == SimBrowser::In::Open) return true;
    }
    if (!b.in[kWre].empty()) return true;  // an acknowledgement opens the window
    for (int c : {kFile, kWre})
      if (!b.in[c].empty() && b.in[c].back().kind == SimBrowser::In::Close) return true;
    for (const auto& s : b.states)
      if (s == "connected") return true;
    return false;
  }

  // A channel with room and a queue: true if the scheduler could send its front now, and no
  // bufferedamountlow can come for it any more.
  static bool couldSend(Endpoint& e, int c) {
    SendScheduler& s = e.peer->scheduler();
    if (!s.isOpen(c) || s.queue().empty(c) || !e.browser.ch[c].ready) return false;
    size_t size = s.queue().front(c).payload.size();
    double b = e.browser.ch[c].buffered;
    if (b != 0 && b + static_cast<double>(size) > s.highWater(c)) return false;
    if (b + static_cast<double>(size) > kBrowserChannelLimit) return false;  // the browser would refuse it
    if (b > e.browser.ch[c].threshold) return false;                         // bufferedamountlow is still to come
    // Waiting for the far side's delivered counts (replay store full): the counts come with its
    // deliveries and probe ticks, or the stall watch abandons the store; quiesce() checks the end.
    if (s.replayFull(c, size)) return false;
    // A rebuilt connection: counted channels wait for the far side's first counts on it.
    if (s.awaitingResume() && c != kUnreliable) return false;
    return c != kFile || s.fileWindow().allows(size);
  }

  void checkNoStall(Endpoint& e) {
    for (int c = 0; c < kUserChannels; ++c) {
      if (!couldSend(e, c) || drainOnItsWay(e)) continue;
      fail(
          fmt::format("drain stall: {} has {} messages queued on {} (front {} bytes), its browser buffer holds {} "
                      "of {} (bufferedamountlow threshold {}), {}and nothing on its way will drain it",
                      e.id, e.peer->scheduler().queue().messages(c), kChannels[c].label,
                      e.peer->scheduler().queue().front(c).payload.size(), e.browser.ch[c].buffered,
                      e.peer->scheduler().highWater(c), e.browser.ch[c].threshold,
                      c == kFile ? windowState(e) + "; " : std::string()));
    }
  }

  std::string windowState(Endpoint& e) {
    const CreditWindow& w = e.peer->scheduler().fileWindow();
    const ReplayStore& r = e.peer->scheduler().replay();
    return fmt::format(
        "file window {} (sent {}, acked {}, in flight {}{}); replay store {} ({} messages, {} bytes; "
        "handed {}/{}/{}, acked {}/{}/{}); {} {}, far session {}; delivered {}/{}/{}",
        w.active() ? "active" : "inactive", w.sent(), w.acked(), w.inFlight(), w.abandoned() ? ", abandoned" : "",
        r.active()      ? "active"
        : r.abandoned() ? "abandoned"
                        : "inactive",
        r.messages(), r.bytes(), r.handed(0), r.handed(1), r.handed(2), r.acked(0), r.acked(1), r.acked(2), e.id,
        toString(e.peer->state()), e.peer->farSession().has_value(), e.peer->delivered()[0], e.peer->delivered()[1],
        e.peer->delivered()[2]);
  }

  // ---- the end of a run ----

  // Everything the network and browsers still hold is let through, the links come (back) up, the
  // clock runs, no app acts. Afterwards every channel open at both ends has an empty queue and
  // every message handed to it arrived: anything else is a stall.
  void quiesce() {
    quiet_ = true;
    int idle = 0;
    for (int round = 0; round < 4000 && ok() && idle < 4; ++round) {
      beginStep();
      while (!signals_.empty()) {
        Signal s = signals_.front();
        signals_.pop_front();
        deliverSignal(s);
      }
      for (Endpoint* e : endpoints())
        while (!e->browser.closed && !e->browser.requests.empty()) completeRequest(*e);
      for (const auto& p : pairs_) {
        if (!p->a || !p->b || p->a->browser.closed || p->b->browser.closed || !p->signaled) continue;
        if (!p->up && !linkable(*p)) continue;  // a rebuild still being negotiated
        if (!p->up) linkUp(*p);
        for (int side = 0; side < 2; ++side) {
          for (int c : p->unopened[side]) (side == 0 ? p->a : p->b)->browser.openChannel(c);
          p->unopened[side].clear();
        }
      }
      for (int pass = 0; pass < 256; ++pass) {
        bool any = false;
        for (Endpoint* e : endpoints()) {
          SimBrowser& b = e->browser;
          if (!b.closed && !b.states.empty()) {
            std::string s = b.states.front();
            b.states.pop_front();
            e->peer->onConnectionState(s);
            any = true;
          }
          if (!b.closed && !b.candidates.empty()) {
            CandidateInit c = b.candidates.front();
            b.candidates.pop_front();
            e->peer->onIceCandidate(c);
            any = true;
          }
          for (int c = 0; c < kChannelCount && !b.closed; ++c) {
            if (b.ch[c].lowPending > 0) {
              --b.ch[c].lowPending;
              e->peer->onBufferedAmountLow(c);
              any = true;
            }
            if (!b.closed && !b.in[c].empty()) {
              deliverInbound(*e, c);
              any = true;
            }
          }
        }
        for (Endpoint* e : endpoints())
          if (e->pair->up)
            for (int c = 0; c < kChannelCount; ++c) any |= e->browser.transmit(c, 1 * MiB, prof_.netLoss) > 0;
        if (!any) break;
      }
      advanceClock(20);
      endStep();
      idle = userIdle() ? idle + 1 : 0;
    }
    if (ok()) checkEverythingArrived();
  }

  bool userIdle() {
    // A pair still reconnecting (a rebuild being negotiated) may replay and deliver more.
    for (const auto& p : pairs_)
      if (!p->up && p->a && p->b && p->a->live() && p->b->live() &&
          (p->a->peer->reconnecting() || p->b->peer->reconnecting()))
        return false;
    for (Endpoint* e : peers()) {
      if (!e->live() || e->browser.closed) continue;
      for (int c = 0; c < kUserChannels; ++c) {
        if (e->peer->scheduler().isOpen(c) && !e->peer->scheduler().queue().empty(c)) return false;
        for (const auto& m : e->browser.ch[c].out)
          if (m.id != kLibraryBytes) return false;
        for (const auto& m : e->browser.in[c])
          if (m.kind == SimBrowser::In::Message) return false;
      }
    }
    return true;
  }

  void checkEverythingArrived() {
    for (const auto& p : pairs_) {
      if (!p->a || !p->b || !p->a->live() || !p->b->live() || !p->up) continue;
      for (Endpoint* from : {p->a, p->b}) {
        Endpoint* to = from == p->a ? p->b : p->a;
        for (int c = 0; c < kUserChannels; ++c) {
          if (!from->peer->scheduler().isOpen(c) || !from->browser.ch[c].ready || !to->browser.ch[c].transport)
            continue;
          if (!from->peer->scheduler().queue().empty(c))
            return fail(
                fmt::format("stall: with the link up and every event delivered, {} still has {} messages ({} "
                            "bytes) queued on {}; its browser buffer holds {} (threshold {}); {}; far side: {}",
                            from->id, from->peer->scheduler().queue().messages(c),
                            from->peer->scheduler().queue().bytes(c), kChannels[c].label, from->browser.ch[c].buffered,
                            from->browser.ch[c].threshold, windowState(*from), windowState(*to)));
          if (size_t n = env_.ledger.inFlight(from->index, c))
            return fail(fmt::format("{} messages {} handed to the browser on {} never arrived", n, from->id,
                                    kChannels[c].label));
        }
      }
    }
  }

  // Every peer closes (pool calls or close()); then each one said `closed` exactly once, every
  // request it was asked for settled, and every message has a final fate.
  void closeEverything() {
    quiet_ = true;
    beginStep();
    Rng& r = env_.rng;
    if (poolA_ && r.chance(0.3)) poolA_->closeAll();
    for (Endpoint* e : endpoints())
      if (e->live()) closeEndpoint(*e);
    endStep();
    for (Endpoint* e : endpoints())
      if (e->live()) fail(fmt::format("{} is still open after closeEverything", e->id));
    for (size_t i = 0; i < facts_.size(); ++i) {
      const Facts& f = facts_[i];
      if (!f.started) continue;
      if (f.closedCount != 1) fail(fmt::format("peer {} said `closed` {} times", i, f.closedCount));
      if (!f.outstanding.empty()) fail(fmt::format("peer {}: request {} never settled", i, *f.outstanding.begin()));
    }
    env_.ledger.checkAllSettled();
  }

  void teardown() {
    tearingDown_ = true;
    for (Endpoint* e : endpoints())
      if (e->peer) e->peer->close();
    poolA_.reset();
    poolB_.reset();
    standalone_.clear();
  }

  // The state of every peer, for a stall report.
  std::string describe() {
    std::string out;
    for (Endpoint* e : endpoints()) {
      out += fmt::format("  {} ({}, link {}{}, connection {} applied {}{}){}: ", e->id,
                         e->peer ? toString(e->peer->state()) : "gone", e->pair->up ? "up" : "down",
                         e->pair->failed ? ", failed" : "", e->browser.gen, e->browser.remoteGen,
                         e->browser.far ? "" : ", unlinked", e->browser.closed ? " browser closed" : "");
      for (int c = 0; c < kChannelCount; ++c) {
        const auto& ch = e->browser.ch[c];
        out += fmt::format("[{}{}{} q={} buf={} low={} in={}] ", kChannels[c].label, ch.ready ? "" : " not-ready",
                           ch.closed ? " closed" : "",
                           c < kUserChannels && e->peer ? e->peer->scheduler().queue().messages(c) : 0, ch.buffered,
                           ch.lowPending, e->browser.in[c].size());
      }
      if (e->peer) out += windowState(*e);
      out += "\n";
    }
    out += fmt::format("  bufferedamountlow events lost: {}\n", env_.lowLost);
    return out;
  }

  // ---- the trace printed with a violation ----

  void trace(int kind, int ep, int channel, double value) {
    trace_[traceNext_++ % trace_.size()] = {stepNo_, env_.now, kind, ep, channel, value};
  }
  std::string trace() const {
    static const char* names[] = {"deliver",      "transmit",      "low",    "spurious-low",   "state",
                                  "candidate",    "request",       "signal", "clock",          "link",
                                  "open-channel", "close-channel", "app",    "network-change", "rebuild"};
    std::string out;
    size_t n = std::min(traceNext_, trace_.size());
    for (size_t i = traceNext_ - n; i < traceNext_; ++i) {
      const auto& t = trace_[i % trace_.size()];
      std::string kind = t.kind >= 100 ? std::string(names[t.kind - 100]) + "-event" : names[t.kind];
      out += fmt::format("  step {} t={}ms {} peer {} channel {} value {}\n", t.step, t.now, kind, t.ep, t.channel,
                         t.value);
    }
    return out;
  }

 private:
  struct Facts {
    bool started = false, closedSeen = false, closedState = false;
    int closedCount = 0;
    int closedCalls = 0, closedCallsAnswered = 0;  // app calls made on the closed peer; errors for them
    bool awaitingResume = false;                   // rebuilt with the replay held: syncReplays() looks for its end
    std::set<RequestId> outstanding, settled;
    std::map<RequestId, Purpose> purpose;
  };
  struct TraceEntry {
    size_t step;
    double now;
    int kind, ep, channel;
    double value;
  };

  Env env_;
  Profile prof_;
  // Declared before what they hold: the pools outlive their members' far ends' pointers.
  StressAlarm alarmA_, alarmB_;
  std::unique_ptr<Pool> poolA_, poolB_;
  std::vector<std::unique_ptr<Endpoint>> standalone_;
  std::vector<std::unique_ptr<Pair>> pairs_;
  std::vector<Facts> facts_;
  std::vector<Report> reports_;
  std::deque<Signal> signals_;
  mutable std::vector<Endpoint*> endpoints_;
  mutable bool endpointsDirty_ = true;
  size_t stepNo_ = 0;
  int actionsLeft_ = 0;
  bool debug_ = std::getenv("WRE_STRESS_DEBUG") != nullptr;
  bool quiet_ = false, tearingDown_ = false;
  size_t bytesTried_ = 0;
  std::array<TraceEntry, 40> trace_{};
  size_t traceNext_ = 0;
};

inline void Endpoint::Sink::onEvent(const PeerEvent& e) { w_.onEvent(ep_, e); }

inline Endpoint::~Endpoint() {
  world.endpointGone(*this);
  peer.reset();
}

}  // namespace wre::stress
