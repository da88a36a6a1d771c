#include <cookieseal/session_manager.hpp>

#include "detail/codec_seam.hpp"
#include "detail/io_gate.hpp"
#include "detail/misuse.hpp"
#include "detail/open_header.hpp"
#include "detail/save_headers.hpp"
#include "detail/set_cookie.hpp"

namespace cookieseal {

namespace {

// Under a __Host- name a cookie can only be set by this very host (Secure,
// Path=/, no Domain), so a sibling subdomain cannot plant a second one.
bool plantable(std::string_view name) { return name.rfind("__Host-", 0) != 0; }

}  // namespace

void request_session::destroy() {
  if (!ended_) {
    ended_ = std::move(session_);
    ended_was_opened_ = info_.has_value();
  }
  session_ = cookieseal::session(now_);
  info_.reset();
}

session_manager::session_manager(const codec& c, session_options options)
    : codec_(c), options_(std::move(options)) {
  // Refuse a name the seal cannot bind, and unsafe attributes, at start-up
  // rather than on the first response.
  detail::check_binding(options_.name, options_.purpose);
  (void)http::delete_cookie(options_.name, options_.attributes);
}

namespace {

const session_id& id_of(const opened& o) { return o.session.id(); }
const session_id& id_of(const detail::opened_json& o) { return o.record.id(); }

// What load's rules make of a Cookie header's cookies of one name, for either
// reading of a session (codec::open, or detail::open_record_json).
template <class Opened>
struct header_choice {
  std::optional<Opened> chosen;  // the session, when one stands
  cookieseal::outcome outcome = cookieseal::outcome::opened;
  std::optional<errc> error;
  bool clear_cookie = false;  // refused: save() may clear it
};

template <class Opened, class Open>
header_choice<Opened> choose(const session_options& options, std::string_view cookie_header,
                             Open&& open) {
  const http::parsed_cookies cookies = http::parse_cookies(cookie_header, options.limits);
  header_choice<Opened> c;
  std::optional<errc> refused, undecided;
  bool ambiguous = false;
  for (const http::cookie_pair& p : cookies.pairs) {
    if (p.name != options.name) continue;
    auto o = open(p.value);
    if (!o) {
      auto& first = outcome_of(o.error()) == outcome::undecided ? undecided : refused;
      if (!first) first = o.error();  // the first reason, for the log
      continue;
    }
    if (!c.chosen) {
      c.chosen = std::move(*o);
      if (!plantable(options.name)) break;
    } else if (id_of(*o) != id_of(*c.chosen)) {
      ambiguous = true;
    } else if (o->info.issued_at > c.chosen->info.issued_at) {
      c.chosen = std::move(*o);  // two copies of one session: the newer
    }
  }
  if (c.chosen && !ambiguous && !(undecided && plantable(options.name))) return c;
  c.chosen.reset();
  if (ambiguous) {
    // Refused, but not cleared: a deletion cannot reach a cookie planted for a
    // parent domain, and would only log the user's own cookie out.
    c.outcome = outcome::refused;
    c.error = errc::ambiguous;
  } else if (undecided) {
    c.outcome = outcome::undecided;
    c.error = undecided;
  } else if (cookies.truncated) {
    // The cookie may be in the part that was cut: nothing can be judged.
    c.outcome = outcome::undecided;
    c.error = errc::header_truncated;
  } else if (refused) {
    c.outcome = outcome::refused;
    c.error = refused;
    c.clear_cookie = true;
  }
  return c;
}

}  // namespace

request_session session_manager::load(std::string_view cookie_header) const {
  auto c = choose<opened>(options_, cookie_header, [&](std::string_view cookie) {
    return codec_.open(options_.name, cookie, options_.purpose);
  });
  if (c.chosen) {
    request_session r(std::move(c.chosen->session), codec_.now());
    r.info_ = c.chosen->info;
    return r;
  }
  // A fresh session only when no cookie opened (it draws a random id).
  request_session r(codec_.new_session(), codec_.now());
  r.outcome_ = c.outcome;
  r.error_ = c.error;
  r.clear_cookie_ = c.clear_cookie;
  return r;
}

detail::header_opened detail::open_header_json(const session_manager& m,
                                               std::string_view cookie_header) {
  const session_options& o = m.options();
  auto c = choose<opened_json>(o, cookie_header, [&](std::string_view cookie) {
    return open_record_json(m.codec_used(), o.name, cookie, o.purpose);
  });
  header_opened out{c.outcome, c.error, std::nullopt};
  if (c.chosen) out.json = session_json_of(std::move(*c.chosen));
  return out;
}

result<session_manager::plan> session_manager::seal_plan(const request_session& r) const {
  plan p;
  p.ended = r.ended_.has_value();
  const bool renew =
      r.info_ && (r.info_->key_replaced || r.info_->renewal_due(options_.renew_after));
  if (!r.session_.dirty() && !renew) {
    // Clear a cookie we refused or ended, so the browser stops sending it.
    if (r.clear_cookie_ || p.ended)
      p.set_cookies.push_back(http::delete_cookie(options_.name, options_.attributes));
    return p;
  }
  auto sealed = codec_.seal(options_.name, r.session_, options_.purpose);
  if (!sealed) return sealed.error();
  p.set_cookies.push_back(detail::set_cookie_for(options_, *sealed));
  p.sealed = true;
  return p;
}

result<void> session_manager::destroy_ended(const request_session& r) const {
  if (r.ended_ && r.ended_was_opened_) return codec_.destroy(*r.ended_);
  return {};
}

void session_manager::commit(request_session& r, const plan& p) noexcept {
  if (p.ended) {
    r.ended_.reset();
    r.ended_was_opened_ = false;
  }
  if (p.sealed) r.session_.mark_clean();
  r.clear_cookie_ = false;  // whatever it had to clear was cleared or replaced
}

std::string detail::set_cookie_for(const session_options& o, const sealed& s) {
  const auto max_age = s.browser_session ? std::nullopt : s.expires_at;
  // The name and attributes were checked when the manager was made.
  return detail::set_cookie_line(o.name, s.cookie, o.attributes, max_age, s.issued_at);
}

std::vector<http::header> detail::with_cache_headers(std::span<std::string> set_cookies) {
  std::vector<http::header> out;
  out.reserve(set_cookies.size() + 2);
  for (auto& c : set_cookies) out.push_back({"Set-Cookie", std::move(c)});
  detail::append_session_cache_headers(out, !set_cookies.empty());
  return out;
}

result<std::vector<http::header>> session_manager::save(request_session& r) const {
  const session_registry::entry one[] = {{this, &r}};
  return session_registry::save_all(one);
}

request_session& session_registry::get(const session_manager& m) {
  auto it = loaded_.find(&m);
  if (it == loaded_.end()) it = loaded_.emplace(&m, m.load(header_)).first;
  return it->second;
}

result<std::vector<http::header>> session_registry::save() {
  std::vector<entry> sessions;
  sessions.reserve(loaded_.size());
  for (auto& [manager, r] : loaded_) sessions.emplace_back(manager, &r);
  return save_all(sessions);
}

result<std::vector<http::header>> session_registry::save_all(std::span<const entry> sessions,
                                                             std::size_t* failed) {
  // All or nothing: every store call first (seals, whose entries expire
  // unread if their cookie is never sent; then destroys, which a retry repeats
  // harmlessly), and only when all succeeded does any request's state change.
  const auto fail = [failed](std::size_t i, errc e) {
    if (failed != nullptr) *failed = i;
    return e;
  };
  for (std::size_t i = 0; i < sessions.size(); ++i)
    if (auto e = sessions[i].second->undecided()) return fail(i, *e);
  std::vector<session_manager::plan> plans;
  plans.reserve(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    auto p = sessions[i].first->seal_plan(*sessions[i].second);
    if (!p) return fail(i, p.error());
    plans.push_back(std::move(*p));
  }
  for (std::size_t i = 0; i < sessions.size(); ++i)
    if (auto d = sessions[i].first->destroy_ended(*sessions[i].second); !d)
      return fail(i, d.error());
  // A save that may not block met I/O (even a best-effort call the seal
  // skips): it is made again where blocking is fine, so nothing changes now.
  if (detail::io_blocked()) return fail(0, errc::store_unavailable);
  // The headers before any state changes (they allocate; commit() cannot fail).
  std::vector<http::header> headers;
  if (plans.size() == 1) {
    headers = detail::with_cache_headers(plans.front().set_cookies);
  } else {
    std::vector<std::string> all;
    for (auto& p : plans)
      for (auto& c : p.set_cookies) all.push_back(std::move(c));
    headers = detail::with_cache_headers(all);
  }
  for (std::size_t i = 0; i < sessions.size(); ++i)
    session_manager::commit(*sessions[i].second, plans[i]);
  return headers;
}

}  // namespace cookieseal
