// A thin adapter between cpp-httplib and cookieseal: the request's Cookie
// header in, the Set-Cookie headers out. Any C++ server needs only this much.
#pragma once

#include <cookieseal/session_manager.hpp>

#include <httplib.h>

#include <functional>

namespace shop {

/// Runs @p handler with the request's session (one of @p manager's kind),
/// then adds the Set-Cookie headers the response needs.
inline void with_session(const cookieseal::session_manager& manager, const httplib::Request& req,
                         httplib::Response& res,
                         const std::function<void(cookieseal::request_session&)>& handler) {
  cookieseal::request_session s = manager.load(req.get_header_value("Cookie"));
  handler(s);
  auto headers = manager.save(s);
  if (!headers) {
    res.status = 503;
    res.set_content(std::string("session could not be saved: ") +
                        std::string(cookieseal::message(headers.error())) + "\n",
                    "text/plain");
    return;
  }
  for (const auto& h : *headers) res.set_header("Set-Cookie", h);
}

}  // namespace shop
