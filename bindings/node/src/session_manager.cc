#include "session_manager.h"

#include "addon.h"
#include "codec.h"
#include "options.h"
#include "promise_worker.h"
#include "request_session.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cookieseal_node {

namespace {

using seal_fn = cookieseal_status (*)(cookieseal_session_manager*, const char*, std::size_t,
                                      char**, std::size_t*, char**);

// seal and open: text in, text out, the library's message on failure.
struct text_call {
  text_call(seal_fn f, cookieseal_session_manager* m, std::string in)
      : fn(f), manager(m), input(std::move(in)) {}
  text_call(const text_call&) = delete;
  text_call& operator=(const text_call&) = delete;
  seal_fn fn;
  cookieseal_session_manager* manager;
  std::string input;
  char* output = nullptr;
  std::size_t length = 0;
  std::string message;

  cookieseal_status run() {
    char* why = nullptr;
    auto st = fn(manager, input.data(), input.size(), &output, &length, &why);
    message = take_message(why);
    return st;
  }
  ~text_call() {  // an open's output and a seal's input are session JSON: plaintext
    const library_text wiped(output, length);
    wipe(input);
  }
};

// An input read by bytes_into (on the stack or in its string): wiped.
struct wiped_view {
  std::string_view s;
  std::string& heap;
  wiped_view(std::string_view in, std::string& h) : s(in), heap(h) {}
  wiped_view(const wiped_view&) = delete;
  wiped_view& operator=(const wiped_view&) = delete;
  ~wiped_view() {
    explicit_bzero(const_cast<char*>(s.data()), s.size());
    wipe(heap);
  }
};

// The offset of the last ',"lifetime":{"max_age":' in @p p (the tail of a
// session JSON), UINT32_MAX when there is none: from comma to comma backwards
// (a dozen in the tail), not a compare at every byte.
std::uint32_t last_tail(const char* p, std::size_t n) {
  constexpr std::string_view tail = R"(,"lifetime":{"max_age":)";
  for (std::size_t end = n; end > 0;) {
    const auto* c = static_cast<const char*>(memrchr(p, ',', end));
    if (c == nullptr) break;
    const auto at = static_cast<std::size_t>(c - p);
    if (n - at >= tail.size() && std::memcmp(c, tail.data(), tail.size()) == 0)
      return at <= UINT32_MAX ? static_cast<std::uint32_t>(at) : UINT32_MAX;
    end = at;
  }
  return UINT32_MAX;
}

class text_worker : public promise_worker {
 public:
  text_worker(Napi::Env env, Napi::Object owner, std::function<void()> done, seal_fn fn,
              cookieseal_session_manager* m, std::string input)
      : promise_worker(env, owner, std::move(done)), call_{fn, m, std::move(input)} {}

 private:
  cookieseal_status run() override {
    auto st = call_.run();
    message_ = call_.message;
    return st;
  }
  Napi::Value result(Napi::Env env) override {
    return text_of(env, call_.output, call_.length);
  }
  text_call call_;
};

class load_worker : public promise_worker {
 public:
  load_worker(Napi::Env env, Napi::Object owner, std::function<void()> done,
              cookieseal_session_manager* m, std::string header,
              std::shared_ptr<diagnostic_sink> sink)
      : promise_worker(env, owner, std::move(done)),
        manager_(m),
        header_(std::move(header)),
        sink_(std::move(sink)) {}
  ~load_worker() override {
    cookieseal_request_free(request_);
    wipe(header_);  // a credential
  }

 private:
  cookieseal_status run() override {
    char* why = nullptr;
    auto st = cookieseal_request_new(manager_, header_.data(), header_.size(), &request_, &why);
    message_ = take_message(why);
    return st;
  }
  Napi::Value result(Napi::Env env) override {
    cookieseal_request* r = request_;
    request_ = nullptr;  // the NativeRequest owns it now (or freed it)
    return request_session::wrap(env, r, sink_);
  }

  cookieseal_session_manager* manager_;
  std::string header_;
  std::shared_ptr<diagnostic_sink> sink_;
  cookieseal_request* request_ = nullptr;
};

}  // namespace

Napi::Function session_manager::define(Napi::Env env) {
  return DefineClass(env, "NativeSessionManager",
                     {InstanceMethod<&session_manager::seal>("seal"),
                      InstanceMethod<&session_manager::open>("open"),
                      InstanceMethod<&session_manager::seal_sync>("sealSync"),
                      InstanceMethod<&session_manager::open_sync>("openSync"),
                      InstanceMethod<&session_manager::load>("load"),
                      InstanceMethod<&session_manager::close>("close")});
}

session_manager::session_manager(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<session_manager>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "a NativeCodec is needed");
  codec* c = codec::Unwrap(info[0].As<Napi::Object>());
  Napi::Object o = info[1].As<Napi::Object>();
  cookieseal_session_options so;
  check(env, cookieseal_session_options_init(&so), nullptr);
  auto name = text_option(o, "name");
  auto purpose = text_option(o, "purpose");
  auto path = text_option(o, "path");
  auto domain = text_option(o, "domain");
  if (name) so.cookie_name = name->data(), so.cookie_name_len = name->size();
  if (purpose) so.purpose = purpose->data(), so.purpose_len = purpose->size();
  if (path) so.path = path->data(), so.path_len = path->size();
  if (domain) so.domain = domain->data(), so.domain_len = domain->size();
  if (auto v = bool_option(o, "secure")) so.secure = *v;
  if (auto v = bool_option(o, "httpOnly")) so.http_only = *v;
  if (auto v = bool_option(o, "partitioned")) so.partitioned = *v;
  if (auto v = bool_option(o, "browserSession")) so.browser_session = *v;
  if (auto v = int_option(o, "sameSite")) so.same_site = static_cast<int>(*v);

  cookieseal_session_manager* m = nullptr;
  char* why = nullptr;
  check(env, cookieseal_session_manager_new(c->live(env), &so, &m, &why), why);
  handle_.reset(m);
  sink_ = c->sink();
}

template <class Worker, class... A>
Napi::Value session_manager::queue(Napi::Env env, A&&... args) {
  handle_.enter();
  auto* w = new Worker(env, Value(), [this] { handle_.leave(); }, std::forward<A>(args)...);
  w->Queue();
  return w->promise();
}

Napi::Value session_manager::seal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return queue<text_worker>(env, &cookieseal_seal, live(env), bytes_of(info[0], "session"));
}

Napi::Value session_manager::open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return queue<text_worker>(env, &cookieseal_open, live(env), bytes_of(info[0], "cookie"));
}

Napi::Value session_manager::load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_session_manager* m = live(env);
  wiped_string header{bytes_of(info[0], "cookie header")};  // a credential
  // Most requests need neither the store nor the keyring file (no cookie yet,
  // an inline session without revocation checks): they load here, on the
  // event loop, cheaper than a trip to the libuv pool. The rest go to the
  // pool, so a stalled store holds up only the requests that need it.
  // The promise first: nothing that can throw stands between the load and
  // the new owner of its request (or message).
  auto settled = Napi::Promise::Deferred::New(env);
  cookieseal_request* r = nullptr;
  char* why = nullptr;
  const auto st =
      cookieseal_request_new_nonblocking(m, header.s.data(), header.s.size(), &r, &why);
  if (st == COOKIESEAL_WOULD_BLOCK) return queue<load_worker>(env, m, std::move(header.s), sink_);
  if (st == COOKIESEAL_OK)
    settled.Resolve(request_session::wrap(env, r, sink_));
  else
    settled.Reject(make_error(env, st, take_message(why)).Value());
  return settled.Promise();
}

// The synchronous forms, for a manager whose codec does no I/O on this call
// (no store): the caller's choice, as better-sqlite3's.
Napi::Value session_manager::seal_sync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  text_call call{&cookieseal_seal, live(env), bytes_of(info[0], "session")};
  if (auto st = call.run(); st != COOKIESEAL_OK) throw make_error(env, st, call.message);
  return text_of(env, call.output, call.length);
}

Napi::Value session_manager::open_sync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cookieseal_session_manager* m = live(env);
  // A cookie (4 KB at most by default) is read onto the stack, and wiped (a
  // credential), as the session JSON is (plaintext), however the call ends.
  char stack[4100];
  std::string heap;
  const std::string_view cookie = bytes_into(info[0], "cookie", stack, sizeof stack, heap);
  library_text out;
  const wiped_view in{cookie, heap};
  char* why = nullptr;
  const auto st = cookieseal_open(m, cookie.data(), cookie.size(), &out.p, &out.n, &why);
  if (st != COOKIESEAL_OK) throw make_error(env, st, take_message(why));
  // The last ',"lifetime":{"max_age":' is the tail's: its quotes are raw,
  // and no string holds a raw quote (lib/json.js reads the maps before it).
  // Its byte offset is its index in the JS string when the text is ASCII;
  // else JavaScript finds it.
  const bool ascii = ascii_text(out.p, out.n);
  auto* data = env.GetInstanceData<addon_data>();
  if (!data->open_cut.Value().IsDetached())  // (a transfer would free its memory)
    data->open_cut_data[0] = ascii ? last_tail(out.p, out.n) : UINT32_MAX;
  return text_of(env, out.p, out.n, ascii);
}

void session_manager::close(const Napi::CallbackInfo&) { handle_.close(); }

}  // namespace cookieseal_node
