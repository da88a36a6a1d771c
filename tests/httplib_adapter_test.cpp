// The C++ adapter (examples/httplib_adapter.hpp) on cpp-httplib's own request
// and response objects: the headers a real response ends with; its listen on
// a port another server has just served on.
#include "httplib_adapter.hpp"
#include "test_support.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

std::vector<std::string> values_of(const httplib::Response& res, const std::string& name) {
  std::vector<std::string> out;
  const auto [first, last] = res.headers.equal_range(name);  // names compare case-blind
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

}  // namespace

TEST_SUITE("examples") {
  TEST_CASE(
      "a response that sets the cookie ends with one Cache-Control, no-store, the app's replaced") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    httplib::Request req;
    httplib::Response res;
    shop::with_session(m, req, res, [&](cookieseal::request_session& s) {
      res.set_header("cache-control", "public, max-age=3600");  // a cacheable catalogue page
      s.session().set("seen", 1);
    });
    CHECK(values_of(res, "Set-Cookie").size() == 1);
    CHECK(values_of(res, "Cache-Control") == std::vector<std::string>{"no-store"});
    CHECK(values_of(res, "Vary") == std::vector<std::string>{"Cookie"});

    // Nothing to set: the app's own caching stays.
    httplib::Response quiet;
    shop::with_session(m, req, quiet, [&](cookieseal::request_session&) {
      quiet.set_header("Cache-Control", "public, max-age=3600");
    });
    CHECK(values_of(quiet, "Set-Cookie").empty());
    CHECK(values_of(quiet, "Cache-Control") == std::vector<std::string>{"public, max-age=3600"});
  }

  TEST_CASE("a session that cannot be saved answers 503 with one Cache-Control, no-store") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));  // no store
    cookieseal::session_manager m(c);
    httplib::Request req;
    httplib::Response res;
    shop::with_session(m, req, res, [&](cookieseal::request_session& s) {
      res.set_header("Cache-Control", "public, max-age=3600");
      s.session().set("big", std::string(5000, 'x'));  // too_large without a store
    });
    CHECK(res.status == 503);
    CHECK(values_of(res, "Cache-Control") == std::vector<std::string>{"no-store"});
  }

  TEST_CASE("listen binds a port while connections another server served there are in TIME_WAIT") {
    // Another server (SO_REUSEADDR, as Node.js, Python and Go set it) serves a
    // connection and closes it first: its end stays in TIME_WAIT for a minute.
    const int other = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(other >= 0);
    int yes = 1;
    REQUIRE(::setsockopt(other, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(other, sa, len) == 0);
    REQUIRE(::getsockname(other, sa, &len) == 0);
    REQUIRE(::listen(other, 1) == 0);
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(::connect(client, sa, len) == 0);
    const int served = ::accept(other, nullptr, nullptr);
    REQUIRE(served >= 0);
    ::close(served);
    char byte = 0;
    CHECK(::read(client, &byte, 1) == 0);  // the server's FIN
    ::close(client);                       // the client's: the server's end is in TIME_WAIT
    ::close(other);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));

    httplib::Server server;
    std::atomic<bool> returned = false;
    bool listened = false;
    std::thread serving([&] {
      listened = shop::listen(server, "127.0.0.1", ntohs(addr.sin_port));
      returned = true;
    });
    for (int i = 0; i < 1000 && !server.is_running() && !returned; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const bool running = server.is_running();
    server.stop();
    serving.join();
    CHECK(running);
    CHECK(listened);
  }
}
