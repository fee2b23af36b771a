// sendFile() transfers between two peers of this library (README, "Transfers"): offers, accept and
// reject on `wre`; the content as raw chunks on `file`, classified by runs (file_runs.hpp) so the
// app's own `file` messages stay unframed; SHA-256 on both sides, compared by the receiver. The
// receiver counts a chunk delivered only once its sink has written it, so a slow sink slows the
// sender through the `file` credit window; session resume (replay store) carries chunks across a
// rebuilt connection. The JS side only reads sources and writes sinks (event::TransferIo).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "peer/driver.hpp"
#include "peer/peer_events.hpp"
#include "queue/send_scheduler.hpp"
#include "transfer/file_runs.hpp"
#include "transfer/sha256.hpp"
#include "transfer/transfer_codec.hpp"

namespace wre {

class Transfers : public FileObserver {
 public:
  // Bytes per chunk on `file` (at most the connection's maximum message size).
  static constexpr uint64_t kChunk = 64 * 1024;
  // Chunks read ahead of the browser per transfer: what a sender holds of each transfer beyond the
  // replay store.
  static constexpr int kReadAhead = 4;
  // Offers from the far side awaiting the app's accept or reject; more are refused.
  static constexpr size_t kMaxOffered = 64;
  // Finished transfers whose last message is said again on a new `wre` (it may have been lost).
  static constexpr size_t kRecentFinals = 16;

  // `delivered(size)`: a `file` message was processed (counts, acks); `fileDelivered()`: how many
  // this session.
  Transfers(Driver& driver, EventSink& events, SendScheduler& scheduler, std::function<void(size_t)> delivered,
            std::function<uint64_t()> fileDelivered);

  // ---- app calls ----
  struct Started {
    uint32_t transfer;
    std::string id;
  };
  Started send(std::optional<uint64_t> size, std::string name, std::string type, std::string meta);
  Result<void> accept(uint32_t transfer);
  Result<void> reject(uint32_t transfer, const std::string& reason);
  Result<void> cancel(uint32_t transfer, const std::string& reason);

  // ---- the wrapper's answers to TransferIo ----
  void onSourceRead(uint32_t transfer, Payload data, bool end);
  void onSourceFailed(uint32_t transfer, const std::string& message);
  void onSinkWritten(uint32_t transfer);
  void onSinkFailed(uint32_t transfer, const std::string& message);
  void onSinkFinished(uint32_t transfer);

  // ---- the far side ----
  void onMessage(const wire::TransferMessage& message);
  // What a `file` message that just arrived is for: the app now (counted delivered), or keep() it
  // (its run is not known yet, or it is a chunk, or messages before it wait).
  enum class Arrival { Deliver, Keep };
  Arrival onFileArrival(size_t size);
  void keep(Payload data);
  // True once we asked the far side to announce its `file` messages (it takes transfers).
  bool classifying() const { return classifying_; }

  // ---- the peer's life ----
  // A new `wre` opened: say we take transfers, and again what may have been lost with the old one.
  void sayHello();
  void setSessions(uint64_t ours, std::optional<uint64_t> far) {
    session_ = ours;
    farSession_ = far;
  }
  // The connection was rebuilt: what waited in the inbox is replayed by the far side (or lost);
  // the far side's Sync says which index its first `file` message on the new one has.
  void onConnectionReplaced();
  // The far side is a new session, or the peer closes: every transfer fails with `reason`.
  void endAll(TransferFailure reason, const std::string& message);
  // Transfers waiting to learn whether the far side takes transfers at all.
  bool waiting() const;
  void failWaiting(const std::string& message);
  // The far side said it takes transfers (we may offer).
  bool farTakesTransfers() const { return announceFrom_.has_value(); }

  // FileObserver: announce runs of what goes out on `file`.
  void onFileHanded(uint64_t index, const Payload& payload, bool replay) override;
  void onFileBatchEnd() override;

  size_t active() const { return outgoing_.size() + incoming_.size(); }

 private:
  struct Outgoing {
    enum class Stage { Waiting, Offered, Sending, Ended } stage = Stage::Waiting;
    std::string id, name, type, meta;
    std::optional<uint64_t> size;
    uint64_t read = 0;    // bytes read from the source (hashed, queued)
    uint64_t handed = 0;  // bytes handed to the browser
    int ahead = 0;        // chunks read or being read, not yet handed
    bool reading = false;
    bool sourceDone = false;
    Sha256 sha;
    Digest digest{};
    double startedMs = 0;
  };
  struct Incoming {
    enum class Stage { Offered, Accepted, Finishing } stage = Stage::Offered;
    std::string id;
    std::optional<uint64_t> size;
    uint64_t written = 0;  // bytes the sink has written
    std::optional<wire::End> end;
    Sha256 sha;
    Digest digest{};
    double startedMs = 0;
  };
  static constexpr uint64_t kUnknown = UINT64_MAX;  // a held message's index before the Sync
  struct Held {
    uint64_t index;
    Payload data;
  };

  bool say(const wire::TransferMessage& message);
  void offer(uint32_t number, const Outgoing& out);
  void readAhead(uint32_t number, Outgoing& out);
  void hash(Sha256& sha, const Payload& data);
  void failOutgoing(uint32_t number, TransferFailure reason, const std::string& message, bool tellFar);
  void failIncoming(uint32_t number, TransferFailure reason, const std::string& message, bool tellFar);
  void remember(const wire::TransferMessage& final);
  void onOffer(const wire::Offer& offer);
  void onAccept(uint32_t number);
  void onEnd(const wire::End& end);
  void onDone(uint32_t number);
  void onCancel(const wire::Cancel& cancel);
  void onClassifyFrom(uint64_t index);
  void onRun(const wire::Run& run);
  void onSync(uint64_t first);
  void stopClassifying(const std::string& why);
  // Processes the inbox in order until a message whose run is unknown, or a chunk being written.
  void pump();
  void finishIfWhole(uint32_t number, Incoming& in);
  std::string idOf(uint64_t session, uint32_t number) const;

  Driver& driver_;
  EventSink& events_;
  SendScheduler& scheduler_;
  std::function<void(size_t)> delivered_;
  std::function<uint64_t()> fileDelivered_;
  uint64_t session_ = 0;
  std::optional<uint64_t> farSession_;

  // Sender.
  std::map<uint32_t, Outgoing> outgoing_;
  uint32_t nextNumber_ = 1;
  std::optional<uint64_t> announceFrom_;  // the far side's ClassifyFrom: announce from there on
  std::optional<wire::Run> pendingRun_;   // being gathered, said at the batch's end
  std::deque<wire::Run> unsaidRuns_;      // `wre` was not open (its connection's first moments)
  bool firstOnConnection_ = true;         // no `file` message handed on this connection yet
  std::optional<uint64_t> syncUnsaid_;    // its Sync, not sent yet (`wre` not open): said at hello
  // Receiver.
  std::map<uint32_t, Incoming> incoming_;
  uint32_t lastOffered_ = 0;  // the far side's highest transfer number seen (older ones are over)
  bool classifying_ = false;
  uint64_t classifyFrom_ = 0;
  FileRuns runs_;
  uint64_t nextArrival_ = 0;  // index of the next `file` message to arrive
  uint64_t arrivedOnConnection_ = 0;
  bool syncPending_ = false;  // on a rebuilt connection until the far side's Sync: indexes unknown
  std::deque<Held> inbox_;
  size_t inboxBytes_ = 0;
  struct Writing {
    uint32_t transfer;
    size_t size;
  };
  std::optional<Writing> writing_;
  std::vector<uint8_t> scratch_;              // a chunk's bytes, to hash
  std::deque<wire::TransferMessage> finals_;  // kRecentFinals last Done / Cancel we said
};

}  // namespace wre
