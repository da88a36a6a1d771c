// The example app: log in and out, a visit counter, a flash message shown
// once, a cart that grows past 4 KB (the file store takes over), and "log out
// everywhere". cpp-httplib serves it; cookieseal keeps all state in the cookie.
//
//   cookieseal-shop [--port N] [--state DIR] [--store DIR|URL] [--no-revocation]
//
// DIR (default .cookieseal-demo) gets a keyring file and a store directory on
// first start; --store puts overflow entries and revocations elsewhere
// (another directory, or Redis: redis://host:port, unix:///path);
// --no-revocation leaves per-session revocation out (no store lookup on open;
// "log out everywhere" then answers 503), as bench/load measures. A request
// whose session cannot be judged (the store or keyring file cannot answer) is
// answered 503 and keeps its cookie. The page prints nothing it did not escape.
#include <cookieseal/json.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/store.hpp>

#include "httplib_adapter.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

struct cart_info {
  std::size_t items = 0;
  std::size_t bytes = 0;
};

cart_info cart_of(const cookieseal::session& s) {
  cart_info c;
  if (const auto* v = s.find("cart"))
    if (const auto* l = v->get_if<cookieseal::value::list>()) {
      c.items = l->size();
      for (const auto& item : *l)
        if (const auto* str = item.get_if<std::string>()) c.bytes += str->size();
    }
  return c;
}

std::string page(const cookieseal::request_session& r, const std::vector<std::string>& flashes) {
  const auto& s = r.session();
  const auto cart = cart_of(s);
  std::string flash_html;
  for (const auto& f : flashes)
    flash_html += "<p class=\"flash\" id=\"flash\">" + html_escape(f) + "</p>";
  const std::string who =
      s.subject().empty()
          ? "<p id=\"user\">Not logged in.</p>"
            "<form method=\"post\" action=\"/login\"><input name=\"user\" id=\"login-user\" "
            "placeholder=\"name\"><button id=\"login\">Log in</button></form>"
          : "<p id=\"user\">Logged in as <b>" + html_escape(s.subject()) +
                "</b></p>"
                "<form method=\"post\" action=\"/logout\"><button id=\"logout\">Log "
                "out</button></form>"
                "<form method=\"post\" action=\"/logout-everywhere\"><button "
                "id=\"logout-everywhere\">"
                "Log out everywhere</button></form>";
  std::string items;
  if (const auto* v = s.find("cart"))
    if (const auto* l = v->get_if<cookieseal::value::list>())
      for (const auto& item : *l)
        if (const auto* str = item.get_if<std::string>())
          items += "<li>" + html_escape(*str) + "</li>";
  return fmt::format(R"(<!doctype html>
<html><head><meta charset="utf-8"><title>cookieseal shop</title></head><body>
<h1>cookieseal shop</h1>
{}
{}
<p>Visits: <span id="visits">{}</span></p>
<p>Cart: <span id="cart-items">{}</span> items, <span id="cart-bytes">{}</span> bytes</p>
<form method="post" action="/cart/add"><input name="item" id="item" placeholder="item">
<button id="add">Add to cart</button></form>
<ul id="cart">{}</ul>
</body></html>
)",
                     flash_html, who, s.get_or("visits", std::int64_t{0}), cart.items, cart.bytes,
                     items);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8080;
  fs::path state = ".cookieseal-demo";
  std::string store_where;
  bool revocation = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--no-revocation")
      revocation = false;
    else if (has_value && a == "--port")
      port = std::atoi(argv[++i]);
    else if (has_value && a == "--state")
      state = argv[++i];
    else if (has_value && a == "--store")
      store_where = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: cookieseal-shop [--port N] [--state DIR] [--store DIR|URL] "
                   "[--no-revocation]\n");
      return 2;
    }
  }
  try {
    fs::create_directories(state / "store");
    fs::permissions(state, fs::perms::owner_all, fs::perm_options::replace);
    const fs::path keyring_file = state / "keyring";
    if (!fs::exists(keyring_file))
      cookieseal::create_keyring_file(keyring_file, cookieseal::keyring::generate());

    cookieseal::keyring_watcher watcher(keyring_file);
    const auto store =
        cookieseal::open_store(store_where.empty() ? (state / "store").string() : store_where);
    cookieseal::codec_options options;
    options.overflow_store = store;
    if (revocation) options.revocation_store = store;
    cookieseal::codec codec(watcher.current(), options);
    watcher.attach(codec);
    watcher.start(std::chrono::seconds(1), [](const cookieseal::reload_result& r) {
      if (r.error) std::fprintf(stderr, "keyring reload refused: %s\n", r.error->what());
    });
    const cookieseal::session_manager sessions(codec);

    httplib::Server server;
    shop::configure(server);
    server.Get("/", [&](const httplib::Request& req, httplib::Response& res) {
      shop::with_session(sessions, req, res, [&](cookieseal::request_session& r) {
        if (r.refused())
          std::fprintf(stderr, "session cookie refused: %s\n",
                       std::string(cookieseal::to_string(*r.refused())).c_str());
        auto& s = r.session();
        s.set("visits", s.get_or("visits", std::int64_t{0}) + 1);
        std::vector<std::string> flashes;
        for (const auto& f : s.take_flashes("notice"))
          if (const auto* str = f.get_if<std::string>()) flashes.push_back(*str);
        res.set_content(page(r, flashes), "text/html; charset=utf-8");
      });
    });
    server.Get("/api/state", [&](const httplib::Request& req, httplib::Response& res) {
      shop::with_session(sessions, req, res, [&](cookieseal::request_session& r) {
        const auto& s = r.session();
        const auto cart = cart_of(s);
        res.set_content(
            fmt::format(
                R"({{"user":{},"visits":{},"cart_items":{},"cart_bytes":{},"new":{},"refused":"{}"}})",
                cookieseal::value_to_json(s.subject()),  // a JSON string, escaped
                s.get_or("visits", std::int64_t{0}), cart.items, cart.bytes,
                r.is_new() ? "true" : "false",
                r.refused() ? cookieseal::to_string(*r.refused()) : ""),
            "application/json");
      });
    });
    server.Post("/login", [&](const httplib::Request& req, httplib::Response& res) {
      shop::with_session(sessions, req, res, [&](cookieseal::request_session& r) {
        const std::string user = req.get_param_value("user");
        if (user.empty() || user.size() > 64) {
          r.session().flash("notice", "Please enter a name (up to 64 characters).");
        } else if (!r.session().login(user, codec.now())) {
          r.session().flash("notice", "Log out first to switch users.");
        } else {
          r.session().flash("notice", "Welcome, " + user + "!");
        }
        res.set_redirect("/", 303);
      });
    });
    server.Post("/logout", [&](const httplib::Request& req, httplib::Response& res) {
      shop::with_session(sessions, req, res, [&](cookieseal::request_session& r) {
        r.destroy();
        r.session().flash("notice", "You are logged out.");
        res.set_redirect("/", 303);
      });
    });
    server.Post("/logout-everywhere", [&](const httplib::Request& req, httplib::Response& res) {
      shop::with_session(sessions, req, res, [&](cookieseal::request_session& r) {
        const std::string subject = r.session().subject();
        // Every session of this user created up to now, on every browser; a
        // login right after holds.
        if (!subject.empty())
          if (auto revoked = codec.revoke_subject(subject); !revoked)
            return shop::session_unavailable(res, revoked.error());
        r.destroy();
        r.session().flash("notice", "You are logged out everywhere.");
        res.set_redirect("/", 303);
      });
    });
    server.Post("/cart/add", [&](const httplib::Request& req, httplib::Response& res) {
      shop::with_session(sessions, req, res, [&](cookieseal::request_session& r) {
        std::string item = req.get_param_value("item");
        if (item.empty()) item = "item";
        if (item.size() > 2000) item.resize(2000);
        cookieseal::value::list cart;
        if (auto existing = r.session().get<cookieseal::value::list>("cart"))
          cart = std::move(*existing);
        if (cart.size() < 1000) cart.push_back(item);
        r.session().set("cart", std::move(cart));
        res.set_redirect("/", 303);
      });
    });

    std::printf("cookieseal shop: http://127.0.0.1:%d/ (state in %s)\n", port, state.c_str());
    std::fflush(stdout);
    if (!shop::listen(server, "127.0.0.1", port)) {
      std::fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", port);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cookieseal-shop: %s\n", e.what());
    return 1;
  }
  return 0;
}
