#include "peer/heartbeat.hpp"

namespace wre {

Heartbeat::Verdict Heartbeat::check(double nowMs, double nextTickMs) {
  const double timeout = timeoutMs_;
  const double silent = nowMs - lastHeardMs_;
  Verdict v;
  if (silent >= timeout) {
    v.lost = true;
    return v;
  }
  // Nothing to do before half the timeout, unless the next tick would come after three quarters
  // of it (then a check at half); arming one for every peer on every tick would cost wake-ups.
  if (silent < timeout / 2) {
    if (silent + nextTickMs > timeout * 3 / 4) v.checkInMs = timeout / 2 - silent;
    return v;
  }
  if (nowMs - lastQueryMs_ >= timeout / 8) {  // (not twice at one moment)
    lastQueryMs_ = nowMs;
    v.query = true;
  }
  // A one-shot check at the next of those moments when the probe ticks would come too late.
  const double next = silent < timeout * 3 / 4 ? timeout * 3 / 4 : timeout;
  const double wait = lastHeardMs_ + next - nowMs;
  if (wait < nextTickMs) v.checkInMs = wait;
  return v;
}

}  // namespace wre
