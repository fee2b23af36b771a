// The raw bindings: `_`-prefixed methods are shim callbacks, the rest back the JS wrapper.
#include <emscripten/bind.h>
#include <malloc.h>

#include "core_peer.hpp"
#include "page_timers.hpp"

using namespace emscripten;
using wre::bind::CorePeer;

namespace {
// Bytes the C++ heap has handed out: lets tests prove closed peers leave nothing behind.
double heapUsed() { return static_cast<double>(mallinfo().uordblks); }
void onPageAlarm() { wre::bind::PageTimers::instance().onAlarm(); }
}  // namespace

EMSCRIPTEN_BINDINGS(webrtc_enhanced) {
  function("heapUsed", &heapUsed);
  function("_onPageAlarm", &onPageAlarm);
  class_<CorePeer>("CorePeer")
      .constructor<val>()
      .function("start", &CorePeer::start)
      .function("iceServers", &CorePeer::iceServers)
      .function("createOffer", &CorePeer::createOffer)
      .function("createAnswer", &CorePeer::createAnswer)
      .function("setRemoteAnswer", &CorePeer::setRemoteAnswer)
      .function("addIceCandidate", &CorePeer::addIceCandidate)
      .function("address", &CorePeer::address)
      .function("close", &CorePeer::close)
      .function("state", &CorePeer::state)
      .function("peerId", &CorePeer::peerId)
      .function("queuedMessages", &CorePeer::queuedMessages)
      .function("queuedBytes", &CorePeer::queuedBytes)
      .function("reportEvent", &CorePeer::reportEvent)
      .function("_onDescription", &CorePeer::onDescription)
      .function("_onRequestDone", &CorePeer::onRequestDone)
      .function("_onRequestFailed", &CorePeer::onRequestFailed)
      .function("_onIceCandidate", &CorePeer::onIceCandidate)
      .function("_onIceGatheringState", &CorePeer::onIceGatheringState)
      .function("_onIceConnectionState", &CorePeer::onIceConnectionState)
      .function("_onConnectionState", &CorePeer::onConnectionState)
      .function("_onChannelOpen", &CorePeer::onChannelOpen)
      .function("_onChannelClose", &CorePeer::onChannelClose)
      .function("_onChannelError", &CorePeer::onChannelError)
      .function("_onBufferedAmountLow", &CorePeer::onBufferedAmountLow)
      .function("_onTimer", &CorePeer::onTimer)
      .function("_onStats", &CorePeer::onStats)
      .function("metrics", &CorePeer::metrics)
      .function("quality", &CorePeer::quality)
      .function("_onNetworkChange", &CorePeer::onNetworkChange)
      .function("sendFile", &CorePeer::sendFile)
      .function("acceptTransfer", &CorePeer::acceptTransfer)
      .function("rejectTransfer", &CorePeer::rejectTransfer)
      .function("cancelTransfer", &CorePeer::cancelTransfer)
      .function("_onSourceRead", &CorePeer::onSourceRead)
      .function("_onSourceFailed", &CorePeer::onSourceFailed)
      .function("_onSinkWritten", &CorePeer::onSinkWritten)
      .function("_onSinkFailed", &CorePeer::onSinkFailed)
      .function("_onSinkFinished", &CorePeer::onSinkFinished);
}
