// Shared by the tests that feed the metrics what a hostile or broken far end can send.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace wre::test {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline const double kNaN = std::nan("");

// Deterministic 32-bit draws (the LCG of loss_test.cpp): the same garbage on every run.
struct Lcg {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state >> 32);
  }
};

}  // namespace wre::test
