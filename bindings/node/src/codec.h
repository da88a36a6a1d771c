// NativeCodec: a cookieseal_codec (what a server shares: keyring + watcher,
// store + pool, the policy's bounds).
#pragma once

#include "diagnostic.h"
#include "handle.h"

#include <cookieseal/cookieseal.h>
#include <napi.h>

#include <memory>

namespace cookieseal_node {

class codec : public Napi::ObjectWrap<codec> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit codec(const Napi::CallbackInfo& info);

  cookieseal_codec* live(Napi::Env env) const { return handle_.live(env, "codec"); }
  const std::shared_ptr<diagnostic_sink>& sink() const { return sink_; }

 private:
  Napi::Value revoke_subject(const Napi::CallbackInfo& info);
  void close(const Napi::CallbackInfo& info);

  // The sink is declared first so it is destroyed last, after the handle.
  std::shared_ptr<diagnostic_sink> sink_;
  owned_handle<cookieseal_codec, cookieseal_codec_free> handle_;
};

}  // namespace cookieseal_node
