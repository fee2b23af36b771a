// The fuzz input read as little-endian fields; past its end every read gives zeros.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

class Bytes {
 public:
  Bytes(const uint8_t* data, std::size_t size) : p_(data), left_(size) {}
  bool empty() const { return left_ == 0; }
  uint8_t u8() { return take(1) ? p_[-1] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return u16() | (static_cast<uint32_t>(u16()) << 16); }
  std::string_view bytes(std::size_t n) {
    n = std::min(n, left_);
    std::string_view out(reinterpret_cast<const char*>(p_), n);
    take(n);
    return out;
  }

 private:
  bool take(std::size_t n) {
    if (n > left_) {
      p_ += left_;
      left_ = 0;
      return false;
    }
    p_ += n;
    left_ -= n;
    return true;
  }
  const uint8_t* p_;
  std::size_t left_;
};
