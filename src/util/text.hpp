// Message text: `format("… {} …", args…)` puts each argument's text in place of a `{}`, as
// fmt::format did with plain `{}` fields (the only kind the core used). Issue #17: fmt's
// floating-point and Unicode machinery was 13 KiB of the WASM for error messages alone.
#pragma once

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

namespace wre {

// A number as fmt's `{}` shows it: integers as digits, others in the fewest significant digits
// that read back as the same double (fixed notation for exponents -4 to 15, else `1.5e+21`),
// `nan`, `inf`, `-inf`. Exact for values of up to 15 significant digits between 1e-22 and 1e22
// (every figure the core reports); others get 16 digits, the last within about one unit.
std::string numberText(double v);

// One argument of format(), as text.
class TextArg {
 public:
  TextArg(std::string_view s) : text_(s) {}                    // NOLINT(google-explicit-constructor): any text
  TextArg(const char* s) : text_(s) {}                         // NOLINT(google-explicit-constructor)
  TextArg(const std::string& s) : text_(s) {}                  // NOLINT(google-explicit-constructor)
  TextArg(char c) : owned_(1, c), text_(owned_) {}             // NOLINT(google-explicit-constructor): the character
  TextArg(bool b) : text_(b ? "true" : "false") {}             // NOLINT(google-explicit-constructor)
  TextArg(double v) : owned_(numberText(v)), text_(owned_) {}  // NOLINT(google-explicit-constructor)
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) TextArg(T v)
      : owned_(std::to_string(v)), text_(owned_) {}  // NOLINT(google-explicit-constructor)
  TextArg(const TextArg&) = delete;
  TextArg& operator=(const TextArg&) = delete;

  std::string_view text() const { return text_; }

 private:
  std::string owned_;
  std::string_view text_;
};

std::string formatText(std::string_view pattern, std::initializer_list<std::string_view> args);

template <class... A>
std::string format(std::string_view pattern, const A&... args) {
  return formatText(pattern, {TextArg(args).text()...});
}

// The parts, `separator` between each two.
template <class Range>
std::string joinText(const Range& parts, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    if (!first) out += separator;
    out += p;
    first = false;
  }
  return out;
}

}  // namespace wre
