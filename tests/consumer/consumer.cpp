// A downstream program built against the installed library only.
#include <cookieseal/cereal.hpp>
#include <cookieseal/codec.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {
// A user type through put_object: needs the installed detail headers.
struct cart {
  std::vector<std::int64_t> items;
  template <class A>
  void serialize(A& a) {
    a(items);
  }
};
}  // namespace

int main() {
  cookieseal::codec c(cookieseal::keyring::generate());
  cookieseal::session s = c.new_session();
  s.set("n", 1);
  cookieseal::put_object(s, "cart", "consumer.cart.v1", cart{{3, 1, 4}});
  auto sealed = c.seal("session", s);
  if (!sealed) return 1;
  auto opened = c.open("session", sealed->cookie);
  if (!opened || opened->session.get<int>("n") != 1) return 1;
  const auto back = cookieseal::get_object<cart>(opened->session, "cart", "consumer.cart.v1");
  if (!back || back->items != std::vector<std::int64_t>{3, 1, 4}) return 1;
  std::puts("consumer ok");
  return 0;
}
