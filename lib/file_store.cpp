#include <cookieseal/file_store.hpp>

#include "detail/atomic_file.hpp"
#include "detail/random.hpp"
#include "detail/store_encoding.hpp"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace cookieseal {

using namespace detail;  // store_encoding.hpp: both stores encode alike

namespace {

namespace fs = std::filesystem;

// Every file starts with a 4-byte magic and a big-endian u64 expiry
// (0xFFFFFFFFFFFFFFFF = never); subject revocations add the u64 "before".
constexpr char entry_magic[4] = {'C', 'S', 'E', '1'};
constexpr char revocation_magic[4] = {'C', 'S', 'R', '1'};
constexpr std::size_t header_bytes = 12;
// A temp file older than this is a crashed writer's leftover.
constexpr auto stale_temp_age = std::chrono::minutes(10);

std::string header(const char (&magic)[4], std::uint64_t expires) {
  std::string h(magic, 4);
  append_be64(h, expires);
  return h;
}

// Writes atomically, creating the parent directory (0700) when missing.
void write_atomic(const fs::path& file, std::string_view data) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  detail::write_file_atomic(file, data, 0600);
}

std::optional<detail::file_contents> read(const fs::path& file, std::size_t max) {
  return detail::read_file_bounded(file, max);
}

// Maps any failure of a store operation to store_unavailable; the store never throws.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    return errc::store_unavailable;
  }
}

bool is_temp_file(const fs::path& p) { return p.filename().string().find(".tmp.") != std::string::npos; }

// Entries and revocation records; not temp files nor the ".lock" file.
bool is_record(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] != '.' && !is_temp_file(p);
}

}  // namespace

file_store::file_store(std::filesystem::path dir) : dir_(std::move(dir)) {
  detail::ensure_sodium();
  for (const auto& sub : {dir_, dir_ / "e", dir_ / "r" / "s", dir_ / "r" / "u"}) {
    std::error_code ec;
    fs::create_directories(sub, ec);
    if (ec) throw std::system_error(ec, "cannot create store directory " + sub.string());
  }
  ::chmod(dir_.c_str(), 0700);
}

fs::path file_store::entry_path(const entry_id& id) const {
  const std::string h = hex_of(id);
  return dir_ / "e" / h.substr(0, 2) / h;
}

fs::path file_store::session_path(const session_id& id) const { return dir_ / "r" / "s" / hex_of(id); }

fs::path file_store::subject_path(std::string_view subject) const {
  std::array<unsigned char, 32> h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(subject.data()),
                     subject.size(), nullptr, 0);
  return dir_ / "r" / "u" / hex_of(std::as_bytes(std::span(h)));
}

result<void> file_store::put(const entry_id& id, std::span<const std::byte> sealed,
                             std::optional<time_point> expires) {
  if (sealed.size() > max_entry_bytes) return errc::too_large;
  return guarded([&]() -> result<void> {
    std::string data = header(entry_magic, store_time(expires));
    data.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
    write_atomic(entry_path(id), data);
    return {};
  });
}

result<std::optional<std::vector<std::byte>>> file_store::get(const entry_id& id, time_point now) {
  return guarded([&]() -> result<std::optional<std::vector<std::byte>>> {
    auto c = read(entry_path(id), max_entry_bytes + header_bytes);
    if (!c) return std::optional<std::vector<std::byte>>{};
    if (c->data.size() < header_bytes || std::memcmp(c->data.data(), entry_magic, 4) != 0)
      return errc::store_unavailable;  // not an entry this code wrote
    if (stored_expiry_passed(read_be64(c->data.data() + 4), now)) return std::optional<std::vector<std::byte>>{};
    const auto* p = reinterpret_cast<const std::byte*>(c->data.data()) + header_bytes;
    return std::optional(std::vector<std::byte>(p, p + (c->data.size() - header_bytes)));
  });
}

result<void> file_store::erase(const entry_id& id) {
  return guarded([&]() -> result<void> {
    if (::unlink(entry_path(id).c_str()) != 0 && errno != ENOENT) return errc::store_unavailable;
    return {};
  });
}

result<void> file_store::expire_by(const entry_id& id, time_point expires) {
  return guarded([&]() -> result<void> {
    const fs::path file = entry_path(id);
    auto c = read(file, max_entry_bytes + header_bytes);
    if (!c || c->data.size() < header_bytes) return {};
    if (read_be64(c->data.data() + 4) <= store_time(expires)) return {};
    std::string data = header(entry_magic, store_time(expires));
    data.append(c->data, header_bytes);
    write_atomic(file, data);
    return {};
  });
}

result<std::uint64_t> file_store::collect_garbage(time_point now) {
  return guarded([&]() -> result<std::uint64_t> {
    std::uint64_t removed = 0;
    const auto stale_before = fs::file_time_type::clock::now() - stale_temp_age;
    for (const auto& sub : {dir_ / "e", dir_ / "r"}) {
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(sub, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const fs::path& p = it->path();
        bool remove = false;
        if (is_temp_file(p)) {
          remove = it->last_write_time(ec) < stale_before;
        } else if (is_record(p)) {
          char h[header_bytes];
          FILE* f = std::fopen(p.c_str(), "rb");
          if (f == nullptr) continue;  // removed meanwhile
          const bool whole = std::fread(h, 1, sizeof h, f) == sizeof h;
          std::fclose(f);
          remove = whole && stored_expiry_passed(read_be64(h + 4), now);
        }
        if (remove && ::unlink(p.c_str()) == 0) ++removed;
      }
      if (ec && ec != std::errc::no_such_file_or_directory) return errc::store_unavailable;
    }
    return removed;
  });
}

result<store_stats> file_store::stats() {
  return guarded([&]() -> result<store_stats> {
    store_stats s;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_ / "e", ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file(ec) || !is_record(it->path())) continue;
      char h[header_bytes];
      FILE* f = std::fopen(it->path().c_str(), "rb");
      if (f == nullptr) continue;
      const bool whole = std::fread(h, 1, sizeof h, f) == sizeof h;
      std::fclose(f);
      if (!whole) continue;
      ++s.entries;
      s.bytes += it->file_size(ec);
      const std::uint64_t e = read_be64(h + 4);
      if (e != store_never) {
        const time_point t{std::chrono::seconds(static_cast<std::int64_t>(e))};
        if (!s.oldest_expiry || t < *s.oldest_expiry) s.oldest_expiry = t;
      }
    }
    if (ec) return errc::store_unavailable;
    for (auto it = fs::recursive_directory_iterator(dir_ / "r", ec); !ec && it != fs::end(it);
         it.increment(ec))
      if (it->is_regular_file(ec) && is_record(it->path())) ++s.revocations;
    if (ec) return errc::store_unavailable;
    return s;
  });
}

result<void> file_store::revoke_session(const session_id& id, time_point until) {
  return guarded([&]() -> result<void> {
    write_atomic(session_path(id), header(revocation_magic, store_time(until)));
    return {};
  });
}

result<void> file_store::revoke_subject(std::string_view subject, time_point before,
                                        time_point until) {
  return guarded([&]() -> result<void> {
    // Read-modify-write under a lock, so the latest "before" and "until" win.
    detail::file_lock lock(dir_ / "r" / ".lock");
    const fs::path file = subject_path(subject);
    std::uint64_t b = store_time(before), u = store_time(until);
    if (auto c = read(file, 64); c && c->data.size() >= header_bytes + 8) {
      u = std::max(u, read_be64(c->data.data() + 4));
      b = std::max(b, read_be64(c->data.data() + header_bytes));
    }
    std::string data = header(revocation_magic, u);
    append_be64(data, b);
    write_atomic(file, data);
    return {};
  });
}

result<bool> file_store::is_revoked(const session_id& id, std::string_view subject,
                                    time_point created_at, time_point now) {
  return guarded([&]() -> result<bool> {
    if (auto c = read(session_path(id), 64);
        c && c->data.size() >= header_bytes && !stored_expiry_passed(read_be64(c->data.data() + 4), now))
      return true;
    if (subject.empty()) return false;
    if (auto c = read(subject_path(subject), 64);
        c && c->data.size() >= header_bytes + 8 && !stored_expiry_passed(read_be64(c->data.data() + 4), now)) {
      const std::uint64_t before = read_be64(c->data.data() + header_bytes);
      return store_time(created_at) < before;
    }
    return false;
  });
}

}  // namespace cookieseal
