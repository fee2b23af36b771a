// An opaque handle to the caller's bytes. The core only needs the size; the driver that made the
// handle (a JS buffer in the browser, a byte vector in tests) knows how to send it. No copy.
#pragma once

#include <cstddef>
#include <memory>

namespace wre {

class Payload {
 public:
  struct Holder {
    virtual ~Holder() = default;
  };

  Payload(std::unique_ptr<Holder> holder, size_t size) : holder_(std::move(holder)), size_(size) {}

  size_t size() const { return size_; }
  Holder& holder() const { return *holder_; }

 private:
  std::unique_ptr<Holder> holder_;
  size_t size_;
};

}  // namespace wre
