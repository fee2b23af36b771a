#include "reconnect/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace wre {

namespace {
// 2^2100 overflows every finite double ratio max/base, so larger exponents cannot change the
// capped result; limiting it keeps ldexp's argument small (result is +inf, then capped).
constexpr int kMaxExponent = 2100;
}  // namespace

double backoffDelayMs(const BackoffPolicy& policy, int attempt, double random01) {
  const int exponent = std::clamp(attempt, 1, kMaxExponent + 1) - 1;
  const double grown = std::ldexp(policy.baseDelayMs, exponent);  // base * 2^exponent, exact
  const double capped = std::min(grown, policy.maxDelayMs);
  const double unit = std::isnan(random01) ? 0.0 : std::clamp(random01, 0.0, 1.0);
  return capped + unit * policy.jitterMs;
}

}  // namespace wre
