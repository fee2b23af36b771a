// Each core event as the JS event the guide names: one small conversion per event type.
#pragma once

#include <emscripten/val.h>
#include <string>

#include "peer/peer_events.hpp"

namespace wre::bind {

struct JsEvent {
  const char* name;  // the guide's event name; `_done`/`_failed`/`_error` are the wrapper's own
  emscripten::val payload;
};

JsEvent toJs(const PeerEvent& event, const std::string& peerId);

}  // namespace wre::bind
