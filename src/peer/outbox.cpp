#include "peer/outbox.hpp"

#include <algorithm>

namespace wre {
namespace {

// What a close leaves in place: the settlements of requests (a Promise waits on each) and the
// reports of messages the app had handed over that will never be sent (a queued message the drain
// dropped: an error of kind send, or MessageDropped on `unreliable`). Without them, a listener that
// closes the peer mid-drain would make an accepted message vanish without a word.
// Likewise a transfer's outcome (its Promise waits) and what its source or sink must do to end.
bool survivesClose(const PeerEvent& e) {
  if (std::holds_alternative<event::RequestDone>(e) || std::holds_alternative<event::RequestFailed>(e) ||
      std::holds_alternative<event::MessageDropped>(e) || std::holds_alternative<event::TransferComplete>(e) ||
      std::holds_alternative<event::TransferFailed>(e))
    return true;
  if (const auto* io = std::get_if<event::TransferIo>(&e))
    return io->op != event::TransferIo::Op::Read && io->op != event::TransferIo::Op::Write;
  const auto* error = std::get_if<event::ErrorRaised>(&e);
  return error && error->error.kind == ErrorKind::Send;
}

}  // namespace

void Outbox::post(EventSink& to, PeerEvent event) {
  if (depth_ > 0) {
    queue_.push_back({&to, std::move(event)});
    return;
  }
  ++unscopedPosts_;
  Scope scope(*this);
  queue_.push_back({&to, std::move(event)});
}

void Outbox::seal(const EventSink& to) {
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                              [&](const Entry& e) { return e.to == &to && !survivesClose(e.event); }),
               queue_.end());
}

void Outbox::forget(const EventSink& to) {
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.to == &to; }), queue_.end());
}

void Outbox::deliver() {
  ++delivering_;
  while (depth_ == 0 && !queue_.empty()) {
    Entry next = std::move(queue_.front());
    queue_.pop_front();
    next.to->onEvent(next.event);
  }
  --delivering_;
}

}  // namespace wre
