// What the three wrappers (codec, session manager, request) share: a native
// handle freed by close() or the finalizer, and never while a pool worker is
// using it (the C ABI allows any order of frees, not a free during a call on
// the same handle). close() during a call frees the handle when it returns.
#pragma once

#include "errors.h"

#include <napi.h>

namespace cookieseal_node {

template <class H, void (*Free)(H*)>
class owned_handle {
 public:
  owned_handle() = default;
  ~owned_handle() { Free(handle_); }
  owned_handle(const owned_handle&) = delete;
  owned_handle& operator=(const owned_handle&) = delete;

  void reset(H* h) {
    Free(handle_);
    handle_ = h;
  }
  /// The handle, or throws the CLOSED error after close().
  H* live(Napi::Env env, const char* what) const {
    if (closed_ || handle_ == nullptr) throw closed_error(env, what);
    return handle_;
  }
  bool busy() const { return workers_ > 0; }
  /// A worker starts (main thread): the handle stays until it ends.
  void enter() { ++workers_; }
  /// A worker ended (main thread): frees the handle if close() came meanwhile.
  void leave() {
    if (--workers_ == 0 && closed_) reset(nullptr);
  }
  void close() {
    closed_ = true;
    if (workers_ == 0) reset(nullptr);
  }

 private:
  H* handle_ = nullptr;
  bool closed_ = false;
  int workers_ = 0;  // touched on the main thread only
};

}  // namespace cookieseal_node
