// The pool's raw bindings (its own block, next to the peer's in peer_embind.cpp). `_`-prefixed methods
// are called by the pool wrapper's host, not by the app-facing API.
#include <emscripten/bind.h>

#include "core_pool.hpp"

using namespace emscripten;
using wre::bind::CorePool;

EMSCRIPTEN_BINDINGS(wre_pool) {
  class_<CorePool>("CorePool")
      .constructor<val>()
      .function("setDefaults", &CorePool::setDefaults)
      .function("add", &CorePool::add)
      .function("remove", &CorePool::remove)
      .function("closeAll", &CorePool::closeAll)
      .function("collect", &CorePool::collect)
      .function("broadcast", &CorePool::broadcast)
      .function("stats", &CorePool::stats)
      .function("ids", &CorePool::ids)
      .function("diagnostics", &CorePool::diagnostics)
      .function("_onAlarm", &CorePool::onAlarm);
}
