#include "util/error.hpp"

namespace wre {

std::string_view toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Config:  // a bad config is the guide's `initialization` error
    case ErrorKind::Initialization:
      return "initialization";
    case ErrorKind::OfferCreation:
      return "offer-creation";
    case ErrorKind::AnswerCreation:
      return "answer-creation";
    case ErrorKind::AnswerSet:
      return "answer-set";
    case ErrorKind::IceCandidate:
      return "ice-candidate";
    case ErrorKind::IceRestart:
      return "ice-restart";
    case ErrorKind::Send:
      return "send";
    case ErrorKind::MessageHandling:
      return "message-handling";
    case ErrorKind::ConnectionTimeout:
      return "connection-timeout";
    case ErrorKind::InvalidState:
      return "invalid-state";
  }
  return "unknown";
}

}  // namespace wre
