#include "text.hpp"

#include <cmath>
#include <cstdint>

namespace wre {
namespace {

// 10^0 … 10^22: every one exact in a double, so one multiplication or division by them rounds
// once, as reading the decimal back would (Clinger's fast path).
constexpr int kExactPowers = 22;
double power10(int k) {
  double p = 1;
  for (int i = 0; i < k; ++i) p *= 10;
  return p;
}

std::string digitsOf(uint64_t d) {
  std::string s = std::to_string(d);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  return s;
}

// `digits` (no trailing zeros) times 10^(exp10 - digits.size() + 1), as fmt lays it out.
std::string layOut(const std::string& digits, int exp10) {
  int n = static_cast<int>(digits.size());
  if (exp10 < -4 || exp10 >= 16) {
    std::string out = digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    out += exp10 < 0 ? "e-" : "e+";
    int e = exp10 < 0 ? -exp10 : exp10;
    if (e < 10) out += '0';
    return out + std::to_string(e);
  }
  if (exp10 < 0) return "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
  if (n <= exp10 + 1) return digits + std::string(static_cast<size_t>(exp10 + 1 - n), '0');
  auto point = static_cast<size_t>(exp10) + 1;  // digits before the point
  return digits.substr(0, point) + "." + digits.substr(point);
}

// The fewest significant digits (1 to 15, exact) that read back as v (v > 0, finite); past that,
// 16 digits.
std::string shortestText(double v) {
  int exp10 = 0;
  for (double s = v; s >= 10; s /= 10) ++exp10;
  for (double s = v; s < 1; s *= 10) --exp10;
  for (int precision = 1; precision <= 17; ++precision) {
    int shift = precision - 1 - exp10;  // v * 10^shift has `precision` digits before the point
    if (shift > kExactPowers || shift < -kExactPowers) break;
    double scale = power10(shift < 0 ? -shift : shift);
    double scaled = shift < 0 ? v / scale : v * scale;
    double d = std::nearbyint(scaled);
    if (d == 0) continue;
    if (d >= 9007199254740992.0) break;  // 2^53: past here the check below is not exact
    if ((shift < 0 ? d * scale : d / scale) != v) continue;
    auto digits = static_cast<uint64_t>(d);
    // The exponent above is an estimate (the loops round), and rounding may carry into one more
    // digit (9.99… -> 10): the digits found say where the point goes.
    int exp = exp10 + static_cast<int>(std::to_string(digits).size()) - precision;
    return layOut(digitsOf(digits), exp);
  }
  // Beyond the exact powers, or a value that needs 16-17 digits: 16 digits, within about one unit
  // of the last (a double near 10^16 is only exact to 2, so a 17th would be noise).
  int shift = 15 - exp10;
  double scaled = v;
  for (int k = shift; k != 0;) {
    int step = k > kExactPowers ? kExactPowers : (k < -kExactPowers ? -kExactPowers : k);
    scaled = step < 0 ? scaled / power10(-step) : scaled * power10(step);
    k -= step;
  }
  auto digits = static_cast<uint64_t>(std::nearbyint(scaled));
  return layOut(digitsOf(digits), exp10 + static_cast<int>(std::to_string(digits).size()) - 16);
}

}  // namespace

std::string numberText(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  std::string sign = std::signbit(v) ? "-" : "";
  v = std::fabs(v);
  if (v == 0) return sign + "0";
  if (v < 1e16 && v == std::floor(v)) return sign + std::to_string(static_cast<uint64_t>(v));
  return sign + shortestText(v);
}

std::string formatText(std::string_view pattern, std::initializer_list<std::string_view> args) {
  std::string out;
  const std::string_view* next = args.begin();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '}' && next != args.end()) {
      out += *next++;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace wre
