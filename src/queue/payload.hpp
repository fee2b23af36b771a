// An opaque handle to the caller's bytes. The core only needs the size; the driver that made the
// handle (a JS buffer in the browser, a byte vector in tests) knows how to send it. No copy.
// On `file`, `transfer` says whose bytes they are: 0 the app's own message, otherwise a chunk of
// that sendFile() transfer (it follows the bytes through queue, replay store and replays).
#pragma once

#include <cstddef>
#include <cstdint>
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
  uint32_t transfer() const { return transfer_; }
  void setTransfer(uint32_t transfer) { transfer_ = transfer; }

 private:
  std::unique_ptr<Holder> holder_;
  size_t size_;
  uint32_t transfer_ = 0;
};

}  // namespace wre
