#include "peer/outbox.hpp"

#include <algorithm>

namespace wre {
namespace {

bool settlesRequest(const PeerEvent& e) {
  return std::holds_alternative<event::RequestDone>(e) || std::holds_alternative<event::RequestFailed>(e);
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
                              [&](const Entry& e) { return e.to == &to && !settlesRequest(e.event); }),
               queue_.end());
}

void Outbox::forget(const EventSink& to) {
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.to == &to; }),
               queue_.end());
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
