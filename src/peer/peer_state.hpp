// The public connection states of the guide, and the signaling roles behind them.
#pragma once

#include <string_view>

namespace wre {

enum class PeerState { New, Connecting, Connected, Disconnected, Failed, Closed };

inline std::string_view toString(PeerState s) {
  switch (s) {
    case PeerState::New:
      return "new";
    case PeerState::Connecting:
      return "connecting";
    case PeerState::Connected:
      return "connected";
    case PeerState::Disconnected:
      return "disconnected";
    case PeerState::Failed:
      return "failed";
    case PeerState::Closed:
      return "closed";
  }
  return "unknown";
}

}  // namespace wre
