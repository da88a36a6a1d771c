// The cookieseal addon: the C ABI's three handles as NativeCodec,
// NativeSessionManager and NativeRequest; lib/ gives them their JavaScript
// shape (options, JSON, frameworks).
#include "addon.h"

#include "codec.h"
#include "errors.h"
#include "request_session.h"
#include "session_manager.h"

#include <cookieseal/cookieseal.h>
#include <napi.h>

namespace cookieseal_node {
namespace {

Napi::Value outcome_of(const Napi::CallbackInfo& info) {
  auto status = static_cast<cookieseal_status>(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), cookieseal_outcome_of(status));
}

}  // namespace

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* data = new addon_data;
  env.SetInstanceData(data);
  data->request_constructor = Napi::Persistent(request_session::define(env));
  auto cut = Napi::ArrayBuffer::New(env, sizeof(std::uint32_t));
  data->open_cut = Napi::Persistent(cut);
  data->open_cut_data = static_cast<std::uint32_t*>(cut.Data());
  exports.Set("openCut", Napi::Uint32Array::New(env, 1, cut, 0));
  exports.Set("NativeCodec", codec::define(env));
  exports.Set("NativeSessionManager", session_manager::define(env));
  exports.Set("NativeRequest", data->request_constructor.Value());
  exports.Set("version", Napi::String::New(env, cookieseal_version()));
  exports.Set("abiVersion", Napi::Number::New(env, cookieseal_abi_version()));
  exports.Set("outcomeOf", Napi::Function::New<outcome_of>(env, "outcomeOf"));
  return exports;
}

}  // namespace cookieseal_node

// The macro pastes its argument into a name: an unqualified one.
static Napi::Object init_addon(Napi::Env env, Napi::Object exports) {
  return cookieseal_node::init(env, exports);
}
NODE_API_MODULE(cookieseal, init_addon)
