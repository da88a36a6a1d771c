// A call on the libuv pool that settles a promise: Run() on a worker thread
// (C calls only, no JavaScript, no throw), then Resolve() or the status's
// Error on the event loop. The wrapper object stays reachable (so its
// finalizer cannot free the handle) and marked busy until it settles.
#pragma once

#include "errors.h"

#include <cookieseal/cookieseal.h>
#include <napi.h>

#include <functional>
#include <string>

namespace cookieseal_node {

class promise_worker : public Napi::AsyncWorker {
 public:
  /// @p done runs on the event loop when the call has ended (the handle's leave()).
  promise_worker(Napi::Env env, Napi::Object owner, std::function<void()> done)
      : Napi::AsyncWorker(env, "cookieseal"),
        deferred_(Napi::Promise::Deferred::New(env)),
        owner_(Napi::Persistent(owner)),
        done_(std::move(done)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  /// The C call(s); sets message_ from the library on failure.
  virtual cookieseal_status run() = 0;
  /// The value the promise resolves with (event loop).
  virtual Napi::Value result(Napi::Env env) = 0;

  std::string message_;

 private:
  void Execute() override { status_ = run(); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    done_();
    if (status_ == COOKIESEAL_OK) {
      try {
        deferred_.Resolve(result(env));
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
      }
    } else {
      deferred_.Reject(make_error(env, status_, message_).Value());
    }
  }

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;
  std::function<void()> done_;
  cookieseal_status status_ = COOKIESEAL_INTERNAL_ERROR;
};

}  // namespace cookieseal_node
