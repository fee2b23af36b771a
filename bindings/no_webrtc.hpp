#pragma once

#include <string_view>

namespace wre {

// What creating a peer says in a browser without WebRTC (the shim finds no
// RTCPeerConnection): which API is missing, what needs it, and the usual reasons.
inline constexpr std::string_view kNoWebRtc =
    "this browser has no WebRTC: RTCPeerConnection is not defined. webrtc-enhanced needs "
    "RTCPeerConnection and RTCDataChannel; they are missing in browsers built without WebRTC, when "
    "a privacy setting turns WebRTC off (Firefox: media.peerconnection.enabled = false), or when a "
    "script or extension removed them";

}  // namespace wre
