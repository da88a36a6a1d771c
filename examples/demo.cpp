// The quick-start demo: make a keyring, seal a session into a cookie value,
// open it again, and print both.
#include <cookieseal/codec.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/session.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace {

std::string show(const cookieseal::value& v) {
  using kind = cookieseal::value::kind;
  switch (v.type()) {
    case kind::null: return "null";
    case kind::boolean: return *v.get_if<bool>() ? "true" : "false";
    case kind::integer: return fmt::format("{}", *v.get_if<std::int64_t>());
    case kind::real: return fmt::format("{}", *v.get_if<double>());
    case kind::string: return fmt::format("\"{}\"", *v.get_if<std::string>());
    case kind::bytes:
      return fmt::format("<{} bytes>", v.get_if<cookieseal::value::bytes>()->size());
    case kind::list: {
      std::string out = "[";
      for (const auto& e : *v.get_if<cookieseal::value::list>())
        out += (out.size() > 1 ? ", " : "") + show(e);
      return out + "]";
    }
    case kind::map: {
      std::string out = "{";
      for (const auto& [k, e] : *v.get_if<cookieseal::value::map>())
        out += (out.size() > 1 ? ", " : "") + k + ": " + show(e);
      return out + "}";
    }
    case kind::object:
      return fmt::format("<object {}>", v.get_if<cookieseal::value::object>()->type_name);
  }
  return "?";
}

}  // namespace

int main() {
  // 1. A keyring with one fresh random key (the keyring file and CLI manage this in production).
  auto keys = cookieseal::keyring::generate();
  fmt::print("keyring: 1 key, id {:08x} (key bytes never printed)\n", keys.keys()[0].id);

  // 2. A codec with the default policy: 7-day lifetime, 24-hour idle timeout, 4096-byte cookies.
  cookieseal::codec codec(keys);

  // 3. A session, as a login handler would fill it.
  cookieseal::session s = codec.new_session();
  s.login("user-1234567");
  s.set("user_name", "alice@example.com");
  s.set("roles", cookieseal::value::list{"admin", "editor"});
  s.set("cart", cookieseal::value::list{101, 202, 303});
  s.flash("notice", "Welcome back!");

  auto sealed = codec.seal("__Host-session", s);
  if (!sealed) {
    fmt::print(stderr, "seal failed: {}\n", cookieseal::message(sealed.error()));
    return 1;
  }
  fmt::print("\nSet-Cookie: __Host-session={}\n  ({} characters)\n", sealed->cookie,
             sealed->cookie.size());

  // 4. The next request carries the cookie back.
  auto opened = codec.open("__Host-session", sealed->cookie);
  if (!opened) {
    fmt::print(stderr, "open failed: {}\n", cookieseal::message(opened.error()));
    return 1;
  }
  auto& back = opened->session;
  fmt::print("\nopened session {} (subject {}, key {:08x}, idle window used {:.0f}%)\n",
             cookieseal::to_hex(back.id()), back.subject(), opened->info.key_id,
             opened->info.idle_used * 100);
  for (const auto& [k, v] : back) fmt::print("  {} = {}\n", k, show(v));
  for (const auto& msg : back.take_flashes("notice")) fmt::print("  flash: {}\n", show(msg));

  // 5. Tampering is caught.
  std::string forged = sealed->cookie;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  auto bad = codec.open("__Host-session", forged);
  fmt::print("\na tampered cookie: {} ({})\n", cookieseal::to_string(bad.error()),
             cookieseal::message(bad.error()));
  return bad ? 1 : 0;
}
