// A thin adapter between cpp-httplib and cookieseal: the request's Cookie
// header in, the Set-Cookie and cache headers out. Any C++ server needs only
// this much.
#pragma once

#include <cookieseal/session_manager.hpp>

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <ctime>
#include <functional>
#include <string>
#include <thread>

namespace shop {

/// How a cpp-httplib server is set up for production (its defaults suit a demo).
struct server_settings {
  /// Worker threads. cpp-httplib gives each open connection a thread for as
  /// long as it stays open, so this is the number of connections served at
  /// once (more wait in the accept queue), not the number of cores: a request
  /// costs microseconds of CPU and the threads mostly wait on their sockets.
  std::size_t threads = std::max<std::size_t>(64, 16 * std::thread::hardware_concurrency());
  /// Requests on one keep-alive connection before the server closes it
  /// (cpp-httplib's default 5 makes a client reconnect every five requests;
  /// nginx's default is 1000).
  std::size_t keep_alive_requests = 1000;
  /// Seconds an idle keep-alive connection may hold its thread.
  std::time_t keep_alive_timeout = 5;
};

/// Applies @p settings to @p server, and turns Nagle's algorithm off: cpp-httplib
/// writes a response's headers and body separately, so with Nagle on every
/// response waits for the client's delayed ACK (about 40 ms: 37 requests a
/// second per connection, issue 24).
inline void configure(httplib::Server& server, const server_settings& settings = {}) {
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(settings.keep_alive_requests);
  server.set_keep_alive_timeout(settings.keep_alive_timeout);
  const std::size_t threads = settings.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
}

/// Serves @p server on @p host : @p port as server.listen() does, with the
/// kernel's largest accept queue (SOMAXCONN) instead of cpp-httplib's 5
/// (CPPHTTPLIB_LISTEN_BACKLOG, compiled into Debian's libcpp-httplib). With 5,
/// clients that reconnect together (keep-alive connections reaching their
/// request limit at once) overflow the queue, and every dropped handshake
/// costs its client a retransmission a second later: a p99 of 0.4-0.7 s at 50
/// connections, 4-9 ms with SOMAXCONN (bench/README.md).
/// It also sets SO_REUSEADDR, as Node.js, Python's socketserver and Go's net
/// do: cpp-httplib 0.11 sets only SO_REUSEPORT on Linux, and with that alone
/// the port cannot be bound while connections another server served on it are
/// in TIME_WAIT (up to 60 s after), though those servers bind it, and a test
/// suite's probe finds it free ("cannot listen").
/// @return false if the address cannot be bound (or the server stops with an error).
inline bool listen(httplib::Server& server, const std::string& host, int port) {
  socket_t listening = INVALID_SOCKET;
  server.set_socket_options([&listening](socket_t sock) {
    httplib::default_socket_options(sock);
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening = sock;
  });
  const bool bound = server.bind_to_port(host, port);
  server.set_socket_options(httplib::default_socket_options);  // drop the reference to a local
  // Linux lets listen() on a listening socket change its queue's length.
  if (!bound || ::listen(listening, SOMAXCONN) != 0) return false;
  return server.listen_after_bind();
}

/// 503 for a request whose session could not be judged or saved: the browser
/// keeps its cookie, and the user retries once the store or keyring is back.
inline void session_unavailable(httplib::Response& res, cookieseal::errc why) {
  res.status = 503;
  res.headers.erase("Location");
  res.set_header("Retry-After", "1");
  res.headers.erase("Cache-Control");  // replaces the app's: one line, never two
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
  for (const auto& h : *headers) {
    // The library's Cache-Control replaces the app's (a shared cache may obey
    // either line of two); Set-Cookie and Vary are added.
    if (h.name == "Cache-Control") res.headers.erase(h.name);
    res.set_header(h.name, h.value);
  }
}

}  // namespace shop
