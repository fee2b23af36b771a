// Each core event as the JS event the guide names: one small conversion per event type.
#pragma once

#include <emscripten/val.h>
#include <string>

#include "peer/peer_events.hpp"

namespace wre::bind {

// Either one of the guide's events, which the wrapper emits as it is (`host.emit`), or work for
// the wrapper itself (`host.handle`): a request settled, an error to wrap in an Error, a `file`
// message to deliver, a transfer's offer, I/O and end, which it turns into the guide's events.
struct JsEvent {
  const char* name;
  emscripten::val payload;
  bool forWrapper = false;
};

JsEvent toJs(const PeerEvent& event, const std::string& peerId);

}  // namespace wre::bind
