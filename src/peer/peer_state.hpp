// The public connection states of the guide, and the signaling roles behind them.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace wre {

enum class PeerState { New, Connecting, Connected, Disconnected, Failed, Closed };

// Every state, in order (the pool counts them; its stats name each one).
inline constexpr std::array<PeerState, 6> kPeerStates = {PeerState::New,       PeerState::Connecting,
                                                         PeerState::Connected, PeerState::Disconnected,
                                                         PeerState::Failed,    PeerState::Closed};
inline constexpr size_t kPeerStateCount = kPeerStates.size();

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
