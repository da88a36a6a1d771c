// Key text never sits in freed memory unwiped: an allocator hook (this
// program's global operator delete) scans every block freed while a case runs
// for the key's base64url text (valid load, parse error, bad mode, format,
// update, a watcher's bad reload).
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>

#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace {

// Set while a case watches; the needle lives in a static array (never freed).
char needle[64];
std::size_t needle_len = 0;
std::atomic<bool> watching{false};
std::atomic<int> leaks{0};

void scan_and_free(void* p) noexcept {
  if (p != nullptr && watching.load(std::memory_order_relaxed) && needle_len != 0) {
    const std::size_t n = ::malloc_usable_size(p);
    if (n >= needle_len && ::memmem(p, n, needle, needle_len) != nullptr) ++leaks;
  }
  std::free(p);
}

// The test's own copies of key text wipe themselves too: the hook scans a
// freed block's whole usable size, stale bytes of earlier users included.
using cookieseal::secret_string;

// "key ID CREATED ACTIVATES EXPIRES TEXT" lines: the text of the first key.
secret_string first_key_text(std::string_view file_text) {
  const auto line = file_text.substr(file_text.find("\nkey ") + 1);
  const auto end = line.find('\n');
  const auto l = line.substr(0, end);
  return secret_string(l.substr(l.rfind(' ') + 1));
}

// Writes key text with write(2): an ofstream's heap buffer would leave it behind.
void write_secret(const std::filesystem::path& file, std::string_view text, mode_t mode = 0600) {
  ::unlink(file.c_str());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::fchmod(fd, mode);
  ::close(fd);
}

struct watch {
  explicit watch(const secret_string& key_text) {
    std::memcpy(needle, key_text.data(), key_text.size());
    needle_len = key_text.size();
    leaks = 0;
    watching = true;
  }
  ~watch() { watching = false; }
};

}  // namespace

void* operator new(std::size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { scan_and_free(p); }
void operator delete(void* p, std::size_t) noexcept { scan_and_free(p); }
void operator delete[](void* p) noexcept { scan_and_free(p); }
void operator delete[](void* p, std::size_t) noexcept { scan_and_free(p); }

TEST_SUITE("key_hygiene") {
  TEST_CASE("no key text is left in freed memory by loading, failing, formatting or updating") {
    test::temp_dir dir;
    const auto file = dir / "keyring";
    cookieseal::create_keyring_file(file, cookieseal::keyring::generate());
    const secret_string text = cookieseal::format_keyring(cookieseal::load_keyring_file(file));
    const secret_string key_text = first_key_text(text);
    REQUIRE(key_text.size() == 43);

    SUBCASE("a valid load") {
      watch w(key_text);
      auto k = cookieseal::load_keyring_file(file);
      CHECK(k.size() == 1);
      CHECK(leaks == 0);
    }
    SUBCASE("a parse error after the key line") {
      write_secret(file, text + "bogus line\n");
      watch w(key_text);
      CHECK_THROWS_AS((void)cookieseal::load_keyring_file(file), cookieseal::keyring_file_error);
      CHECK(leaks == 0);
    }
    SUBCASE("a file with the wrong mode") {
      write_secret(file, text, 0644);
      watch w(key_text);
      CHECK_THROWS_AS((void)cookieseal::load_keyring_file(file), cookieseal::keyring_file_error);
      CHECK(leaks == 0);
    }
    SUBCASE("formatting") {
      const auto k = cookieseal::load_keyring_file(file);
      watch w(key_text);
      for (int i = 0; i < 3; ++i) {
        const auto formatted = cookieseal::format_keyring(k.with_new_key(test::t0, test::t0));
        CHECK(formatted.find(key_text) != std::string::npos);
      }
      CHECK(leaks == 0);
    }
    SUBCASE("an update through the file") {
      watch w(key_text);
      cookieseal::update_keyring_file(
          file, [](const cookieseal::keyring& k) { return k.rotated(cookieseal::system_now()); });
      CHECK(leaks == 0);
    }
    SUBCASE("a watcher refusing a bad replacement") {
      cookieseal::keyring_watcher watcher(file);
      write_secret(file, text + "bogus line\n");
      watch w(key_text);
      CHECK(watcher.reload_if_changed().error);
      CHECK(leaks == 0);
    }
    SUBCASE("the hook itself sees key text in a freed string (last: it leaves some behind)") {
      watch w(key_text);
      { std::string copy = "xxxxxxxxxxxxxxxxxxxx" + std::string(key_text.data(), key_text.size()); }
      CHECK(leaks > 0);  // so a zero above means something
    }
  }
}
