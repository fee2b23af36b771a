// The peer's configuration: the guide's fields with their defaults, validated from the app's
// JS object (as a Value tree) before any browser object exists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"
#include "util/value.hpp"

namespace wre {

struct IceServer {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

struct Config {
  std::string peerId;
  std::vector<IceServer> iceServers;  // no default servers: we never call a public host
  double connectionTimeout = 30000;   // ms
  int reconnectMaxAttempts = 5;
  // Failed ICE restarts before the next attempts rebuild the connection instead (session resume).
  int iceRestartAttempts = 3;
  double reconnectBaseDelay = 1000;               // ms
  double reconnectMaxDelay = 30000;               // ms
  double reconnectJitter = 1000;                  // ms, upper bound of the random part
  double maxBufferedAmount = 16.0 * 1024 * 1024;  // bytes in the browser's channel buffer
  double lowWaterMark = 1024.0 * 1024;            // bytes; drain the queue below this
  double maxQueuedBytes = 16.0 * 1024 * 1024;     // bytes held in our queues per peer
  bool metricsEnabled = true;
  double metricsInterval = 5000;   // ms
  double heartbeatTimeout = 3000;  // ms of silence from a peer of this library = link lost; 0: off
  std::string iceTransportPolicy = "all";
  std::string bundlePolicy = "balanced";
  std::string rtcpMuxPolicy = "require";
  int iceCandidatePoolSize = 0;
};

// Below this a heartbeat would cost more than it tells (three probes per timeout, each a packet).
inline constexpr double kMinHeartbeatTimeout = 300;

// Chromium refuses to buffer more than this per channel ("send queue is full").
inline constexpr double kBrowserChannelLimit = 16.0 * 1024 * 1024;

// Validates every field; the error names the field and the bad value.
Result<Config> parseConfig(const Value& input);
// A pool's defaults: the same fields but peerId, which each createPeer() gives.
Result<Config> parseConfigDefaults(const Value& defaults);

// The config's `iceServers` alone (undefined: none), as parseConfig reads it; detectNATType() asks
// the same servers, so it reads them the same way.
Result<std::vector<IceServer>> parseIceServers(const Value& servers);

// Checks one ICE server URL (stun:, stuns:, turn:, turns: with host, optional port/transport).
Result<void> validateIceUrl(const std::string& url);

}  // namespace wre
