// Reconnection delay schedule: exponential backoff with additive jitter (guide, "Automatic
// Reconnection"). Pure: the caller supplies the random value, so schedules are testable.
#pragma once

namespace wre {

struct BackoffPolicy {
  double baseDelayMs = 1000;  // delay before attempt 1 (before jitter)
  double maxDelayMs = 30000;  // cap on the exponential part
  double jitterMs = 1000;     // spread added on top: [0, jitterMs)
  int maxAttempts = 5;        // attempts before giving up (read by the reconnect logic)
};

// Delay before reconnection attempt `attempt` (1-based; values < 1 count as 1):
//   min(baseDelayMs * 2^(attempt-1), maxDelayMs) + random01 * jitterMs
// The cap applies BEFORE jitter, so peers that all hit the cap still spread out over
// [maxDelayMs, maxDelayMs + jitterMs] instead of retrying in lockstep. The result can therefore
// exceed maxDelayMs by up to jitterMs.
// random01 is a uniform draw in [0, 1); it is clamped to [0, 1] (NaN counts as 0).
// Policy fields are expected finite and non-negative (config validation checks them); huge
// attempt numbers saturate at the cap instead of overflowing.
double backoffDelayMs(const BackoffPolicy& policy, int attempt, double random01);

}  // namespace wre
