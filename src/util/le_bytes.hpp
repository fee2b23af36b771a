// Little-endian fields for the library's own wire messages (wasm32 and x86-64 are little-endian,
// so a memcpy is the encoding). ByteReader never reads past the end: a short field fails it.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace wre {

template <class T>
void putLe(std::string& out, T value) {
  static_assert(std::is_arithmetic_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    static_assert(std::is_arithmetic_v<T>);
    T value{};
    if (!take(sizeof(T))) return value;
    std::memcpy(&value, bytes_.data() + at_ - sizeof(T), sizeof(T));
    return value;
  }
  std::string_view text(size_t length) {
    if (!take(length)) return {};
    return bytes_.substr(at_ - length, length);
  }
  // Every read so far was within the message.
  bool ok() const { return ok_; }
  // ... and the message has nothing after them.
  bool done() const { return ok_ && at_ == bytes_.size(); }

 private:
  bool take(size_t n) {
    if (!ok_ || bytes_.size() - at_ < n) return ok_ = false;
    at_ += n;
    return true;
  }
  std::string_view bytes_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace wre
