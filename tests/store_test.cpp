#include <cookieseal/codec.hpp>
#include <cookieseal/file_store.hpp>

#include "revocation_checks.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>
#include <vector>

using cookieseal::errc;
using cookieseal::session;
using namespace std::chrono_literals;

namespace {

struct overflow_setup {
  test::temp_dir dir;
  std::shared_ptr<cookieseal::file_store> store =
      std::make_shared<cookieseal::file_store>(dir / "store");
  test::manual_clock clock;
  cookieseal::codec codec{test::fixed_keyring(), [&] {
                            auto o = test::options_with(clock);
                            o.overflow_store = store;
                            o.revocation_store = store;
                            return o;
                          }()};
};

session big_session(std::size_t bytes, const char* marker = "x") {
  session s(test::t0);
  std::string v;
  while (v.size() < bytes) v += marker;
  s.set("blob", v.substr(0, bytes));
  s.set("n", 1);
  return s;
}

std::size_t count_files(const std::filesystem::path& dir, const char* part = "") {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().find(part) != std::string::npos &&
        e.path().filename() != ".lock")
      ++n;
  return n;
}

cookieseal::entry_id entry_of(const cookieseal::file_store& st) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(st.directory() / "e"))
    if (e.is_regular_file()) {
      cookieseal::entry_id id;
      const std::string h = e.path().filename().string();
      for (std::size_t i = 0; i < id.size(); ++i)
        id[i] = static_cast<std::byte>(std::stoul(h.substr(2 * i, 2), nullptr, 16));
      return id;
    }
  FAIL("no entry");
  return {};
}

// A backend that offers only entries, as a third one (memcached, S3) might.
class memory_entries final : public cookieseal::entry_store {
 public:
  using time_point = cookieseal::time_point;
  template <class T>
  using result = cookieseal::result<T>;
  result<void> put(const cookieseal::entry_id& id, std::span<const std::byte> sealed,
                   std::optional<time_point>) override {
    entries[id].assign(sealed.begin(), sealed.end());
    return {};
  }
  result<std::optional<std::vector<std::byte>>> get(const cookieseal::entry_id& id,
                                                    time_point) override {
    const auto it = entries.find(id);
    if (it == entries.end()) return std::optional<std::vector<std::byte>>{};
    return std::optional{it->second};
  }
  result<void> erase(const cookieseal::entry_id& id) override {
    entries.erase(id);
    return {};
  }
  result<void> expire_by(const cookieseal::entry_id&, time_point) override { return {}; }
  std::map<cookieseal::entry_id, std::vector<std::byte>> entries;
};

// A backend that offers only revocations; it fails once taken down.
class memory_revocations final : public cookieseal::revocation_list {
 public:
  using time_point = cookieseal::time_point;
  template <class T>
  using result = cookieseal::result<T>;
  result<void> revoke_session(const cookieseal::session_id& id, time_point) override {
    sessions.insert(id);
    return {};
  }
  result<void> revoke_subject(std::string_view subject, time_point before, time_point) override {
    subjects[std::string(subject)] = before;
    return {};
  }
  result<bool> is_revoked(const cookieseal::session_id& id, std::string_view subject,
                          time_point created_at, time_point) override {
    if (down) {
      report("revocation list down");
      return errc::store_unavailable;
    }
    const auto it = subjects.find(std::string(subject));
    return sessions.contains(id) || (it != subjects.end() && created_at < it->second);
  }
  bool down = false;
  std::set<cookieseal::session_id> sessions;
  std::map<std::string, time_point> subjects;
};

}  // namespace

TEST_SUITE("store") {
  TEST_CASE(
      "a session grows from 100 bytes to 64 KB and shrinks back; the cookie stays under 4096") {
    overflow_setup o;
    session s = big_session(100);
    for (std::size_t size :
         {100u, 1000u, 2500u, 4000u, 8000u, 20000u, 65536u, 20000u, 2500u, 100u}) {
      CAPTURE(size);
      s.set("blob", std::string(size, 'y'));
      auto sealed = o.codec.seal("session", s);
      REQUIRE(sealed);
      CHECK(sealed->cookie.size() + 7 <= 4096);
      CHECK(sealed->overflow == (size > 2900));
      auto opened = o.codec.open("session", sealed->cookie);
      REQUIRE(opened);
      CHECK(opened->session.get<std::string>("blob")->size() == size);
      CHECK(opened->info.overflow == sealed->overflow);
      s = std::move(opened->session);  // keeps the overflow origin, as a request would
    }
    // Every replaced entry is on its 60 s grace; after it, garbage collection leaves none.
    o.clock.advance(61s);
    CHECK(*o.store->collect_garbage(o.clock()) >= 4);
    CHECK(o.store->stats()->entries == 0);
  }

  TEST_CASE("the store never holds plaintext") {
    overflow_setup o;
    auto sealed = o.codec.seal("session", big_session(10000, "SECRET-MARKER-"));
    REQUIRE(sealed);
    REQUIRE(sealed->overflow);
    for (const auto& e : std::filesystem::recursive_directory_iterator(o.dir.path())) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      const std::string data((std::istreambuf_iterator<char>(in)), {});
      CHECK(data.find("SECRET-MARKER") == std::string::npos);
      CHECK(data.find("blob") == std::string::npos);
    }
  }

  TEST_CASE("tampered references, swapped and missing entries give the right errors") {
    overflow_setup o;
    const auto a = o.codec.seal("session", big_session(9000, "a"))->cookie;
    const auto id_a = entry_of(*o.store);
    const auto b = o.codec.seal("session", big_session(9000, "b"))->cookie;
    REQUIRE(o.codec.open("session", a));
    REQUIRE(o.codec.open("session", b));

    SUBCASE("a tampered reference fails authentication") {
      std::string t = a;
      t[100] = t[100] == 'A' ? 'B' : 'A';
      CHECK(o.codec.open("session", t).error() == errc::authentication_failed);
    }
    SUBCASE("an entry swapped under another id fails authentication") {
      std::filesystem::path pa, pb;
      for (const auto& e :
           std::filesystem::recursive_directory_iterator(o.store->directory() / "e"))
        if (e.is_regular_file()) (pa.empty() ? pa : pb) = e.path();
      std::filesystem::copy_file(pa, pb, std::filesystem::copy_options::overwrite_existing);
      const bool a_ok = static_cast<bool>(o.codec.open("session", a));
      const bool b_ok = static_cast<bool>(o.codec.open("session", b));
      CHECK(a_ok != b_ok);  // the one whose file now holds the other's entry
      CHECK((a_ok ? o.codec.open("session", b) : o.codec.open("session", a)).error() ==
            errc::authentication_failed);
    }
    SUBCASE("a deleted entry reads as expired") {
      REQUIRE(o.store->erase(id_a));
      CHECK(o.codec.open("session", a).error() == errc::expired);
      CHECK(o.codec.open("session", b));
    }
    SUBCASE("no store configured: store_unavailable") {
      cookieseal::codec plain(test::fixed_keyring(), test::options_with(o.clock));
      CHECK(plain.open("session", a).error() == errc::store_unavailable);
    }
    SUBCASE("an unreadable store: store_unavailable") {
      std::filesystem::remove_all(o.store->directory() / "e");
      std::filesystem::create_directories(o.store->directory() / "e");
      // Replace the entry's shard with a directory where the file should be.
      const std::string h = [&] {
        std::string s;
        static const char* d = "0123456789abcdef";
        for (auto byte : id_a) {
          s += d[std::to_integer<unsigned>(byte) >> 4];
          s += d[std::to_integer<unsigned>(byte) & 15];
        }
        return s;
      }();
      std::filesystem::create_directories(o.store->directory() / "e" / h.substr(0, 2) / h);
      CHECK(o.codec.open("session", a).error() == errc::store_unavailable);
    }
  }

  TEST_CASE("an entry expires with its session, and a replaced one after the 60 s grace") {
    overflow_setup o;
    auto first = o.codec.seal("session", big_session(9000));
    REQUIRE(first);
    auto opened = o.codec.open("session", first->cookie);
    REQUIRE(opened);
    opened->session.set("n", 2);
    o.clock.advance(10s);
    auto second = o.codec.seal("session", opened->session);
    REQUIRE(second);
    CHECK(o.codec.open("session", first->cookie));  // parallel request with the old cookie
    o.clock.advance(59s);
    CHECK(o.codec.open("session", first->cookie));  // still inside the 60 s grace
    o.clock.advance(1s);
    CHECK(o.codec.open("session", first->cookie).error() == errc::expired);
    CHECK(o.codec.open("session", second->cookie)->session.get<int>("n") == 2);
    // The new entry lives as long as the session: past its idle expiry it is gone.
    o.clock.advance(24h);
    CHECK(o.store->get(entry_of(*o.store), o.clock())->has_value() == false);
  }

  TEST_CASE("destroy removes the entry and revokes the id; revoke_subject logs out everywhere") {
    overflow_setup o;
    session s = big_session(9000);
    s.login("user-1", o.clock());
    const auto cookie = o.codec.seal("session", s)->cookie;
    auto opened = o.codec.open("session", cookie);
    REQUIRE(opened);

    SUBCASE("destroy") {
      REQUIRE(o.codec.destroy(opened->session));
      CHECK(o.store->stats()->entries == 0);
      CHECK(o.codec.open("session", cookie).error() == errc::expired);
      // An inline session's copies are refused by id.
      session small(test::t0);
      const auto inline_cookie = o.codec.seal("session", small)->cookie;
      REQUIRE(o.codec.destroy(small));
      CHECK(o.codec.open("session", inline_cookie).error() == errc::revoked);
    }
    SUBCASE("revoke_subject refuses older sessions of that subject only") {
      session other(test::t0);
      other.login("user-2", o.clock());
      const auto other_cookie = o.codec.seal("session", other)->cookie;
      REQUIRE(o.store->revoke_subject("user-1", o.clock() + 1s, o.clock() + 8 * 24h));
      CHECK(o.codec.open("session", cookie).error() == errc::revoked);
      CHECK(o.codec.open("session", other_cookie));
      session later(o.clock() + 1s);
      later.login("user-1", o.clock() + 1s);
      o.clock.advance(1s);
      CHECK(o.codec.open("session", o.codec.seal("session", later)->cookie));
      // An earlier "before" does not shorten the revocation.
      REQUIRE(o.store->revoke_subject("user-1", test::t0 - 1h, o.clock() + 8 * 24h));
      CHECK(o.codec.open("session", cookie).error() == errc::revoked);
    }
    SUBCASE("two log outs everywhere in one second both hold, exactly") {
      test::check_log_outs_in_one_second(o.codec, o.clock);
    }
    SUBCASE("revoke_session refuses that session until its expiry") {
      REQUIRE(o.store->revoke_session(opened->session.id(), o.clock() + 1h));
      CHECK(o.codec.open("session", cookie).error() == errc::revoked);
      o.clock.advance(1h);
      CHECK(o.codec.open("session", cookie));
    }
  }

  TEST_CASE("a reference that cannot fit in the cookie leaves no entry behind") {
    overflow_setup o;
    session s = big_session(9000);
    s.login(std::string(4000, 'u'), o.clock());  // the subject travels in the reference
    CHECK(o.codec.seal("session", s).error() == errc::too_large);
    CHECK(o.store->stats()->entries == 0);
  }

  TEST_CASE("entries over 1 MiB are refused") {
    overflow_setup o;
    CHECK(o.codec.seal("session", big_session(1100000)).error() == errc::too_large);
    CHECK(o.store->put({}, std::vector<std::byte>(cookieseal::max_entry_bytes + 1), std::nullopt)
              .error() == errc::too_large);
    CHECK(o.codec.seal("session", big_session(1000000)));
  }

  TEST_CASE("garbage collection removes expired entries and stale temp files, and counts") {
    overflow_setup o;
    for (int i = 0; i < 5; ++i) REQUIRE(o.codec.seal("session", big_session(9000)));
    const auto tmp = o.store->directory() / "e" / "stale.tmp.abcdef";
    test::write_text(tmp, "half");
    std::filesystem::last_write_time(tmp, std::filesystem::file_time_type::clock::now() - 1h);
    const auto fresh_tmp = o.store->directory() / "e" / "fresh.tmp.abcdef";
    test::write_text(fresh_tmp, "writing");
    auto st = o.store->stats();
    REQUIRE(st);
    CHECK(st->entries == 5);
    CHECK(st->bytes > 5 * 9000);
    CHECK(st->oldest_expiry == test::t0 + 24h);
    CHECK(*o.store->collect_garbage(o.clock()) == 1);  // the stale temp file only
    CHECK(std::filesystem::exists(fresh_tmp));
    o.clock.advance(24h);
    CHECK(*o.store->collect_garbage(o.clock()) == 5);
    CHECK(o.store->stats()->entries == 0);
  }

  TEST_CASE("ids are hex of fixed-size arrays: no path escapes the directory") {
    overflow_setup o;
    cookieseal::entry_id id;
    for (std::size_t i = 0; i < id.size(); ++i)
      id[i] = static_cast<std::byte>("../../etc/passwd\0/"[i % 18]);
    REQUIRE(o.store->put(id, std::vector<std::byte>(10), std::nullopt));
    std::size_t outside = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(o.dir.path()))
      if (e.is_regular_file() && e.path().string().rfind(o.store->directory().string(), 0) != 0)
        ++outside;
    CHECK(outside == 0);
    CHECK(o.store->get(id, o.clock())->has_value());
  }

  TEST_CASE("several processes writing at once, and GC racing readers, lose nothing") {
    test::temp_dir dir;
    const auto path = dir / "store";
    cookieseal::file_store parent(path);
    std::vector<pid_t> children;
    for (int p = 0; p < 4; ++p) {
      const pid_t pid = ::fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        cookieseal::file_store st(path);
        int bad = 0;
        for (int i = 0; i < 50; ++i) {
          cookieseal::entry_id id{};
          id[0] = static_cast<std::byte>(p);
          id[1] = static_cast<std::byte>(i);
          std::vector<std::byte> data(1000 + static_cast<std::size_t>(i),
                                      static_cast<std::byte>(p));
          if (!st.put(id, data, test::t0 + 1h)) ++bad;
          auto back = st.get(id, test::t0);
          if (!back || !*back || **back != data) ++bad;
          if (!st.collect_garbage(test::t0)) ++bad;
        }
        ::_exit(bad == 0 ? 0 : 1);
      }
      children.push_back(pid);
    }
    // Meanwhile this process collects garbage and reads, as another server would.
    std::atomic<bool> stop{false};
    std::thread gc([&] {
      while (!stop) (void)parent.collect_garbage(test::t0);
    });
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    stop = true;
    gc.join();
    CHECK(parent.stats()->entries == 200);
    CHECK(count_files(path, ".tmp.") == 0);
  }

  TEST_CASE("expire_by cannot bring back an entry erased meanwhile (threads racing)") {
    test::temp_dir dir;
    cookieseal::file_store st(dir / "store");
    const std::vector<std::byte> data(100, std::byte{5});
    int resurrected = 0;
    for (int round = 0; round < 300; ++round) {
      cookieseal::entry_id id{};
      id[0] = static_cast<std::byte>(round & 0xFF);
      id[1] = static_cast<std::byte>(round >> 8);
      REQUIRE(st.put(id, data, test::t0 + 1h));
      std::atomic<bool> go{false};
      std::thread shortener([&] {
        while (!go) {
        }
        (void)st.expire_by(id, test::t0 + 1min);
      });
      std::thread eraser([&] {
        while (!go) {
        }
        REQUIRE(st.erase(id));
      });
      go = true;
      shortener.join();
      eraser.join();
      if (st.get(id, test::t0)->has_value()) ++resurrected;
    }
    CHECK(resurrected == 0);
  }

  TEST_CASE(
      "subjects are stored keyed-hashed: no user id, no precomputable name; old records count") {
    test::temp_dir dir;
    cookieseal::file_store a(dir / "a"), b(dir / "b");
    REQUIRE(a.revoke_subject("alice@example.com", test::t0, test::t0 + 1h));
    REQUIRE(b.revoke_subject("alice@example.com", test::t0, test::t0 + 1h));
    auto names = [&](const char* store) {
      std::vector<std::string> out;
      for (const auto& e : std::filesystem::recursive_directory_iterator(dir / store / "r"))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.')
          out.push_back(e.path().filename().string());
      return out;
    };
    REQUIRE(names("a").size() == 1);
    CHECK(names("a") != names("b"));  // each store has its own secret
    CHECK(std::filesystem::exists(dir / "a" / ".subject-key"));
    CHECK((std::filesystem::status(dir / "a" / ".subject-key").permissions() &
           std::filesystem::perms::group_all) == std::filesystem::perms::none);
    session s(test::t0 - 1s);
    CHECK(*a.is_revoked(s.id(), "alice@example.com", test::t0 - 1s, test::t0));
    // The same store opened again (another process) finds the same name.
    cookieseal::file_store again(dir / "a");
    CHECK(*again.is_revoked(s.id(), "alice@example.com", test::t0 - 1s, test::t0));
  }

  TEST_CASE("a store failure says why through the diagnostic hook") {
    test::temp_dir dir;
    cookieseal::file_store st(dir / "store");
    std::vector<std::string> said;
    st.set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    std::filesystem::rename(dir / "store", dir / "gone");
    CHECK(st.get({}, test::t0).error() == errc::store_unavailable);
    REQUIRE(said.size() == 1);
    CHECK(said[0].find("store directory is missing") != std::string::npos);
  }
  TEST_CASE("a backend may offer only entries, or only revocations") {
    test::manual_clock clock;
    auto entries = std::make_shared<memory_entries>();
    auto revocations = std::make_shared<memory_revocations>();
    std::vector<std::string> said;
    revocations->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });

    SUBCASE("entries only: overflow works, revocation is not offered") {
      auto o = test::options_with(clock);
      o.overflow_store = entries;
      cookieseal::codec c(test::fixed_keyring(), o);
      auto sealed = c.seal("session", big_session(9000));
      REQUIRE(sealed);
      CHECK(sealed->overflow);
      CHECK(entries->entries.size() == 1);
      auto opened = c.open("session", sealed->cookie);
      REQUIRE(opened);
      CHECK(opened->session.get<std::string>("blob")->size() == 9000);
      CHECK(c.revoke_subject("user-1").error() == errc::store_unavailable);
      REQUIRE(c.destroy(opened->session));
      CHECK(entries->entries.empty());
    }
    SUBCASE("revocations only: log out everywhere works, big sessions are too large") {
      auto o = test::options_with(clock);
      o.revocation_store = revocations;
      cookieseal::codec c(test::fixed_keyring(), o);
      session s = c.new_session();
      REQUIRE(s.login("user-1", c.now()));
      const auto cookie = c.seal("session", s)->cookie;
      REQUIRE(c.open("session", cookie));
      CHECK(c.seal("session", big_session(9000)).error() == errc::too_large);
      REQUIRE(c.revoke_subject("user-1"));
      CHECK(c.open("session", cookie).error() == errc::revoked);
      revocations->down = true;
      CHECK(c.open("session", cookie).error() == errc::store_unavailable);
      REQUIRE(said.size() == 1);
      CHECK(said[0] == "revocation list down");
    }
  }

  TEST_CASE("a store that is both has one diagnostic function for both roles") {
    test::temp_dir dir;
    auto st = std::make_shared<cookieseal::file_store>(dir / "store");
    std::vector<std::string> said;
    st->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    std::shared_ptr<cookieseal::entry_store> entries = st;
    std::shared_ptr<cookieseal::revocation_list> revocations = st;
    std::filesystem::rename(dir / "store", dir / "moved");
    CHECK(entries->get({}, test::t0).error() == errc::store_unavailable);
    CHECK(revocations->revoke_session({}, test::t0).error() == errc::store_unavailable);
    REQUIRE(said.size() == 2);
    CHECK(said[0] == said[1]);
  }
}
