#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "util/text.hpp"

using wre::format;
using wre::numberText;

TEST_CASE("format: each {} takes the next argument's text, as fmt did") {
  CHECK(format("a {} b {} c", 1, "x") == "a 1 b x c");
  CHECK(format("{}{}", std::string("left"), std::string_view("right")) == "leftright");
  CHECK(format("{} {} {} {}", 'c', true, uint64_t{18446744073709551615U}, -42) == "c true 18446744073709551615 -42");
  CHECK(format("{} and {}", 0.5, 1e21) == "0.5 and 1e+21");
  CHECK(format("no fields") == "no fields");
  CHECK(format("more fields {} {} than arguments", 1) == "more fields 1 {} than arguments");
  CHECK(wre::joinText(std::vector<std::string>{"", "a", "b"}, ", ") == ", a, b");
}

TEST_CASE("numberText: the same text as fmt's {} for special and edge values") {
  const std::vector<double> values = {0.0,   -0.0,     1.0,       -1.0,   1000.0,   0.5,     0.1,     0.3,
                                      1e15,  1e16,     1e21,      1.5e21, 1e-5,     1e-6,    1.25e-7, 123.456,
                                      -2.75, 9.99e15,  9.5e-5,    0.0001, 65535.5,  1e22,    1e-22,   4294967296.0,
                                      NAN,   INFINITY, -INFINITY, 3.0e-3, 99999.99, 1.0e100, 5e-324,  1.5e308};
  for (double v : values) {
    INFO(fmt::format("value {}", v));
    if (std::isfinite(v) && (std::fabs(v) > 1e22 || (v != 0 && std::fabs(v) < 1e-22))) {
      // Beyond exact powers of ten: 16 digits; it must read back close.
      CHECK(std::fabs(std::strtod(numberText(v).c_str(), nullptr) - v) <= std::fabs(v) * 1e-14);
    } else {
      CHECK(numberText(v) == fmt::format("{}", v));
    }
  }
}

TEST_CASE("numberText: fmt's text for 200,000 random decimals of up to 15 digits, 1e-22 to 1e18") {
  std::mt19937_64 random(17);
  for (int i = 0; i < 200000; ++i) {
    int digits = 1 + static_cast<int>(random() % 15);
    auto mantissa = static_cast<double>(random() % static_cast<uint64_t>(std::pow(10, digits)));
    int exp10 = static_cast<int>(random() % 26) - 22;  // 10^|exp10| exact: v is the decimal's double
    double scale = std::pow(10.0, std::abs(exp10));
    double v = exp10 < 0 ? mantissa / scale : mantissa * scale;
    if (random() % 2) v = -v;
    INFO(fmt::format("value {}", v));
    REQUIRE(numberText(v) == fmt::format("{}", v));
  }
}

TEST_CASE("numberText: values that need 16 or 17 digits read back within two units of the 16th") {
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 20000; ++i) {
    double v = unit(random) * std::pow(10.0, static_cast<int>(random() % 20) - 5);
    double back = std::strtod(numberText(v).c_str(), nullptr);
    INFO(fmt::format("value {} shown as {}", v, numberText(v)));
    REQUIRE(std::fabs(back - v) <= std::fabs(v) * 2e-15);
  }
}
