// The wire contract's six negotiated data channels: four for the app, two for the library.
#pragma once

#include <array>
#include <string_view>

namespace wre {

struct ChannelSpec {
  int id;                  // negotiated SCTP stream id
  std::string_view label;  // also the `type` name the app uses
  bool ordered;
  int maxRetransmits;         // -1: fully reliable
  bool user;                  // false: library traffic, never shown to the app
  std::string_view priority;  // RTCDataChannel priority hint for the browser's SCTP scheduler
};

inline constexpr int kControl = 0, kReliable = 1, kUnreliable = 2, kFile = 3, kWre = 4, kWreProbe = 5;
inline constexpr int kUserChannels = 4;
inline constexpr int kChannelCount = 6;

inline constexpr std::array<ChannelSpec, kChannelCount> kChannels = {{
    {kControl, "control", true, -1, true, "high"},
    {kReliable, "reliable", true, -1, true, "medium"},
    {kUnreliable, "unreliable", false, 0, true, "medium"},
    {kFile, "file", true, -1, true, "very-low"},
    {kWre, "wre", true, -1, false, "high"},
    {kWreProbe, "wre-probe", false, 0, false, "high"},
}};

}  // namespace wre
