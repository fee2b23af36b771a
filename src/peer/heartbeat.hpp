// The heartbeat's verdict on the link to a far side of this library, from how long it has been
// silent: lost after `timeoutMs` without a word. Before that it asks the far side for a probe at
// once (a query) at half and at three quarters of the silence: a lost probe or two on an idle link
// is not a dead one, so the idle probes can be sparse. Pure: the Peer acts on the verdict.
#pragma once

#include <optional>

namespace wre {

class Heartbeat {
 public:
  struct Verdict {
    bool lost = false;                // silent for the whole timeout
    bool query = false;               // ask the far side for a probe now
    std::optional<double> checkInMs;  // check again then: the probe ticks would come too late
  };

  explicit Heartbeat(double timeoutMs) : timeoutMs_(timeoutMs) {}

  // Anything came from the far side (or the link came up: the silence counts from then).
  void heard(double nowMs) { lastHeardMs_ = nowMs; }
  // `nextTickMs`: how soon the probe tick checks again anyway.
  Verdict check(double nowMs, double nextTickMs);

 private:
  double timeoutMs_;
  double lastHeardMs_ = 0;
  double lastQueryMs_ = -1e300;  // when the last query went out
};

}  // namespace wre
