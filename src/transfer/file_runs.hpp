// Receiver side of the `file` classification (README, "Transfers"): `file` stays unframed, so the
// sender says on `wre` which of its `file` messages are chunks of which transfer and which are the
// app's own, as runs of message indexes in its session. `wre` and `file` are different streams,
// so a message may arrive before its run: it waits (Transfers' inbox) until its run is known.
// Runs are untrusted: one that leaves a gap, or too many ahead of what was processed, is refused.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace wre {

class FileRuns {
 public:
  // Runs known ahead of the messages processed: far more than a window of 64 KiB chunks.
  static constexpr size_t kMaxRuns = 8192;

  // Classify from message `from` on (what came before was the app's); nothing announced yet.
  void reset(uint64_t from);
  // A run [start, start + count) of `transfer` (0: the app's). One that starts before the end of
  // what is known replaces it from `start` on (the sender re-announces what it replays after a
  // rebuilt connection). False: a gap after what is known, or too many runs.
  bool add(uint64_t start, uint32_t count, uint32_t transfer);
  // The transfer of message `index` (0: the app's); nullopt while its run is not known.
  std::optional<uint32_t> classify(uint64_t index) const;
  // Messages before `index` were processed: their runs are not needed any more.
  void dropBefore(uint64_t index);
  uint64_t known() const { return end_; }

 private:
  struct Run {
    uint64_t start, end;
    uint32_t transfer;
  };
  std::deque<Run> runs_;
  uint64_t from_ = 0;
  uint64_t end_ = 0;
};

}  // namespace wre
