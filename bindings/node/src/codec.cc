#include "codec.h"

#include "options.h"
#include "promise_worker.h"

#include <string>

namespace cookieseal_node {

namespace {

class revoke_worker : public promise_worker {
 public:
  revoke_worker(Napi::Env env, Napi::Object owner, cookieseal_codec* c, std::string subject,
                std::function<void()> done)
      : promise_worker(env, owner, std::move(done)), codec_(c), subject_(std::move(subject)) {}

 private:
  cookieseal_status run() override {
    char* why = nullptr;
    auto st = cookieseal_codec_revoke_subject(codec_, subject_.data(), subject_.size(), &why);
    message_ = take_message(why);
    return st;
  }
  Napi::Value result(Napi::Env env) override { return env.Undefined(); }

  cookieseal_codec* codec_;
  std::string subject_;
};

}  // namespace

Napi::Function codec::define(Napi::Env env) {
  return DefineClass(env, "NativeCodec",
                     {InstanceMethod<&codec::revoke_subject>("revokeSubject"),
                      InstanceMethod<&codec::close>("close")});
}

codec::codec(const Napi::CallbackInfo& info) : Napi::ObjectWrap<codec>(info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  cookieseal_codec_options co;
  check(env, cookieseal_codec_options_init(&co), nullptr);

  auto keyring_path = text_option(o, "keyringPath");
  auto keyring_text = text_option(o, "keyringText");
  auto store = text_option(o, "store");
  if (keyring_path) {
    co.keyring_path = keyring_path->data();
    co.keyring_path_len = keyring_path->size();
  }
  if (keyring_text) {
    co.keyring_text = keyring_text->data();
    co.keyring_text_len = keyring_text->size();
  }
  if (store) {
    co.store = store->data();
    co.store_len = store->size();
  }
  if (auto v = bool_option(o, "storeRevocations")) co.store_revocations = *v ? 1 : 0;
  if (auto v = int_option(o, "maxAge")) co.max_age_seconds = *v;
  if (auto v = int_option(o, "idleTimeout")) co.idle_timeout_seconds = *v;
  if (auto v = int_option(o, "leeway")) co.leeway_seconds = *v;
  if (auto v = int_option(o, "reloadIntervalMs")) co.reload_interval_ms = static_cast<uint32_t>(*v);
  Napi::Value fn = o.Get("diagnostic");
  if (fn.IsFunction()) {
    sink_ = std::make_shared<diagnostic_sink>(env, fn.As<Napi::Function>());
    co.diagnostic = &diagnostic_sink::trampoline;
    co.diagnostic_context = sink_.get();
  }

  cookieseal_codec* c = nullptr;
  char* why = nullptr;
  auto st = cookieseal_codec_new(&co, &c, &why);
  if (keyring_text) wipe(*keyring_text);  // our copy of the key text
  check(env, st, why);
  handle_.reset(c);
}

Napi::Value codec::revoke_subject(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_codec* c = live(env);
  std::string subject = bytes_of(info[0], "subject");
  handle_.enter();
  auto* w = new revoke_worker(env, Value(), c, std::move(subject), [this] { handle_.leave(); });
  w->Queue();
  return w->promise();
}

void codec::close(const Napi::CallbackInfo&) { handle_.close(); }

}  // namespace cookieseal_node
