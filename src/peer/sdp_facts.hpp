// The few facts the core reads out of a session description (the browser does the real parsing).
#pragma once

#include <string_view>

namespace wre {

// The far end's a=max-message-size (RFC 8841): 65536 when absent, infinity when 0 ("any size").
double maxMessageSizeOf(std::string_view sdp);

// Our own description's a=max-message-size: what this browser sends at most as well (Chromium
// refuses to send more than it would accept, 262144; Firefox says 1073741823). Infinity when
// absent or 0: no limit of ours is known.
double ownMaxMessageSizeOf(std::string_view sdp);

// The o= line's sess-id (RFC 4566): the same in every description one RTCPeerConnection makes
// (ICE restarts included, JSEP 5.2.2), new with a new RTCPeerConnection. Empty when missing.
std::string_view sessionIdOf(std::string_view sdp);

}  // namespace wre
