// Converts an app-supplied JS value (the config object) into the core's Value tree.
#pragma once

#include <emscripten/val.h>

#include "util/value.hpp"

namespace wre::bind {

Value valueFromJs(const emscripten::val& v, int depth = 0);

}  // namespace wre::bind
