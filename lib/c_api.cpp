// The C ABI (cookieseal.h) over session_manager and the JSON bridge: no
// second implementation of the request path, and no exception ever leaves.
#include <cookieseal/cookieseal.h>

#include <cookieseal/json.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/store.hpp>
#include <cookieseal/version.hpp>

#include "detail/json_value.hpp"
#include "detail/misuse.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>

struct cookieseal_manager {
  // Declaration order is teardown order reversed: sessions, codec, store, watcher.
  std::unique_ptr<cookieseal::keyring_watcher> watcher;
  std::shared_ptr<cookieseal::store> store;
  std::unique_ptr<cookieseal::codec> codec;
  std::unique_ptr<cookieseal::session_manager> sessions;
};

struct cookieseal_request {
  cookieseal_manager* manager;
  cookieseal::request_session r;
};

namespace {

using cookieseal::errc;

cookieseal_status status_of(errc e) { return static_cast<cookieseal_status>(static_cast<int>(e)); }

std::string_view view(const char* p, std::size_t n) {
  return p == nullptr ? std::string_view{} : std::string_view(p, n);
}

// A malloc'd, NUL-terminated copy for the caller (freed with cookieseal_free).
cookieseal_status give(std::string_view s, char** out, std::size_t* out_len) {
  if (out == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
  auto* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) return COOKIESEAL_OUT_OF_MEMORY;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  *out = p;
  if (out_len != nullptr) *out_len = s.size();
  return COOKIESEAL_OK;
}

// Every entry point runs inside this: exceptions become statuses here.
template <class F>
cookieseal_status guarded(F&& f, std::string* message = nullptr) noexcept {
  auto say = [&](const char* what) {
    if (message != nullptr) try {
        *message = what;
      } catch (...) {
      }
  };
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return COOKIESEAL_OUT_OF_MEMORY;
  } catch (const cookieseal::keyring_file_error& e) {
    say(e.what());
    return COOKIESEAL_KEYRING_ERROR;
  } catch (const std::invalid_argument& e) {  // json_error, cookie_error, bad options
    say(e.what());
    return COOKIESEAL_INVALID_ARGUMENT;
  } catch (const cookieseal::store_url_error& e) {  // as a bad option
    say(e.what());
    return COOKIESEAL_INVALID_ARGUMENT;
  } catch (const cookieseal::config_error& e) {  // a store directory that cannot be used
    say(e.what());
    return COOKIESEAL_STORE_UNAVAILABLE;
  } catch (const std::exception& e) {
    say(e.what());
    return COOKIESEAL_INTERNAL_ERROR;
  } catch (...) {
    return COOKIESEAL_INTERNAL_ERROR;
  }
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

// The end of the fields of the first header (ABI 1 as released in 0.1).
constexpr std::size_t options_v1_size =
    offsetof(cookieseal_options, reload_interval_ms) + sizeof(std::uint32_t);

// The caller's diagnostic function as the library's, or empty.
cookieseal::diagnostic_function diagnostic_of(const cookieseal_options& o) {
  if (o.diagnostic == nullptr) return {};
  return [f = o.diagnostic, context = o.diagnostic_context](std::string_view m) {
    f(context, m.data(), m.size());
  };
}

std::chrono::seconds seconds_option(std::int64_t v, const char* what) {
  if (v < 0 || v > cookieseal::max_policy_duration.count())
    cookieseal::detail::throw_misuse(std::string(what) + " must be 0..100 years");
  return std::chrono::seconds{v};
}

std::unique_ptr<cookieseal_manager> make_manager(const cookieseal_options& o) {
  auto m = std::make_unique<cookieseal_manager>();
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
    m->store = cookieseal::open_store(where);
    m->store->set_diagnostic(diagnostic);
    co.overflow_store = m->store;
    if (o.store_revocations) co.revocation_store = m->store;
  }

  std::shared_ptr<const cookieseal::keyring> keys;
  if (!path.empty()) {
    m->watcher = std::make_unique<cookieseal::keyring_watcher>(std::string(path));
    keys = m->watcher->current();
  } else {
    keys = std::make_shared<const cookieseal::keyring>(
        cookieseal::load_keyring_text(text, "keyring_text"));
  }
  m->codec = std::make_unique<cookieseal::codec>(keys, co);
  if (m->watcher) {
    m->watcher->attach(*m->codec);
    if (o.reload_interval_ms > 0)
      m->watcher->start(std::chrono::milliseconds(o.reload_interval_ms),
                        [diagnostic](const cookieseal::reload_result& r) {
                          if (r.error)
                            cookieseal::detail::call_diagnostic(
                                diagnostic,
                                std::string("keyring reload refused: ") + r.error->what());
                        });
  }

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
  if (so.name.empty() || so.name.size() > 255 || so.purpose.size() > 255)
    cookieseal::detail::throw_misuse("cookie_name must be 1..255 bytes, purpose at most 255");
  m->sessions = std::make_unique<cookieseal::session_manager>(*m->codec, so);
  return m;
}

// A request and a pointer + length key (NULL only with length 0).
bool valid_key(const cookieseal_request* r, const char* key, std::size_t key_len) {
  return r != nullptr && (key != nullptr || key_len == 0);
}

// The request's outcome reason, or OK.
cookieseal_status reason_of(const cookieseal::request_session& r) {
  if (auto e = r.refused()) return status_of(*e);
  if (auto e = r.undecided()) return status_of(*e);
  return COOKIESEAL_OK;
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
    default: return cookieseal::message(static_cast<errc>(status)).data();
  }
}

static_assert(COOKIESEAL_OPENED == static_cast<int>(cookieseal::outcome::opened) &&
              COOKIESEAL_REFUSED == static_cast<int>(cookieseal::outcome::refused) &&
              COOKIESEAL_UNDECIDED == static_cast<int>(cookieseal::outcome::undecided));

cookieseal_outcome cookieseal_outcome_of(cookieseal_status status) {
  // The library's rule; a status that is no errc (100 and up) refuses, as it does.
  if (status == COOKIESEAL_OK) return COOKIESEAL_OPENED;
  return static_cast<cookieseal_outcome>(cookieseal::outcome_of(static_cast<errc>(status)));
}

void cookieseal_free(void* p) { std::free(p); }

void cookieseal_options_init(cookieseal_options* o) {
  if (o == nullptr) return;
  *o = cookieseal_options{};
  o->size = sizeof(cookieseal_options);
  o->max_age_seconds = 7 * 24 * 3600;
  o->idle_timeout_seconds = 24 * 3600;
  o->leeway_seconds = 60;
  o->store_revocations = 1;
  o->secure = 1;
  o->http_only = 1;
  o->same_site = COOKIESEAL_SAME_SITE_LAX;
  o->reload_interval_ms = 1000;
}

cookieseal_status cookieseal_manager_new(const cookieseal_options* o, cookieseal_manager** out,
                                         char** error_message) {
  if (out != nullptr) *out = nullptr;
  if (error_message != nullptr) *error_message = nullptr;
  std::string message;
  const cookieseal_status st = guarded(
      [&] {
        if (o == nullptr || out == nullptr) {
          message = "cookieseal_manager_new needs options and an output";
          return COOKIESEAL_INVALID_ARGUMENT;
        }
        // The first header's fields are required; a caller built against it
        // passes a smaller struct, and what it lacks keeps its default. A
        // larger struct comes from a newer header: its extra fields are unknown here.
        if (o->size < options_v1_size) {
          message = "cookieseal_options.size is too small: call cookieseal_options_init";
          return COOKIESEAL_INVALID_ARGUMENT;
        }
        cookieseal_options full;
        cookieseal_options_init(&full);
        std::memcpy(&full, o, std::min(o->size, sizeof full));
        full.size = sizeof full;
        *out = make_manager(full).release();
        return COOKIESEAL_OK;
      },
      &message);
  if (st != COOKIESEAL_OK && error_message != nullptr && !message.empty())
    (void)give(message, error_message, nullptr);
  return st;
}

void cookieseal_manager_free(cookieseal_manager* m) { delete m; }

cookieseal_status cookieseal_manager_revoke_subject(cookieseal_manager* m, const char* subject,
                                                    std::size_t subject_len) {
  return guarded([&] {
    if (m == nullptr || subject == nullptr || subject_len == 0) return COOKIESEAL_INVALID_ARGUMENT;
    auto r = m->codec->revoke_subject(view(subject, subject_len));
    return r ? COOKIESEAL_OK : status_of(r.error());
  });
}

cookieseal_status cookieseal_seal(cookieseal_manager* m, const char* json, std::size_t json_len,
                                  char** cookie, std::size_t* cookie_len) {
  return guarded([&] {
    if (m == nullptr || json == nullptr || cookie == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    const auto s = cookieseal::session_from_json(view(json, json_len), true, m->codec->now());
    const auto& so = m->sessions->options();
    auto sealed = m->codec->seal(so.name, s, so.purpose);
    if (!sealed) return status_of(sealed.error());
    return give(sealed->cookie, cookie, cookie_len);
  });
}

cookieseal_status cookieseal_open(cookieseal_manager* m, const char* cookie, std::size_t cookie_len,
                                  char** json, std::size_t* json_len) {
  return guarded([&] {
    if (m == nullptr || cookie == nullptr || json == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    const auto& so = m->sessions->options();
    auto opened = m->codec->open(so.name, view(cookie, cookie_len), so.purpose);
    if (!opened) return status_of(opened.error());
    return give(cookieseal::session_to_json(opened->session, &opened->info), json, json_len);
  });
}

cookieseal_status cookieseal_request_new(cookieseal_manager* m, const char* cookie_header,
                                         std::size_t cookie_header_len, cookieseal_request** out) {
  if (out != nullptr) *out = nullptr;
  return guarded([&] {
    if (m == nullptr || out == nullptr || (cookie_header == nullptr && cookie_header_len != 0))
      return COOKIESEAL_INVALID_ARGUMENT;
    *out = new cookieseal_request{m, m->sessions->load(view(cookie_header, cookie_header_len))};
    return COOKIESEAL_OK;
  });
}

void cookieseal_request_free(cookieseal_request* r) { delete r; }

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

cookieseal_status cookieseal_request_session(const cookieseal_request* r, char** json,
                                             std::size_t* json_len) {
  return guarded([&] {
    if (r == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    const auto& info = r->r.info();
    return give(cookieseal::session_to_json(r->r.session(), info ? &*info : nullptr), json,
                json_len);
  });
}

cookieseal_status cookieseal_request_update(cookieseal_request* r, const char* json,
                                            std::size_t json_len) {
  return guarded([&] {
    if (r == nullptr || json == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    const auto j = cookieseal::detail::parse_json(view(json, json_len));
    if (!j.is_object()) throw cookieseal::json_error("an update must be a JSON object");
    for (const auto& [k, v] : j.items())
      if (k != "values" && k != "flashes")
        throw cookieseal::json_error("an update has only \"values\" and \"flashes\"");
    // Parse everything first: a bad update changes nothing.
    std::optional<cookieseal::value::map> values;
    std::optional<cookieseal::session::flash_map> flashes;
    if (j.contains("values")) values = cookieseal::detail::map_from(j["values"], "\"values\"");
    if (j.contains("flashes")) flashes = cookieseal::detail::flashes_from(j["flashes"]);
    auto& s = r->r.session();
    if (values && *values != s.values()) {
      s.clear();
      for (auto& [k, v] : *values) s.set(k, std::move(v));
    }
    if (flashes && *flashes != s.flashes()) {
      while (!s.flashes().empty()) (void)s.take_flashes(s.flashes().begin()->first);
      for (auto& [k, list] : *flashes)
        for (auto& v : list) s.flash(k, std::move(v));
    }
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_get(const cookieseal_request* r, const char* key,
                                         std::size_t key_len, char** json, std::size_t* json_len) {
  return guarded([&] {
    if (!valid_key(r, key, key_len)) return COOKIESEAL_INVALID_ARGUMENT;
    const cookieseal::value* v = r->r.session().find(view(key, key_len));
    if (v == nullptr) return COOKIESEAL_NOT_FOUND;
    return give(cookieseal::value_to_json(*v), json, json_len);
  });
}

cookieseal_status cookieseal_request_set(cookieseal_request* r, const char* key,
                                         std::size_t key_len, const char* json,
                                         std::size_t json_len) {
  return guarded([&] {
    if (!valid_key(r, key, key_len) || json == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    r->r.session().set(view(key, key_len), cookieseal::value_from_json(view(json, json_len)));
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_erase(cookieseal_request* r, const char* key,
                                           std::size_t key_len) {
  return guarded([&] {
    if (!valid_key(r, key, key_len)) return COOKIESEAL_INVALID_ARGUMENT;
    return r->r.session().erase(view(key, key_len)) ? COOKIESEAL_OK : COOKIESEAL_NOT_FOUND;
  });
}

cookieseal_status cookieseal_request_flash(cookieseal_request* r, const char* key,
                                           std::size_t key_len, const char* json,
                                           std::size_t json_len) {
  return guarded([&] {
    if (!valid_key(r, key, key_len) || json == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    r->r.session().flash(view(key, key_len), cookieseal::value_from_json(view(json, json_len)));
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_take_flashes(cookieseal_request* r, const char* key,
                                                  std::size_t key_len, char** json,
                                                  std::size_t* json_len) {
  return guarded([&] {
    if (!valid_key(r, key, key_len) || json == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    auto flashes = r->r.session().take_flashes(view(key, key_len));
    return give(cookieseal::value_to_json(cookieseal::value(std::move(flashes))), json, json_len);
  });
}

cookieseal_status cookieseal_request_login(cookieseal_request* r, const char* subject,
                                           std::size_t subject_len) {
  return guarded([&] {
    if (r == nullptr || subject == nullptr || subject_len == 0) return COOKIESEAL_INVALID_ARGUMENT;
    return r->r.session().login(std::string(subject, subject_len), r->manager->codec->now())
               ? COOKIESEAL_OK
               : COOKIESEAL_INVALID_ARGUMENT;
  });
}

cookieseal_status cookieseal_request_regenerate_id(cookieseal_request* r) {
  return guarded([&] {
    if (r == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    r->r.session().regenerate_id();
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_destroy(cookieseal_request* r) {
  return guarded([&] {
    if (r == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    r->r.destroy();
    return COOKIESEAL_OK;
  });
}

cookieseal_status cookieseal_request_save(cookieseal_request* r, char** json,
                                          std::size_t* json_len) {
  return guarded([&] {
    if (r == nullptr || json == nullptr) return COOKIESEAL_INVALID_ARGUMENT;
    auto headers = r->manager->sessions->save(r->r);
    if (!headers) return status_of(headers.error());
    return give(cookieseal::detail::headers_json(*headers), json, json_len);
  });
}

}  // extern "C"
