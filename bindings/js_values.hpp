// Conversions between the core's structs and plain JS values (the shapes of the public events).
#pragma once

#include <emscripten/val.h>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/connection_metrics.hpp"
#include "metrics/stats_entry.hpp"
#include "peer/config.hpp"
#include "peer/driver.hpp"
#include "util/error.hpp"

namespace wre::bind {

// { type, message }: the wrapper turns it into a WebRTCEnhancedError.
emscripten::val errorVal(const Error& e);
// Every binding call answers in one shape: its value (undefined when it has none), or
// { error: { type, message, ... } } (js/errors.js `unwrap`).
emscripten::val failureVal(const Error& e);
emscripten::val failureVal(emscripten::val error);
template <class T>
emscripten::val answerVal(const Result<T>& r) {
  if (!r) return failureVal(r.error());
  if constexpr (std::is_void_v<T>)
    return emscripten::val::undefined();
  else
    return emscripten::val(r.value());
}
// RTCConfiguration for the browser from the validated config.
emscripten::val rtcConfigurationVal(const Config& config);
// { type, label } of a channel.
emscripten::val channelVal(int channel);
emscripten::val descriptionVal(const SessionDescription& d);
// An RTCSessionDescriptionInit for `method`; its type and SDP lengths are checked against
// InputLimits before they are copied (errors of `kind`).
Result<SessionDescription> descriptionFromJs(const emscripten::val& d, ErrorKind kind, std::string_view method);
// An RTCIceCandidateInit; each string's length is checked against InputLimits before it is copied.
Result<CandidateInit> candidateFromJs(const emscripten::val& c);
emscripten::val candidateVal(const CandidateInit& c);
emscripten::val metricsVal(const ConnectionMetrics& m);
// The shim's getStats() columns (see JsDriver::getStats): a Float64Array and one joined string.
std::vector<StatsEntry> statsReportFromJs(const emscripten::val& numbers, const emscripten::val& strings);
// The field names the shim copies from every entry, from kStats*Fields: {numbers, strings}.
const emscripten::val& statsFieldNames();

}  // namespace wre::bind
