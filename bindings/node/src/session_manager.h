// NativeSessionManager: a cookieseal_session_manager (one kind of cookie on a
// codec): seal/open, and load, which makes a request's session.
#pragma once

#include "diagnostic.h"
#include "handle.h"

#include <cookieseal/cookieseal.h>
#include <napi.h>

#include <memory>

namespace cookieseal_node {

class session_manager : public Napi::ObjectWrap<session_manager> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit session_manager(const Napi::CallbackInfo& info);

 private:
  Napi::Value seal(const Napi::CallbackInfo& info);
  Napi::Value open(const Napi::CallbackInfo& info);
  Napi::Value seal_sync(const Napi::CallbackInfo& info);
  Napi::Value open_sync(const Napi::CallbackInfo& info);
  Napi::Value load(const Napi::CallbackInfo& info);
  void close(const Napi::CallbackInfo& info);

  cookieseal_session_manager* live(Napi::Env env) const {
    return handle_.live(env, "session manager");
  }
  template <class Worker, class... A>
  Napi::Value queue(Napi::Env env, A&&... args);

  std::shared_ptr<diagnostic_sink> sink_;  // destroyed after the handle
  owned_handle<cookieseal_session_manager, cookieseal_session_manager_free> handle_;
};

}  // namespace cookieseal_node
