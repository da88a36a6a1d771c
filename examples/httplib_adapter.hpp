// A thin adapter between cpp-httplib and cookieseal: the request's Cookie
// header in, the Set-Cookie and cache headers out. Any C++ server needs only
// this much.
#pragma once

#include <cookieseal/session_manager.hpp>

#include <httplib.h>

#include <functional>
#include <string>

namespace shop {

/// 503 for a request whose session could not be judged or saved: the browser
/// keeps its cookie, and the user retries once the store or keyring is back.
inline void session_unavailable(httplib::Response& res, cookieseal::errc why) {
  res.status = 503;
  res.headers.erase("Location");
  res.set_header("Retry-After", "1");
  res.set_header("Cache-Control", "no-store");
  res.set_content("The session service is unavailable; please retry (" +
                      std::string(cookieseal::to_string(why)) + ").\n",
                  "text/plain; charset=utf-8");
}

/// Runs @p handler with the request's session (one of @p manager's kind),
/// then adds the headers the response needs. An undecided request never
/// reaches the handler, and no cookie is changed.
inline void with_session(const cookieseal::session_manager& manager, const httplib::Request& req,
                         httplib::Response& res,
                         const std::function<void(cookieseal::request_session&)>& handler) {
  cookieseal::request_session s = manager.load(req.get_header_value("Cookie"));
  if (auto why = s.undecided()) return session_unavailable(res, *why);
  handler(s);
  auto headers = manager.save(s);
  if (!headers) return session_unavailable(res, headers.error());
  for (const auto& h : *headers) res.set_header(h.name, h.value);
}

}  // namespace shop
