#include <cookieseal/session_manager.hpp>

namespace cookieseal {

session_manager::session_manager(const codec& c, session_options options)
    : codec_(c), options_(std::move(options)) {
  // Refuse unsafe attributes at start-up rather than on the first response.
  (void)http::delete_cookie(options_.name, options_.attributes);
}

request_session session_manager::load(std::string_view cookie_header) const {
  std::optional<errc> refused;
  for (std::string_view value : http::cookie_values(cookie_header, options_.name)) {
    auto opened = codec_.open(options_.name, value, options_.purpose);
    if (opened) {
      request_session r(std::move(opened->session));
      r.info_ = opened->info;
      return r;
    }
    if (!refused) refused = opened.error();  // the first reason, for the log
  }
  request_session r(codec_.new_session());
  r.refused_ = refused;
  return r;
}

result<std::vector<std::string>> session_manager::save(request_session& r) const {
  std::vector<std::string> headers;
  if (r.destroyed_) {
    if (!r.is_new())
      if (auto d = codec_.destroy(r.session_); !d) return d.error();
    headers.push_back(http::delete_cookie(options_.name, options_.attributes));
    return headers;
  }
  const bool renew = r.info_ && (r.info_->key_replaced || r.info_->renewal_due(options_.renew_after));
  if (!r.session_.dirty() && !renew) {
    // Clear a cookie we refused, so the browser stops sending it.
    if (r.refused_) headers.push_back(http::delete_cookie(options_.name, options_.attributes));
    return headers;
  }
  auto sealed = codec_.seal(options_.name, r.session_, options_.purpose);
  if (!sealed) return sealed.error();
  headers.push_back(http::set_cookie(options_.name, sealed->cookie, options_.attributes,
                                     sealed->expires_at, sealed->issued_at));
  r.session_.mark_clean();
  return headers;
}

request_session& session_registry::get(const session_manager& m) {
  auto it = loaded_.find(&m);
  if (it == loaded_.end()) it = loaded_.emplace(&m, m.load(header_)).first;
  return it->second;
}

result<std::vector<std::string>> session_registry::save() {
  std::vector<std::string> all;
  for (auto& [manager, r] : loaded_) {
    auto h = manager->save(r);
    if (!h) return h.error();
    all.insert(all.end(), h->begin(), h->end());
  }
  return all;
}

}  // namespace cookieseal
