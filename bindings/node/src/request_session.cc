#include "request_session.h"

#include "addon.h"
#include "errors.h"
#include "options.h"
#include "promise_worker.h"

#include <memory>
#include <string>

namespace cookieseal_node {

namespace {

struct request_init {
  cookieseal_request* request;
  std::shared_ptr<diagnostic_sink> sink;
};

// An allocated output (NUL-terminated) as a JS string, wiped and freed.
Napi::String take_text(Napi::Env env, char* p, std::size_t n) {
  const library_text owned(p, n);
  return text_of(env, p, n);
}

class save_worker : public promise_worker {
 public:
  save_worker(Napi::Env env, Napi::Object owner, cookieseal_request* r, std::function<void()> done)
      : promise_worker(env, owner, std::move(done)), request_(r) {}
  ~save_worker() override { const library_text wiped(json_, length_); }

 private:
  cookieseal_status run() override {
    auto st = cookieseal_request_save(request_, &json_, &length_);
    if (st != COOKIESEAL_OK) message_ = request_message(request_);
    return st;
  }
  Napi::Value result(Napi::Env env) override {
    Napi::String s = text_of(env, json_, length_);
    return s;
  }

  cookieseal_request* request_;
  char* json_ = nullptr;
  std::size_t length_ = 0;
};

}  // namespace

std::string request_message(const cookieseal_request* r) {
  return take_message(cookieseal_request_error_message(r));
}

Napi::Function request_session::define(Napi::Env env) {
  return DefineClass(env, "NativeRequest",
                     {InstanceMethod<&request_session::outcome>("outcome"),
                      InstanceMethod<&request_session::is_new>("isNew"),
                      InstanceMethod<&request_session::session_json>("sessionJson"),
                      InstanceMethod<&request_session::update>("update"),
                      InstanceMethod<&request_session::get>("get"),
                      InstanceMethod<&request_session::set>("set"),
                      InstanceMethod<&request_session::erase>("erase"),
                      InstanceMethod<&request_session::flash>("flash"),
                      InstanceMethod<&request_session::take_flashes>("takeFlashes"),
                      InstanceMethod<&request_session::login>("login"),
                      InstanceMethod<&request_session::regenerate_id>("regenerateId"),
                      InstanceMethod<&request_session::destroy>("destroy"),
                      InstanceMethod<&request_session::save>("save"),
                      InstanceMethod<&request_session::close>("close")});
}

request_session::request_session(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<request_session>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "a NativeRequest is made by SessionManager.load");
  auto* init = info[0].As<Napi::External<request_init>>().Data();
  sink_ = std::move(init->sink);
  handle_.reset(init->request);
  init->request = nullptr;
}

Napi::Object request_session::wrap(Napi::Env env, cookieseal_request* r,
                                   std::shared_ptr<diagnostic_sink> sink) {
  request_init init{r, std::move(sink)};
  Napi::Object o;
  try {
    o = env.GetInstanceData<addon_data>()->request_constructor.New(
        {Napi::External<request_init>::New(env, &init)});
  } catch (...) {
    cookieseal_request_free(init.request);  // not taken over
    throw;
  }
  return o;
}

cookieseal_request* request_session::live(Napi::Env env) const {
  cookieseal_request* r = handle_.live(env, "request");
  if (handle_.busy())
    throw make_error(env, COOKIESEAL_INVALID_ARGUMENT,
                     "the session is being saved (await save() first)");
  return r;
}

void request_session::check_request(Napi::Env env, cookieseal_status status,
                                    cookieseal_request* r) const {
  if (status != COOKIESEAL_OK) throw make_error(env, status, request_message(r));
}

Napi::Value request_session::outcome(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_status reason = COOKIESEAL_OK;
  cookieseal_outcome o = cookieseal_request_outcome(live(env), &reason);
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::Number::New(env, o));
  // Why it was refused or undecided: the status's Error (the request's message).
  a.Set(1u, reason == COOKIESEAL_OK ? env.Null()
                                    : make_error(env, reason, request_message(live(env))).Value());
  return a;
}

Napi::Value request_session::is_new(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), cookieseal_request_is_new(live(info.Env())) != 0);
}

Napi::Value request_session::session_json(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  char* json = nullptr;
  std::size_t n = 0;
  check_request(env, cookieseal_request_session_json(r, &json, &n), r);
  return take_text(env, json, n);
}

void request_session::update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  const wiped_string json{bytes_of(info[0], "update")};
  check_request(env, cookieseal_request_update(r, json.s.data(), json.s.size()), r);
}

Napi::Value request_session::get(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  std::string key = bytes_of(info[0], "key");
  char* json = nullptr;
  std::size_t n = 0;
  auto st = cookieseal_request_get(r, key.data(), key.size(), &json, &n);
  if (st == COOKIESEAL_NOT_FOUND) return env.Undefined();
  check_request(env, st, r);
  return take_text(env, json, n);
}

void request_session::set(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  std::string key = bytes_of(info[0], "key");
  const wiped_string json{bytes_of(info[1], "value")};
  check_request(
      env, cookieseal_request_set(r, key.data(), key.size(), json.s.data(), json.s.size()), r);
}

Napi::Value request_session::erase(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  std::string key = bytes_of(info[0], "key");
  auto st = cookieseal_request_erase(r, key.data(), key.size());
  if (st == COOKIESEAL_NOT_FOUND) return Napi::Boolean::New(env, false);
  check_request(env, st, r);
  return Napi::Boolean::New(env, true);
}

void request_session::flash(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  std::string key = bytes_of(info[0], "key");
  const wiped_string json{bytes_of(info[1], "message")};
  check_request(
      env, cookieseal_request_flash(r, key.data(), key.size(), json.s.data(), json.s.size()), r);
}

Napi::Value request_session::take_flashes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  std::string key = bytes_of(info[0], "key");
  char* json = nullptr;
  std::size_t n = 0;
  check_request(env, cookieseal_request_take_flashes(r, key.data(), key.size(), &json, &n), r);
  return take_text(env, json, n);
}

void request_session::login(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  std::string subject = bytes_of(info[0], "subject");
  check_request(env, cookieseal_request_login(r, subject.data(), subject.size()), r);
}

void request_session::regenerate_id(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  check_request(env, cookieseal_request_regenerate_id(r), r);
}

void request_session::destroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  check_request(env, cookieseal_request_destroy(r), r);
}

Napi::Value request_session::save(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_request* r = live(env);
  // As load: on the event loop unless the save needs the store.
  // The promise first: a save that succeeded counts as sent, so nothing that
  // can throw stands between it and its headers' new owner.
  auto settled = Napi::Promise::Deferred::New(env);
  char* json = nullptr;
  std::size_t n = 0;
  const auto st = cookieseal_request_save_nonblocking(r, &json, &n);
  const library_text owned(json, n);  // NULL unless OK
  if (st != COOKIESEAL_WOULD_BLOCK) {
    if (st == COOKIESEAL_OK)
      settled.Resolve(text_of(env, json, n));
    else
      settled.Reject(make_error(env, st, request_message(r)).Value());
    return settled.Promise();
  }
  handle_.enter();
  auto* w = new save_worker(env, Value(), r, [this] { handle_.leave(); });
  w->Queue();
  return w->promise();
}

void request_session::close(const Napi::CallbackInfo&) { handle_.close(); }

}  // namespace cookieseal_node
