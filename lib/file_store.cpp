#include <cookieseal/file_store.hpp>

#include "detail/atomic_file.hpp"
#include "detail/random.hpp"
#include "detail/store_encoding.hpp"
#include "detail/subject_cutoff.hpp"

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
// (0xFFFFFFFFFFFFFFFF = never); subject revocations add the u64 "before" (the
// cut-off in force) and the u64 "asked" (the latest cut-off asked for).
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

// A subject record's cut-offs (at least header + 8 bytes).
detail::subject_cutoff cutoff_of(const std::string& data) {
  detail::subject_cutoff cut;
  cut.before = read_be64(data.data() + header_bytes);
  cut.asked =
      data.size() >= header_bytes + 16 ? read_be64(data.data() + header_bytes + 8) : cut.before;
  return cut;
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

// Maps any failure of a store operation to store_unavailable, its cause to
// @p report; the store never throws.
template <class F, class Report>
auto guarded(F&& f, Report&& report) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    report(e.what());
    return errc::store_unavailable;
  }
}

bool is_temp_file(const fs::path& p) {
  return p.filename().string().find(".tmp.") != std::string::npos;
}

// Entries and revocation records; not temp files nor the ".lock" file.
bool is_record(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] != '.' && !is_temp_file(p);
}

}  // namespace

namespace {

constexpr const char* marker_name = ".cookieseal-store";
constexpr const char* subject_key_name = ".subject-key";
constexpr std::size_t max_marker_bytes = 256;

std::string new_store_id() {
  std::array<std::byte, 16> id;
  random_fill(id);
  return "cookieseal-store 1 " + hex_of(id) + "\n";
}

// A directory a store may be created in: empty but for the lock file its
// creator takes.
bool may_become_store(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != ".lock") return false;
  return true;
}

}  // namespace

// Any failure here is configuration that cannot be used: config_error, cause kept.
file_store::file_store(std::filesystem::path dir) try : dir_(std::move(dir)) {
  detail::ensure_sodium();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw std::system_error(ec, "cannot create store directory " + dir_.string());
  {
    // One creator at a time, so two processes starting on a new directory
    // agree on one store id.
    detail::file_lock lock(dir_ / ".lock");
    if (auto m = read(dir_ / marker_name, max_marker_bytes)) {
      store_id_ = m->data;
    } else {
      if (!may_become_store(dir_))
        throw config_error(dir_.string() + " is not empty and not a cookieseal store");
      store_id_ = new_store_id();
      write_atomic(dir_ / marker_name, store_id_);
    }
    // The secret subjects are hashed with: made once, kept with the store.
    if (auto k = read(dir_ / subject_key_name, 2 * subject_secret_bytes + 1)) {
      std::size_t got = 0;
      const bool ok = sodium_hex2bin(subject_secret_.data(), subject_secret_.size(), k->data.data(),
                                     k->data.size(), "\n", &got, nullptr) == 0 &&
                      got == subject_secret_.size();
      sodium_memzero(k->data.data(), k->data.size());
      if (!ok) throw config_error((dir_ / subject_key_name).string() + " is damaged");
    } else {
      random_fill(std::as_writable_bytes(std::span(subject_secret_)));
      std::string text = hex_of(std::as_bytes(std::span(subject_secret_))) + "\n";
      write_atomic(dir_ / subject_key_name, text);
      sodium_memzero(text.data(), text.size());
    }
  }
  for (const auto& sub : {dir_ / "e", dir_ / "r" / "s", dir_ / "r" / "k"}) {
    fs::create_directories(sub, ec);
    if (ec) throw std::system_error(ec, "cannot create store directory " + sub.string());
  }
  ::chmod(dir_.c_str(), 0700);
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot stat " + dir_.string());
  dev_ = static_cast<unsigned long long>(st.st_dev);
  ino_ = static_cast<unsigned long long>(st.st_ino);
} catch (const std::system_error& e) {
  throw config_error(e.what());
}

result<void> file_store::check_identity() {
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    report(dir_.string() + ": the store directory is missing (moved or removed?)");
    return errc::store_unavailable;
  }
  const auto dev = static_cast<unsigned long long>(st.st_dev);
  const auto ino = static_cast<unsigned long long>(st.st_ino);
  {
    std::lock_guard lock(identity_mutex_);
    if (dev == dev_ && ino == ino_) return {};
  }
  // Another directory at the path: this store only if it carries our id (a restore).
  try {
    auto m = read(dir_ / marker_name, max_marker_bytes);
    if (!m || m->data != store_id_) {
      report(dir_.string() + ": another directory is at the store's path (moved or replaced?)");
      return errc::store_unavailable;
    }
  } catch (const std::exception& e) {
    report(e.what());
    return errc::store_unavailable;
  }
  std::lock_guard lock(identity_mutex_);
  dev_ = dev;
  ino_ = ino;
  return {};
}

fs::path file_store::entry_path(const entry_id& id) const {
  const std::string h = hex_of(id);
  return dir_ / "e" / h.substr(0, 2) / h;
}

fs::path file_store::session_path(const session_id& id) const {
  return dir_ / "r" / "s" / hex_of(id);
}

file_store::~file_store() { sodium_memzero(subject_secret_.data(), subject_secret_.size()); }

fs::path file_store::subject_path(std::string_view subject) const {
  return dir_ / "r" / "k" / subject_hash_hex(subject, subject_secret_);
}

result<void> file_store::put(const entry_id& id, std::span<const std::byte> sealed,
                             std::optional<time_point> expires) {
  if (sealed.size() > max_entry_bytes) return errc::too_large;
  return guarded(
      [&]() -> result<void> {
        if (auto ok = check_identity(); !ok) return ok.error();
        std::string data = header(entry_magic, unix_seconds_or_never(expires));
        data.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
        write_atomic(entry_path(id), data);
        return {};
      },
      [this](const char* why) { report(why); });
}

result<std::optional<std::vector<std::byte>>> file_store::get(const entry_id& id, time_point now) {
  return guarded(
      [&]() -> result<std::optional<std::vector<std::byte>>> {
        if (auto ok = check_identity(); !ok) return ok.error();
        auto c = read(entry_path(id), max_entry_bytes + header_bytes);
        if (!c) return std::optional<std::vector<std::byte>>{};
        if (c->data.size() < header_bytes || std::memcmp(c->data.data(), entry_magic, 4) != 0) {
          report(entry_path(id).string() + ": not an entry this store wrote");
          return errc::store_unavailable;
        }
        if (unix_expiry_passed(read_be64(c->data.data() + 4), now))
          return std::optional<std::vector<std::byte>>{};
        const auto* p = reinterpret_cast<const std::byte*>(c->data.data()) + header_bytes;
        return std::optional(std::vector<std::byte>(p, p + (c->data.size() - header_bytes)));
      },
      [this](const char* why) { report(why); });
}

result<void> file_store::erase(const entry_id& id) {
  return guarded(
      [&]() -> result<void> {
        if (auto ok = check_identity(); !ok) return ok.error();
        detail::file_lock lock(dir_ / ".entries.lock");  // not between expire_by's read and write
        if (::unlink(entry_path(id).c_str()) != 0 && errno != ENOENT)
          throw std::system_error(errno, std::generic_category(),
                                  "cannot remove " + entry_path(id).string());
        return {};
      },
      [this](const char* why) { report(why); });
}

result<void> file_store::expire_by(const entry_id& id, time_point expires) {
  return guarded(
      [&]() -> result<void> {
        if (auto ok = check_identity(); !ok) return ok.error();
        // Read-modify-write under the lock erase takes: an erase in between would
        // otherwise be undone by the rename, bringing a destroyed entry back.
        detail::file_lock lock(dir_ / ".entries.lock");
        const fs::path file = entry_path(id);
        auto c = read(file, max_entry_bytes + header_bytes);
        if (!c || c->data.size() < header_bytes) return {};
        if (read_be64(c->data.data() + 4) <= unix_seconds_or_never(expires)) return {};
        std::string data = header(entry_magic, unix_seconds_or_never(expires));
        data.append(c->data, header_bytes);
        write_atomic(file, data);
        return {};
      },
      [this](const char* why) { report(why); });
}

result<std::uint64_t> file_store::collect_garbage(time_point now) {
  return guarded(
      [&]() -> result<std::uint64_t> {
        if (auto ok = check_identity(); !ok) return ok.error();
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
              remove = whole && unix_expiry_passed(read_be64(h + 4), now);
            }
            if (remove && ::unlink(p.c_str()) == 0) ++removed;
          }
          if (ec && ec != std::errc::no_such_file_or_directory)
            throw std::system_error(ec, "cannot list " + sub.string());
        }
        return removed;
      },
      [this](const char* why) { report(why); });
}

result<store_stats> file_store::stats() {
  return guarded(
      [&]() -> result<store_stats> {
        if (auto ok = check_identity(); !ok) return ok.error();
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
          if (e != unix_never) {
            const time_point t{std::chrono::seconds(static_cast<std::int64_t>(e))};
            if (!s.oldest_expiry || t < *s.oldest_expiry) s.oldest_expiry = t;
          }
        }
        if (ec) throw std::system_error(ec, "cannot list " + (dir_ / "e").string());
        for (auto it = fs::recursive_directory_iterator(dir_ / "r", ec); !ec && it != fs::end(it);
             it.increment(ec))
          if (it->is_regular_file(ec) && is_record(it->path())) ++s.revocations;
        if (ec) throw std::system_error(ec, "cannot list " + (dir_ / "r").string());
        return s;
      },
      [this](const char* why) { report(why); });
}

result<void> file_store::revoke_session(const session_id& id, time_point until) {
  return guarded(
      [&]() -> result<void> {
        if (auto ok = check_identity(); !ok) return ok.error();
        write_atomic(session_path(id), header(revocation_magic, unix_seconds_or_never(until)));
        return {};
      },
      [this](const char* why) { report(why); });
}

result<void> file_store::revoke_subject(std::string_view subject, time_point before,
                                        time_point until) {
  return guarded(
      [&]() -> result<void> {
        if (auto ok = check_identity(); !ok) return ok.error();
        // Read-modify-write under a lock, so the latest "before" and "until" win.
        detail::file_lock lock(dir_ / "r" / ".lock");
        const fs::path file = subject_path(subject);
        std::uint64_t u = unix_seconds_or_never(until);
        detail::subject_cutoff cut;
        if (auto c = read(file, 64); c && c->data.size() >= header_bytes + 8) {
          u = std::max(u, read_be64(c->data.data() + 4));
          cut = cutoff_of(c->data);
        }
        cut = cut.after_call(unix_seconds_or_never(before));
        std::string data = header(revocation_magic, u);
        append_be64(data, cut.before);
        append_be64(data, cut.asked);
        write_atomic(file, data);
        return {};
      },
      [this](const char* why) { report(why); });
}

result<std::optional<time_point>> file_store::fresh_created_at(const session_id& id,
                                                               std::string_view subject,
                                                               time_point created, time_point now) {
  return guarded(
      [&]() -> result<std::optional<time_point>> {
        if (auto ok = check_identity(); !ok) return ok.error();
        if (auto c = read(session_path(id), 64);
            c && c->data.size() >= header_bytes &&
            !unix_expiry_passed(read_be64(c->data.data() + 4), now))
          return std::optional<time_point>();
        const std::uint64_t at = unix_seconds_or_never(created);
        auto c = read(subject_path(subject), 64);
        if (!c || c->data.size() < header_bytes + 8 ||
            unix_expiry_passed(read_be64(c->data.data() + 4), now))
          return std::optional(created);
        const auto moved = cutoff_of(c->data).created_at_for(at);
        if (!moved) return std::optional<time_point>();
        return std::optional(detail::from_unix_seconds(*moved));
      },
      [this](const char* why) { report(why); });
}

result<bool> file_store::is_revoked(const session_id& id, std::string_view subject,
                                    time_point created_at, time_point now) {
  return guarded(
      [&]() -> result<bool> {
        if (auto ok = check_identity(); !ok) return ok.error();
        if (auto c = read(session_path(id), 64);
            c && c->data.size() >= header_bytes &&
            !unix_expiry_passed(read_be64(c->data.data() + 4), now))
          return true;
        if (subject.empty()) return false;
        auto subject_revoked = [&](const fs::path& file) {
          auto c = read(file, 64);
          return c && c->data.size() >= header_bytes + 8 &&
                 !unix_expiry_passed(read_be64(c->data.data() + 4), now) &&
                 unix_seconds_or_never(created_at) < read_be64(c->data.data() + header_bytes);
        };
        return subject_revoked(subject_path(subject));
      },
      [this](const char* why) { report(why); });
}

}  // namespace cookieseal
