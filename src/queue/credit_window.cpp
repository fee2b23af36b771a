#include "queue/credit_window.hpp"

#include <algorithm>

namespace wre {

bool CreditWindow::onAck(uint64_t delivered) {
  if (abandoned_) return false;            // this far end lost our trust
  if (delivered < acked_) return false;    // backwards (or replayed): not trusted
  delivered = std::min(delivered, sent_);  // the far end cannot have delivered more than we sent
  bool opened = !active_ || delivered > acked_;
  active_ = true;
  expectsAcks_ = false;
  acksSeen_ = true;
  acked_ = delivered;
  if (opened) sinceAck_ = 0;
  return opened;
}

}  // namespace wre
