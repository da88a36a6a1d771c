// The C ABI (cookieseal.h) over codec, session_manager and the JSON bridge: no
// second implementation of the request path, and no exception ever leaves.
//
// Ownership: each C handle holds a shared_ptr to the state it uses, so any
// order of frees is safe. Freeing a codec or manager marks its state closed
// (later calls answer COOKIESEAL_CLOSED) and stops the keyring watcher; the
// memory goes when the last handle that uses it is freed.
#include <cookieseal/cookieseal.h>

#include <cookieseal/detail/wipe.hpp>
#include <cookieseal/json.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/store.hpp>
#include <cookieseal/version.hpp>

#include "detail/codec_seam.hpp"
#include "detail/digits.hpp"
#include "detail/io_gate.hpp"
#include "detail/json_value.hpp"
#include "detail/misuse.hpp"
#include "detail/open_header.hpp"
#include "detail/payload_json.hpp"
#include "detail/save_headers.hpp"
#include "detail/session_access.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {

using cookieseal::errc;

// What a codec handle stands for: shared by its managers and their requests.
struct codec_state {
  std::atomic<bool> closed{false};
  std::shared_ptr<cookieseal::store> store;
  std::unique_ptr<cookieseal::codec> codec;
  std::mutex watcher_mutex;
  std::unique_ptr<cookieseal::keyring_watcher> watcher;  // watcher_mutex

  // Stops the watcher's thread; safe on any thread, the watcher's own too (it
  // detaches). The watcher itself lives on with the state, so an open already
  // past live() can still check the file for a key it lacks (undecided, never
  // a cookie wrongly refused because its codec was closed meanwhile).
  void close() {
    closed = true;
    std::lock_guard lock(watcher_mutex);
    if (watcher) watcher->stop();
  }
  ~codec_state() {
    // The watcher goes before the codec it is attached to (either order is
    // safe; this one stops its thread first).
    watcher.reset();
  }
};

struct manager_state {
  std::shared_ptr<codec_state> codec;
  std::atomic<bool> closed{false};
  std::unique_ptr<cookieseal::session_manager> sessions;
};

}  // namespace

struct cookieseal_codec {
  std::shared_ptr<codec_state> s;
};

struct cookieseal_session_manager {
  std::shared_ptr<manager_state> s;
};

struct cookieseal_request {
  std::shared_ptr<manager_state> m;
  cookieseal::request_session r;
  std::string error;  // the last failed call's message
};

namespace {

cookieseal_status status_of(errc e) { return static_cast<cookieseal_status>(static_cast<int>(e)); }

std::string_view view(const char* p, std::size_t n) {
  return p == nullptr ? std::string_view{} : std::string_view(p, n);
}

// A malloc'd, NUL-terminated copy for the caller (freed with cookieseal_free).
char* copy_out(std::string_view s) noexcept {
  auto* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) return nullptr;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

cookieseal_status give(std::string_view s, char** out, std::size_t* out_len) {
  if (out == nullptr) cookieseal::detail::throw_misuse("a NULL output pointer");
  char* p = copy_out(s);
  if (p == nullptr) return COOKIESEAL_OUT_OF_MEMORY;
  *out = p;
  if (out_len != nullptr) *out_len = s.size();
  return COOKIESEAL_OK;
}

// Plaintext JSON on its way out: wiped once the caller has its copy.
struct wiped_text {
  std::string s;
  ~wiped_text() { cookieseal::detail::wipe_text(s); }
};

// A failure's status and the sentence that says why.
struct failure {
  cookieseal_status status;
  std::string message;
};

// The C ABI's own failures, thrown inside guarded() only.
[[noreturn]] void fail(cookieseal_status st, std::string message) {
  throw failure{st, std::move(message)};
}

// Every entry point runs inside this: exceptions become a status and a
// message. Configuration that can never work (config_error) is not an outage.
// Not noexcept: a thread being cancelled inside a call (a language runtime
// ending its thread, as CPython does at exit) must unwind on through here.
template <class F>
cookieseal_status guarded(std::string& message, F&& f) {
  try {
    try {
      const cookieseal_status st = f();
      if (st != COOKIESEAL_OK && message.empty()) message = cookieseal_strerror(st);
      return st;
    } catch (failure& e) {
      message = std::move(e.message);
      return e.status;
    } catch (const std::bad_alloc&) {
      message = "out of memory";
      return COOKIESEAL_OUT_OF_MEMORY;
    } catch (const cookieseal::keyring_file_error& e) {
      message = e.what();
      return COOKIESEAL_KEYRING_ERROR;
    } catch (const cookieseal::config_error& e) {  // a store URL or directory that cannot work
      message = e.what();
      return COOKIESEAL_CONFIG_ERROR;
    } catch (const std::invalid_argument& e) {  // json_error, cookie_error, bad options
      message = e.what();
      return COOKIESEAL_INVALID_ARGUMENT;
    } catch (const std::exception& e) {
      message = e.what();
      return COOKIESEAL_INTERNAL_ERROR;
    }
  } catch (const abi::__forced_unwind&) {
    throw;         // swallowing a cancellation aborts the process
  } catch (...) {  // also a failure while keeping a message
    return COOKIESEAL_INTERNAL_ERROR;
  }
}

// guarded() for a call on a shared handle: the message goes to *error_message.
template <class F>
cookieseal_status guarded_out(char** error_message, F&& f) {
  if (error_message != nullptr) *error_message = nullptr;
  std::string message;
  const cookieseal_status st = guarded(message, std::forward<F>(f));
  if (st != COOKIESEAL_OK && error_message != nullptr) *error_message = copy_out(message);
  return st;
}

// The codec behind a handle, or CLOSED.
cookieseal::codec& live(const codec_state& c) {
  if (c.closed) fail(COOKIESEAL_CLOSED, "the codec was freed (cookieseal_codec_free)");
  return *c.codec;
}
const cookieseal::session_manager& live(const manager_state& m) {
  if (m.closed)
    fail(COOKIESEAL_CLOSED, "the session manager was freed (cookieseal_session_manager_free)");
  (void)live(*m.codec);
  return *m.sessions;
}

// Keeps @p message on @p r (a failure to keep it only loses the message).
void keep_message(cookieseal_request& r, std::string message) noexcept {
  try {
    r.error = std::move(message);
  } catch (...) {
  }
}

// guarded() for a call on a request: CLOSED once its manager or codec was
// freed (even for calls that touch only the request), and the message stays
// on the request.
template <class F>
cookieseal_status guarded_on(cookieseal_request* r, F&& f) {
  if (r == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
  std::string message;
  const cookieseal_status st = guarded(message, [&] {
    (void)live(*r->m);
    return f();
  });
  if (st != COOKIESEAL_OK) keep_message(*r, std::move(message));
  return st;
}

// --- options: sizes -----------------------------------------------------------

// The ends of every published layout of T, oldest first; sizeof(T) is the newest.
template <class T>
constexpr std::size_t published_ends[] = {sizeof(T)};

template <class T>
bool is_published_end(std::size_t size) {
  for (std::size_t end : published_ends<T>)
    if (size == end) return true;
  return false;
}

// Fills @p o (the caller's @p size bytes) with the defaults: the part this
// library knows, zero past it.
template <class T>
cookieseal_status init_sized(T* o, std::size_t size, const T& defaults, const char* what) {
  if (o == nullptr || (size < sizeof(T) && !is_published_end<T>(size)))
    return COOKIESEAL_INVALID_ARGUMENT;
  (void)what;
  std::memset(static_cast<void*>(o), 0, size);
  std::memcpy(static_cast<void*>(o), &defaults, std::min(size, sizeof(T)));
  o->size = size;
  return COOKIESEAL_OK;
}

// The caller's options as this library's T: a smaller published layout gets
// the defaults for what it lacks; a larger one is accepted while every byte
// this library does not know is zero.
template <class T>
T read_options(const T* o, const T& defaults, const char* what) {
  if (o == nullptr) cookieseal::detail::throw_misuse(std::string("no ") + what);
  const std::size_t size = o->size;
  if (size < sizeof(T) && !is_published_end<T>(size))
    cookieseal::detail::throw_misuse(std::string(what) + ".size is " + std::to_string(size) +
                                     ", not the end of a published layout (this library's is " +
                                     std::to_string(sizeof(T)) + "): use " + what + "_init");
  if (size > sizeof(T)) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(o);
    if (std::any_of(bytes + sizeof(T), bytes + size, [](unsigned char b) { return b != 0; }))
      cookieseal::detail::throw_misuse(std::string(what) +
                                       " sets options newer than libcookieseal-c " +
                                       COOKIESEAL_VERSION_STRING + " knows");
  }
  T full = defaults;
  std::memcpy(static_cast<void*>(&full), o, std::min(size, sizeof(T)));
  full.size = sizeof(T);
  return full;
}

cookieseal_codec_options codec_defaults() {
  const cookieseal::codec_options d;
  cookieseal_codec_options o{};
  o.size = sizeof o;
  o.store_revocations = 1;
  o.max_age_seconds = d.max_age.count();
  o.idle_timeout_seconds = d.idle_timeout.count();
  o.leeway_seconds = d.leeway.count();
  o.reload_interval_ms = cookieseal::keyring_watcher::default_interval.count();
  return o;
}

int same_site_code(const std::optional<cookieseal::http::same_site>& s) {
  if (!s) return COOKIESEAL_SAME_SITE_UNSET;
  switch (*s) {
    case cookieseal::http::same_site::strict: return COOKIESEAL_SAME_SITE_STRICT;
    case cookieseal::http::same_site::lax: return COOKIESEAL_SAME_SITE_LAX;
    case cookieseal::http::same_site::none: return COOKIESEAL_SAME_SITE_NONE;
  }
  return COOKIESEAL_SAME_SITE_UNSET;
}

cookieseal_session_options session_defaults() {
  const cookieseal::http::cookie_attributes d;
  cookieseal_session_options o{};
  o.size = sizeof o;
  o.secure = d.secure;
  o.http_only = d.http_only;
  o.same_site = same_site_code(d.same_site);
  o.partitioned = d.partitioned;
  o.browser_session = d.browser_session;
  return o;
}

std::optional<cookieseal::http::same_site> same_site_of(int v) {
  switch (v) {
    case COOKIESEAL_SAME_SITE_STRICT: return cookieseal::http::same_site::strict;
    case COOKIESEAL_SAME_SITE_LAX: return cookieseal::http::same_site::lax;
    case COOKIESEAL_SAME_SITE_NONE: return cookieseal::http::same_site::none;
    case COOKIESEAL_SAME_SITE_UNSET: return std::nullopt;
    default: cookieseal::detail::throw_misuse("same_site must be a COOKIESEAL_SAME_SITE_* value");
  }
}

// --- making handles -------------------------------------------------------------

// The caller's diagnostic function as the library's, or empty.
cookieseal::diagnostic_function diagnostic_of(const cookieseal_codec_options& o) {
  if (o.diagnostic == nullptr) return {};
  std::function<void(std::string_view)> to_caller =
      [f = o.diagnostic, context = o.diagnostic_context](std::string_view m) {
        f(context, m.data(), m.size());
      };
  // Inside a _nonblocking call, held until it is known not to be made again
  // (then the blocking call says it).
  return [to_caller = std::move(to_caller)](std::string_view m) {
    cookieseal::detail::diagnose(to_caller, m);
  };
}

std::chrono::seconds seconds_option(std::int64_t v, const char* what) {
  if (v < 0 || v > cookieseal::max_policy_duration.count())
    cookieseal::detail::throw_misuse(std::string(what) + " must be 0..100 years");
  return std::chrono::seconds{v};
}

std::shared_ptr<codec_state> make_codec(const cookieseal_codec_options& o) {
  auto c = std::make_shared<codec_state>();
  const auto path = view(o.keyring_path, o.keyring_path_len);
  const auto text = view(o.keyring_text, o.keyring_text_len);
  if (path.empty() == text.empty())
    cookieseal::detail::throw_misuse("give exactly one of keyring_path and keyring_text");

  const cookieseal::diagnostic_function diagnostic = diagnostic_of(o);
  cookieseal::codec_options co;
  co.diagnostic = diagnostic;
  co.max_age = seconds_option(o.max_age_seconds, "max_age_seconds");
  co.idle_timeout = seconds_option(o.idle_timeout_seconds, "idle_timeout_seconds");
  co.leeway = seconds_option(o.leeway_seconds, "leeway_seconds");
  if (const auto where = view(o.store, o.store_len); !where.empty()) {
    auto opened = cookieseal::open_store(where);
    opened->set_diagnostic(diagnostic);
    c->store = cookieseal::detail::gated_store(std::move(opened));  // the _nonblocking calls
    co.overflow_store = c->store;
    if (o.store_revocations) co.revocation_store = c->store;
  }

  std::shared_ptr<const cookieseal::keyring> keys;
  if (!path.empty()) {
    c->watcher = std::make_unique<cookieseal::keyring_watcher>(std::string(path));
    keys = c->watcher->current();
  } else {
    keys = std::make_shared<const cookieseal::keyring>(
        cookieseal::load_keyring_text(text, "keyring_text"));
  }
  c->codec = std::make_unique<cookieseal::codec>(keys, co);
  if (c->watcher) {
    c->watcher->attach(*c->codec);
    if (o.reload_interval_ms > 0)
      c->watcher->start(std::chrono::milliseconds(o.reload_interval_ms),
                        [diagnostic](const cookieseal::reload_result& r) {
                          if (r.error)
                            cookieseal::detail::call_diagnostic(
                                diagnostic,
                                std::string("keyring reload refused: ") + r.error->what());
                        });
  }
  return c;
}

std::shared_ptr<manager_state> make_manager(std::shared_ptr<codec_state> codec,
                                            const cookieseal_session_options& o) {
  cookieseal::session_options so;
  if (o.cookie_name != nullptr) so.name = std::string(view(o.cookie_name, o.cookie_name_len));
  so.purpose = std::string(view(o.purpose, o.purpose_len));
  if (o.path != nullptr) so.attributes.path = std::string(view(o.path, o.path_len));
  so.attributes.domain = std::string(view(o.domain, o.domain_len));
  so.attributes.secure = o.secure != 0;
  so.attributes.http_only = o.http_only != 0;
  so.attributes.same_site = same_site_of(o.same_site);
  so.attributes.partitioned = o.partitioned != 0;
  so.attributes.browser_session = o.browser_session != 0;
  auto m = std::make_shared<manager_state>();
  // The name and purpose rules, and unsafe attributes, are refused here (the library's).
  m->sessions = std::make_unique<cookieseal::session_manager>(live(*codec), std::move(so));
  m->codec = std::move(codec);
  return m;
}

// Several Cookie lines joined by '\n' as one header: "; " is how HTTP/2 says
// they join (RFC 9113 8.2.3); ", " would merge two cookies into one.
std::string joined_cookie_lines(std::string_view header) {
  std::string out;
  out.reserve(header.size() + 8);
  for (char ch : header) {
    if (ch == '\n') {
      out += "; ";
    } else if (ch != '\r') {
      out += ch;
    }
  }
  return out;
}

// The request's outcome reason, or OK.
cookieseal_status reason_of(const cookieseal::request_session& r) {
  if (auto e = r.refused()) return status_of(*e);
  if (auto e = r.undecided()) return status_of(*e);
  return COOKIESEAL_OK;
}

// A data error of the library: its status and sentence.
[[noreturn]] cookieseal_status failed(errc e) {
  fail(status_of(e), std::string(cookieseal::message(e)));
}

void need_key(const char* key, std::size_t key_len) {
  if (key == nullptr && key_len != 0) cookieseal::detail::throw_misuse("a NULL key with a length");
}

void need(const void* p, const char* what) {
  if (p == nullptr) cookieseal::detail::throw_misuse(std::string("a NULL ") + what);
}

// cookieseal_request_update of @p s. @throws json_error (a bad update changes nothing)
void update_session(cookieseal::session& s, std::string_view json) {
  const auto j = cookieseal::detail::parse_json(json);
  if (!j.is_object()) throw cookieseal::json_error("an update must be a JSON object");
  for (const auto& [k, v] : j.items())
    if (k != "values" && k != "flashes" && k != "lifetime")
      throw cookieseal::json_error("an update has only \"values\", \"flashes\" and \"lifetime\"");
  // Parse everything first: a bad update changes nothing.
  std::optional<cookieseal::value::map> values;
  std::optional<cookieseal::session::flash_map> flashes;
  std::optional<cookieseal::session_lifetime> lifetime;
  if (j.contains("values")) values = cookieseal::detail::map_from(j["values"], "\"values\"");
  if (j.contains("flashes")) flashes = cookieseal::detail::flashes_from(j["flashes"]);
  if (j.contains("lifetime")) lifetime = cookieseal::detail::lifetime_from(j["lifetime"]);
  // A lifetime given is set even when equal (it marks the session for a
  // re-seal: Flask's SESSION_REFRESH_EACH_REQUEST).
  if (lifetime) s.set_lifetime(*lifetime);
  if (values && *values != s.values()) {
    s.clear();  // then all at once, as set() of each would leave them
    cookieseal::detail::session_access::set_values(s, std::move(*values));
  }
  if (flashes && *flashes != s.flashes()) {
    while (!s.flashes().empty()) (void)s.take_flashes(s.flashes().begin()->first);
    for (auto& [k, list] : *flashes)
      for (auto& v : list) s.flash(k, std::move(v));
  }
}

// A Cookie header as the library reads it (several lines joined by '\n').
template <class F>
auto with_cookie_header(const char* cookie_header, std::size_t cookie_header_len, F&& f) {
  if (cookie_header == nullptr && cookie_header_len != 0)
    cookieseal::detail::throw_misuse("a NULL Cookie header with a length");
  const auto header = view(cookie_header, cookie_header_len);
  if (header.find('\n') == std::string_view::npos) return f(header);
  return f(std::string_view(joined_cookie_lines(header)));
}

// @p id as the ABI writes it: 32 lowercase hex digits and a NUL.
void write_id(char id[COOKIESEAL_SESSION_ID_HEX_SIZE], const cookieseal::session_id& s) noexcept {
  char hex[32];
  cookieseal::detail::write_hex(hex, s);
  std::memcpy(id, hex, sizeof hex);
  id[sizeof hex] = '\0';
}

// A manager's seal of session JSON (cookieseal_seal's shape), straight to the
// payload (payload_json.hpp): no session objects. The new id goes to @p id.
cookieseal::result<cookieseal::sealed> seal_session_json(
    const cookieseal::session_manager& sessions, const char* json, std::size_t json_len,
    cookieseal::session_id* id) {
  const auto& so = sessions.options();
  return cookieseal::detail::seal_json(sessions.codec_used(), so.name, view(json, json_len),
                                       so.purpose, id);
}

}  // namespace

extern "C" {

const char* cookieseal_version(void) { return COOKIESEAL_VERSION_STRING; }

int cookieseal_abi_version(void) { return COOKIESEAL_ABI_VERSION; }

const char* cookieseal_status_name(cookieseal_status status) {
  switch (status) {
    case COOKIESEAL_OK: return "ok";
    case COOKIESEAL_INVALID_ARGUMENT: return "invalid_argument";
    case COOKIESEAL_OUT_OF_MEMORY: return "out_of_memory";
    case COOKIESEAL_NOT_FOUND: return "not_found";
    case COOKIESEAL_KEYRING_ERROR: return "keyring_error";
    case COOKIESEAL_INTERNAL_ERROR: return "internal_error";
    case COOKIESEAL_CONFIG_ERROR: return "config_error";
    case COOKIESEAL_CLOSED: return "closed";
    case COOKIESEAL_WOULD_BLOCK: return "would_block";
    default:
      return cookieseal::to_string(static_cast<errc>(status)).data();  // static, NUL-terminated
  }
}

const char* cookieseal_strerror(cookieseal_status status) {
  switch (status) {
    case COOKIESEAL_OK: return "success";
    case COOKIESEAL_INVALID_ARGUMENT:
      return "an argument is invalid: a null handle or output, bad JSON, or a bad option";
    case COOKIESEAL_OUT_OF_MEMORY: return "out of memory";
    case COOKIESEAL_NOT_FOUND: return "the session has no value under that key";
    case COOKIESEAL_KEYRING_ERROR: return "the keyring file or text cannot be used";
    case COOKIESEAL_INTERNAL_ERROR: return "an unexpected internal error";
    case COOKIESEAL_CONFIG_ERROR:
      return "the configuration cannot be used: a store directory or URL that can never work";
    case COOKIESEAL_CLOSED: return "the codec or session manager behind this handle was freed";
    case COOKIESEAL_WOULD_BLOCK:
      return "the call needs the store or the keyring file: make it where blocking is fine";
    default: return cookieseal::message(static_cast<errc>(status)).data();
  }
}

static_assert(COOKIESEAL_OPENED == static_cast<int>(cookieseal::outcome::opened) &&
              COOKIESEAL_REFUSED == static_cast<int>(cookieseal::outcome::refused) &&
              COOKIESEAL_UNDECIDED == static_cast<int>(cookieseal::outcome::undecided));
static_assert(COOKIESEAL_HEADER_TRUNCATED == static_cast<int>(errc::header_truncated));

cookieseal_outcome cookieseal_outcome_of(cookieseal_status status) {
  // The library's rule; a status that is no errc (100 and up) refuses, as it does.
  if (status == COOKIESEAL_OK) return COOKIESEAL_OPENED;
  if (status == COOKIESEAL_WOULD_BLOCK) return COOKIESEAL_UNDECIDED;  // not judged yet
  return static_cast<cookieseal_outcome>(cookieseal::outcome_of(static_cast<errc>(status)));
}

void cookieseal_free(void* p) { std::free(p); }

cookieseal_status cookieseal_codec_options_init_sized(cookieseal_codec_options* o,
                                                      std::size_t size) {
  return init_sized(o, size, codec_defaults(), "cookieseal_codec_options");
}

cookieseal_status cookieseal_session_options_init_sized(cookieseal_session_options* o,
                                                        std::size_t size) {
  return init_sized(o, size, session_defaults(), "cookieseal_session_options");
}

cookieseal_status cookieseal_codec_new(const cookieseal_codec_options* o, cookieseal_codec** out,
                                       char** error_message) {
  if (out != nullptr) *out = nullptr;
  return guarded_out(error_message, [&] {
    need(out, "output for the codec");
    auto state = make_codec(read_options(o, codec_defaults(), "cookieseal_codec_options"));
    *out = new cookieseal_codec{std::move(state)};
    return COOKIESEAL_OK;
  });
}

void cookieseal_codec_free(cookieseal_codec* c) {
  if (c == nullptr) return;
  c->s->close();
  delete c;
}

cookieseal_status cookieseal_codec_revoke_subject(cookieseal_codec* c, const char* subject,
                                                  std::size_t subject_len, char** error_message) {
  return guarded_out(error_message, [&] {
    need(c, "codec");
    if (subject == nullptr || subject_len == 0)
      cookieseal::detail::throw_misuse("an empty subject");
    const auto state = c->s;
    auto r = live(*state).revoke_subject(view(subject, subject_len));
    return r ? COOKIESEAL_OK : failed(r.error());
  });
}

cookieseal_status cookieseal_session_manager_new(cookieseal_codec* codec,
                                                 const cookieseal_session_options* o,
                                                 cookieseal_session_manager** out,
                                                 char** error_message) {
  if (out != nullptr) *out = nullptr;
  return guarded_out(error_message, [&] {
    need(codec, "codec");
    need(out, "output for the session manager");
    auto state =
        make_manager(codec->s, read_options(o, session_defaults(), "cookieseal_session_options"));
    *out = new cookieseal_session_manager{std::move(state)};
    return COOKIESEAL_OK;
  });
}

void cookieseal_session_manager_free(cookieseal_session_manager* m) {
  if (m == nullptr) return;
  m->s->closed = true;
  delete m;
}

cookieseal_status cookieseal_session_manager_settings(cookieseal_session_manager* m, char** json,
                                                      std::size_t* json_len, char** error_message) {
  return guarded_out(error_message, [&] {
    need(m, "session manager");
    need(json, "output for the JSON");
    const auto state = m->s;
    const auto& sessions = live(*state);
    return give(
        cookieseal::detail::settings_json(sessions.options(), sessions.codec_used().options()),
        json, json_len);
  });
}

cookieseal_status cookieseal_seal(cookieseal_session_manager* m, const char* json,
                                  std::size_t json_len, char** cookie, std::size_t* cookie_len,
                                  char** error_message) {
  return guarded_out(error_message, [&] {
    need(cookie, "output for the cookie");
    need(m, "session manager");
    need(json, "JSON");
    const auto state = m->s;
    auto sealed = seal_session_json(live(*state), json, json_len, nullptr);
    if (!sealed) return failed(sealed.error());
    return give(sealed->cookie, cookie, cookie_len);
  });
}

cookieseal_status cookieseal_open(cookieseal_session_manager* m, const char* cookie,
                                  std::size_t cookie_len, char** json, std::size_t* json_len,
                                  char** error_message) {
  return guarded_out(error_message, [&] {
    need(m, "session manager");
    need(cookie, "cookie");
    need(json, "output for the JSON");
    const auto state = m->s;
    const auto& sessions = live(*state);
    const auto& so = sessions.options();
    // Straight from the payload to session_to_json's text (payload_json.hpp).
    auto opened = cookieseal::detail::open_json(sessions.codec_used(), so.name,
                                                view(cookie, cookie_len), so.purpose);
    if (!opened) return failed(opened.error());
    const wiped_text text{std::move(*opened)};
    return give(text.s, json, json_len);
  });
}

cookieseal_status cookieseal_session_manager_save_new(cookieseal_session_manager* m,
                                                      const char* json, std::size_t json_len,
                                                      char id[COOKIESEAL_SESSION_ID_HEX_SIZE],
                                                      char** headers_json,
                                                      std::size_t* headers_json_len,
                                                      char** error_message) {
  if (id != nullptr) id[0] = '\0';
  return guarded_out(error_message, [&] {
    need(headers_json, "output for the headers");
    need(m, "session manager");
    need(json, "JSON");
    // cookieseal_seal's path, then what the manager's save sends for a
    // session sealed fresh.
    cookieseal::session_id made{};
    const auto state = m->s;
    const auto& sessions = live(*state);
    auto sealed = seal_session_json(sessions, json, json_len, &made);
    if (!sealed) return failed(sealed.error());
    std::string set_cookie = cookieseal::detail::set_cookie_for(sessions.options(), *sealed);
    const auto headers = cookieseal::detail::with_cache_headers({&set_cookie, 1});
    const cookieseal_status st =
        give(cookieseal::detail::headers_json(headers), headers_json, headers_json_len);
    if (st == COOKIESEAL_OK && id != nullptr) write_id(id, made);  // nothing after give() may throw
    return st;
  });
}

cookieseal_status cookieseal_session_manager_open_header(
    cookieseal_session_manager* m, const char* cookie_header, std::size_t cookie_header_len,
    cookieseal_outcome* outcome, cookieseal_status* reason, char** json, std::size_t* json_len,
    char** error_message) {
  if (json != nullptr) *json = nullptr;
  if (json_len != nullptr) *json_len = 0;
  return guarded_out(error_message, [&] {
    need(m, "session manager");
    need(outcome, "output for the outcome");
    need(json, "output for the JSON");
    const auto state = m->s;
    const auto& sessions = live(*state);
    auto opened = with_cookie_header(cookie_header, cookie_header_len, [&](std::string_view h) {
      return cookieseal::detail::open_header_json(sessions, h);
    });
    if (opened.json) {
      const wiped_text text{std::move(*opened.json)};
      if (const cookieseal_status st = give(text.s, json, json_len); st != COOKIESEAL_OK) return st;
    }
    *outcome = static_cast<cookieseal_outcome>(static_cast<int>(opened.outcome));
    if (reason != nullptr) *reason = opened.error ? status_of(*opened.error) : COOKIESEAL_OK;
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_session_manager_open_header_nonblocking(
    cookieseal_session_manager* m, const char* cookie_header, std::size_t cookie_header_len,
    cookieseal_outcome* outcome, cookieseal_status* reason, char** json, std::size_t* json_len,
    char** error_message) {
  cookieseal::detail::no_io_scope no_io;
  const cookieseal_status st = cookieseal_session_manager_open_header(
      m, cookie_header, cookie_header_len, outcome, reason, json, json_len, error_message);
  no_io.finish();
  if (!no_io.blocked()) return st;
  // Judged without what it needed: thrown away (the JSON is plaintext).
  if (outcome != nullptr) *outcome = COOKIESEAL_UNDECIDED;
  if (reason != nullptr) *reason = COOKIESEAL_WOULD_BLOCK;
  if (json != nullptr && *json != nullptr) {
    cookieseal::detail::wipe(*json, json_len != nullptr ? *json_len : std::strlen(*json));
    cookieseal_free(*json);
    *json = nullptr;
  }
  if (json_len != nullptr) *json_len = 0;
  if (error_message != nullptr) {
    cookieseal_free(*error_message);
    *error_message = nullptr;
  }
  return COOKIESEAL_WOULD_BLOCK;
}

cookieseal_status cookieseal_session_manager_save_header(
    cookieseal_session_manager* m, const char* cookie_header, std::size_t cookie_header_len,
    const char* json, std::size_t json_len, char id[COOKIESEAL_SESSION_ID_HEX_SIZE],
    char** headers_json, std::size_t* headers_json_len, char** error_message) {
  if (id != nullptr) id[0] = '\0';
  return guarded_out(error_message, [&] {
    need(headers_json, "output for the headers");
    need(m, "session manager");
    need(json, "JSON");
    const auto state = m->s;
    const auto& sessions = live(*state);
    auto r = with_cookie_header(cookie_header, cookie_header_len,
                                [&](std::string_view h) { return sessions.load(h); });
    // Values read from a session that no longer opens (revoked, expired, its
    // key removed) are not carried into a new one.
    if (auto e = r.undecided()) return failed(*e);
    if (auto e = r.refused())
      fail(status_of(*e), std::string("the Cookie header's session did not open (") +
                              std::string(cookieseal::message(*e)) + "): nothing was saved");
    update_session(r.session(), view(json, json_len));
    auto headers = sessions.save(r);
    if (!headers) return failed(headers.error());
    // A new session nothing sealed (an update that changed nothing) has no id to give.
    const bool has_id =
        !r.is_new() || std::any_of(headers->begin(), headers->end(),
                                   [](const auto& h) { return h.name == "Set-Cookie"; });
    const cookieseal_status st =
        give(cookieseal::detail::headers_json(*headers), headers_json, headers_json_len);
    if (st == COOKIESEAL_OK && id != nullptr && has_id) write_id(id, r.session().id());
    return st;
  });
}

cookieseal_status cookieseal_request_new(cookieseal_session_manager* m, const char* cookie_header,
                                         std::size_t cookie_header_len, cookieseal_request** out,
                                         char** error_message) {
  if (out != nullptr) *out = nullptr;
  return guarded_out(error_message, [&] {
    need(m, "session manager");
    need(out, "output for the request");
    auto state = m->s;
    const auto& sessions = live(*state);
    auto loaded = with_cookie_header(cookie_header, cookie_header_len,
                                     [&](std::string_view h) { return sessions.load(h); });
    *out = new cookieseal_request{std::move(state), std::move(loaded), {}};
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_new_nonblocking(cookieseal_session_manager* m,
                                                     const char* cookie_header,
                                                     std::size_t cookie_header_len,
                                                     cookieseal_request** out,
                                                     char** error_message) {
  cookieseal::detail::no_io_scope no_io;
  const cookieseal_status st =
      cookieseal_request_new(m, cookie_header, cookie_header_len, out, error_message);
  no_io.finish();
  if (!no_io.blocked()) return st;
  cookieseal_request_free(*out);  // loaded without what it needed: thrown away
  *out = nullptr;
  if (error_message != nullptr) {
    cookieseal_free(*error_message);
    *error_message = nullptr;
  }
  return COOKIESEAL_WOULD_BLOCK;
}

void cookieseal_request_free(cookieseal_request* r) { delete r; }

char* cookieseal_request_error_message(const cookieseal_request* r) {
  if (r == nullptr || r->error.empty()) return nullptr;
  return copy_out(r->error);
}

cookieseal_outcome cookieseal_request_outcome(const cookieseal_request* r,
                                              cookieseal_status* reason) {
  if (r == nullptr) {
    if (reason != nullptr) *reason = COOKIESEAL_INVALID_ARGUMENT;
    return COOKIESEAL_UNDECIDED;
  }
  if (reason != nullptr) *reason = reason_of(r->r);
  return static_cast<cookieseal_outcome>(static_cast<int>(r->r.outcome()));
}

int cookieseal_request_is_new(const cookieseal_request* r) { return r == nullptr || r->r.is_new(); }

cookieseal_status cookieseal_request_session_json(cookieseal_request* r, char** json,
                                                  std::size_t* json_len) {
  return guarded_on(r, [&] {
    const auto& info = r->r.info();
    return give(cookieseal::session_to_json(r->r.session(), info ? &*info : nullptr), json,
                json_len);
  });
}

cookieseal_status cookieseal_request_update(cookieseal_request* r, const char* json,
                                            std::size_t json_len) {
  return guarded_on(r, [&] {
    need(json, "JSON");
    update_session(r->r.session(), view(json, json_len));
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_get(cookieseal_request* r, const char* key,
                                         std::size_t key_len, char** json, std::size_t* json_len) {
  return guarded_on(r, [&] {
    need_key(key, key_len);
    const cookieseal::value* v = r->r.session().find(view(key, key_len));
    if (v == nullptr) return COOKIESEAL_NOT_FOUND;
    return give(cookieseal::value_to_json(*v), json, json_len);
  });
}

cookieseal_status cookieseal_request_set(cookieseal_request* r, const char* key,
                                         std::size_t key_len, const char* json,
                                         std::size_t json_len) {
  return guarded_on(r, [&] {
    need_key(key, key_len);
    need(json, "JSON");
    r->r.session().set(view(key, key_len), cookieseal::value_from_json(view(json, json_len)));
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_erase(cookieseal_request* r, const char* key,
                                           std::size_t key_len) {
  return guarded_on(r, [&] {
    need_key(key, key_len);
    return r->r.session().erase(view(key, key_len)) ? COOKIESEAL_OK : COOKIESEAL_NOT_FOUND;
  });
}

cookieseal_status cookieseal_request_flash(cookieseal_request* r, const char* key,
                                           std::size_t key_len, const char* json,
                                           std::size_t json_len) {
  return guarded_on(r, [&] {
    need_key(key, key_len);
    need(json, "JSON");
    r->r.session().flash(view(key, key_len), cookieseal::value_from_json(view(json, json_len)));
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_take_flashes(cookieseal_request* r, const char* key,
                                                  std::size_t key_len, char** json,
                                                  std::size_t* json_len) {
  return guarded_on(r, [&] {
    need_key(key, key_len);
    need(json, "output for the JSON");
    auto flashes = r->r.session().take_flashes(view(key, key_len));
    return give(cookieseal::value_to_json(cookieseal::value(std::move(flashes))), json, json_len);
  });
}

cookieseal_status cookieseal_request_login(cookieseal_request* r, const char* subject,
                                           std::size_t subject_len) {
  return guarded_on(r, [&] {
    if (subject == nullptr || subject_len == 0)
      cookieseal::detail::throw_misuse("an empty subject");
    auto& s = r->r.session();
    const auto now = live(*r->m->codec).now();
    if (!s.login(std::string(subject, subject_len), now))
      cookieseal::detail::throw_misuse(
          "the session is logged in as another subject: destroy it "
          "(or clear it) before another login");
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_regenerate_id(cookieseal_request* r) {
  return guarded_on(r, [&] {
    r->r.session().regenerate_id();
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_destroy(cookieseal_request* r) {
  return guarded_on(r, [&] {
    r->r.destroy();
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_save(cookieseal_request* r, char** json,
                                          std::size_t* json_len) {
  return guarded_on(r, [&] {
    need(json, "output for the headers");
    const auto& sessions = live(*r->m);
    auto headers = sessions.save(r->r);
    if (!headers) return failed(headers.error());
    return give(cookieseal::detail::headers_json(*headers), json, json_len);
  });
}

cookieseal_status cookieseal_request_save_with(cookieseal_request* r, cookieseal_session_manager* m,
                                               char** json, std::size_t* json_len) {
  return guarded_on(r, [&] {
    need(m, "session manager");
    need(json, "output for the headers");
    const auto& own = live(*r->m);
    const auto state = m->s;
    const auto& other = live(*state);
    if (state->codec != r->m->codec || other.options().name != own.options().name ||
        other.options().purpose != own.options().purpose)
      cookieseal::detail::throw_misuse(
          "save_with needs a session manager of the same codec, cookie name and purpose");
    auto headers = other.save(r->r);
    if (!headers) return failed(headers.error());
    return give(cookieseal::detail::headers_json(*headers), json, json_len);
  });
}

cookieseal_status cookieseal_request_save_nonblocking(cookieseal_request* r, char** json,
                                                      std::size_t* json_len) {
  if (json != nullptr) *json = nullptr;
  cookieseal::detail::no_io_scope no_io;
  std::string kept;  // the request's last message, as it was (moved: never throws)
  if (r != nullptr) kept.swap(r->error);
  const cookieseal_status st = cookieseal_request_save(r, json, json_len);
  if (r != nullptr && (no_io.blocked() || st == COOKIESEAL_OK)) r->error.swap(kept);
  no_io.finish();
  if (!no_io.blocked()) return st;
  cookieseal_free(*json);  // (a save that met I/O commits nothing: see save_all)
  *json = nullptr;
  return COOKIESEAL_WOULD_BLOCK;
}

cookieseal_status cookieseal_requests_save(cookieseal_request* const* requests, std::size_t n,
                                           char** json, std::size_t* json_len,
                                           char** error_message) {
  if (error_message != nullptr) *error_message = nullptr;
  std::size_t concerned = n;  // the request a failure concerns, when there is one
  std::string message;
  const cookieseal_status st = guarded(message, [&] {
    need(json, "output for the headers");
    if (requests == nullptr && n != 0) cookieseal::detail::throw_misuse("a NULL request list");
    for (std::size_t i = 0; i < n; ++i) need(requests[i], "request in the list");
    std::vector<cookieseal::session_registry::entry> sessions;
    sessions.reserve(n);
    for (concerned = 0; concerned < n; ++concerned)
      sessions.emplace_back(&live(*requests[concerned]->m), &requests[concerned]->r);
    // All or nothing (the registry's rule): on failure no request changed.
    auto headers = cookieseal::session_registry::save_all(sessions, &concerned);
    if (!headers) return failed(headers.error());
    return give(cookieseal::detail::headers_json(*headers), json, json_len);
  });
  if (st != COOKIESEAL_OK) {
    if (concerned < n) keep_message(*requests[concerned], message);
    if (error_message != nullptr) *error_message = copy_out(message);
  }
  return st;
}

}  // extern "C"
