// NativeRequest: a cookieseal_request (one request's session of one kind).
// Made only by NativeSessionManager.load. Its calls answer on the spot (no
// I/O) except save(), which runs on the pool; while save runs the request
// belongs to that worker thread, and any other call is refused.
#pragma once

#include "diagnostic.h"
#include "handle.h"

#include <cookieseal/cookieseal.h>
#include <napi.h>

#include <memory>

namespace cookieseal_node {

class request_session : public Napi::ObjectWrap<request_session> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit request_session(const Napi::CallbackInfo& info);

  /// A NativeRequest owning @p r (which it frees), keeping @p sink alive.
  static Napi::Object wrap(Napi::Env env, cookieseal_request* r,
                           std::shared_ptr<diagnostic_sink> sink);

 private:
  Napi::Value outcome(const Napi::CallbackInfo& info);
  Napi::Value is_new(const Napi::CallbackInfo& info);
  Napi::Value session_json(const Napi::CallbackInfo& info);
  void update(const Napi::CallbackInfo& info);
  Napi::Value get(const Napi::CallbackInfo& info);
  void set(const Napi::CallbackInfo& info);
  Napi::Value erase(const Napi::CallbackInfo& info);
  void flash(const Napi::CallbackInfo& info);
  Napi::Value take_flashes(const Napi::CallbackInfo& info);
  void login(const Napi::CallbackInfo& info);
  void regenerate_id(const Napi::CallbackInfo& info);
  void destroy(const Napi::CallbackInfo& info);
  Napi::Value save(const Napi::CallbackInfo& info);
  void close(const Napi::CallbackInfo& info);

  /// The handle for a call now: not closed, not in a worker's hands.
  cookieseal_request* live(Napi::Env env) const;
  /// Throws the request's own message unless @p status is OK.
  void check_request(Napi::Env env, cookieseal_status status, cookieseal_request* r) const;

  std::shared_ptr<diagnostic_sink> sink_;  // destroyed after the handle
  owned_handle<cookieseal_request, cookieseal_request_free> handle_;
};

/// The message a failed call left on @p r.
std::string request_message(const cookieseal_request* r);

}  // namespace cookieseal_node
