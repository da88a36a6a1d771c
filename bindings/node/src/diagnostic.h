// The codec's diagnostic function, heard on any thread (a pool worker, the
// keyring thread) and delivered to a JavaScript function on the event loop
// through a thread-safe function. The sink outlives every native handle that
// can call it (each wrapper and each running worker holds it), and after the
// environment is torn down it drops messages instead of touching a gone TSFN.
#pragma once

#include <napi.h>

#include <cstddef>
#include <memory>
#include <mutex>

namespace cookieseal_node {

class diagnostic_sink {
 public:
  /// A sink calling @p fn(message) on the event loop; it keeps no loop alive.
  diagnostic_sink(Napi::Env env, Napi::Function fn);
  ~diagnostic_sink();
  diagnostic_sink(const diagnostic_sink&) = delete;
  diagnostic_sink& operator=(const diagnostic_sink&) = delete;

  /// The C trampoline (cookieseal_codec_options.diagnostic); context = the sink.
  static void trampoline(void* context, const char* message, std::size_t length);

 private:
  struct state {
    std::mutex mutex;
    bool open = true;  // false once released or finalized
  };
  std::shared_ptr<state> state_;
  Napi::ThreadSafeFunction tsfn_;
};

}  // namespace cookieseal_node
