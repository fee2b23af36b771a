// Conversions between the core's structs and plain JS values (the shapes of the public events).
#pragma once

#include <emscripten/val.h>

#include "metrics/connection_metrics.hpp"
#include "metrics/stats_record.hpp"
#include "peer/driver.hpp"
#include "util/error.hpp"

namespace wre::bind {

// { type, message }: the wrapper turns it into a WebRTCEnhancedError.
emscripten::val errorVal(const Error& e);
// undefined on success, else errorVal.
template <class T>
emscripten::val resultVal(const Result<T>& r) {
  return r ? emscripten::val::undefined() : errorVal(r.error());
}
// { type, label } of a channel.
emscripten::val channelVal(int channel);
emscripten::val descriptionVal(const SessionDescription& d);
CandidateInit candidateFromJs(const emscripten::val& c);
emscripten::val candidateVal(const CandidateInit& c);
emscripten::val metricsVal(const ConnectionMetrics& m);
StatsRecord statsFromJs(const emscripten::val& v);

}  // namespace wre::bind
