// Errors as values: every fallible core call returns Result<T>; Error::kind maps 1:1 to the
// guide's error types so the JS wrapper can emit `error {type}` without guessing.
#pragma once

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>
#include <boost/outcome/try.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace wre {

enum class ErrorKind {
  Config,  // bad constructor config (reported as `initialization`)
  Initialization,
  OfferCreation,
  AnswerCreation,
  AnswerSet,
  IceCandidate,
  IceRestart,
  Send,
  MessageHandling,
  ConnectionTimeout,
  InvalidState,  // a method called after close() or in the wrong state
};

// The guide's name for an error kind (`error` event `type`).
std::string_view toString(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;
};

inline Error makeError(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

// `terminate` policy: no exceptions anywhere in the core (it is built with -fno-exceptions).
template <class T>
using Result = boost::outcome_v2::basic_result<T, Error, boost::outcome_v2::policy::terminate>;

inline Result<void> ok() { return boost::outcome_v2::success(); }

}  // namespace wre

// WRE_TRY(expr) for Result<void>; WRE_TRY(name, expr) declares `auto&& name` (Boost 1.74 form).
#define WRE_TRY BOOST_OUTCOME_TRY
