// A downstream program built against the installed library only.
#include <cookieseal/codec.hpp>

#include <cstdio>

int main() {
  cookieseal::codec c(cookieseal::keyring::generate());
  cookieseal::session s = c.new_session();
  s.set("n", 1);
  auto sealed = c.seal("session", s);
  if (!sealed) return 1;
  auto opened = c.open("session", sealed->cookie);
  if (!opened || opened->session.get<int>("n") != 1) return 1;
  std::puts("consumer ok");
  return 0;
}
