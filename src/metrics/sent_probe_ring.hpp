// The send times of our most recent probes, so that an echo from the far side counts as a round
// trip only when it returns a probe we really sent, once. The echo carries nothing but that send
// time (probe_codec.hpp), so the time itself is the key: the far side copies the f64 bit for bit.
// Bounded memory: the last kCapacity probes; an echo of anything older is no sample.
#pragma once

#include <array>
#include <cstddef>

namespace wre {

class SentProbeRing {
 public:
  // 128 probes: 6.4 s at one probe per 50 ms, longer while probes are sparser. An echo comes back
  // one round trip plus the far side's hold after its probe left, so round trips up to about 6 s
  // are measured while probing is dense; 1 KiB per peer.
  static constexpr std::size_t kCapacity = 128;

  // We sent a probe stamped `sentMs` (our clock). The oldest falls out when the ring is full.
  void add(double sentMs);
  // True if `echoSentMs` is the stamp of a probe still in the ring that was not echoed before;
  // that probe is then forgotten, so a replayed echo is no second sample.
  bool take(double echoSentMs);

  std::size_t size() const { return size_; }

 private:
  std::array<double, kCapacity> sent_{};
  std::size_t next_ = 0;  // where the next add() writes
  std::size_t size_ = 0;  // probes held, taken ones included until overwritten
};

}  // namespace wre
