// Starts a real redis-server on 127.0.0.1 (a free port) with a temp directory,
// for the Redis tests; stops it at the end. COOKIESEAL_REDIS_SERVER names the binary.
#pragma once

#include "temp_dir.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace test {

/// What a store's diagnostic function hears, from any thread (at most @p cap
/// messages): store->set_diagnostic(heard.listener()).
class heard_messages {
 public:
  explicit heard_messages(std::size_t cap = 2000) : cap_(cap) {}
  auto listener() {
    return [this](std::string_view m) {
      std::lock_guard lock(mutex_);
      if (said_.size() < cap_) said_.emplace_back(m);
    };
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return said_;
  }
  std::size_t containing(std::string_view part) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& m : said_)
      if (m.find(part) != std::string::npos) ++n;
    return n;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    said_.clear();
  }

 private:
  std::size_t cap_;
  mutable std::mutex mutex_;
  std::vector<std::string> said_;
};

class redis_server {
 public:
  explicit redis_server(std::vector<std::string> extra_args = {})
      : extra_(std::move(extra_args)), port_(free_port()) {
    start();
  }
  /**
   * A process on a fixed @p port: a redis-server, or with @p program_env
   * "COOKIESEAL_REDIS_SENTINEL" and a @p config (written to the temp dir,
   * which the process may rewrite, as Sentinel does) a sentinel.
   */
  redis_server(int port, std::vector<std::string> extra_args,
               std::string program_env = "COOKIESEAL_REDIS_SERVER", std::string config = "")
      : extra_(std::move(extra_args)),
        port_(port),
        program_env_(std::move(program_env)),
        config_(std::move(config)) {
    start();
  }
  ~redis_server() { stop(); }
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::string socket_path() const { return (dir_ / "redis.sock").string(); }

  void start() {
    const char* bin = std::getenv(program_env_.c_str());
    if (bin == nullptr) throw std::runtime_error(program_env_ + " is not set");
    std::vector<std::string> args = {bin};
    if (!config_.empty()) {
      const auto conf = dir_ / "redis.conf";
      if (!std::filesystem::exists(conf)) {  // a restart keeps what the process rewrote
        std::ofstream(conf) << config_;
      }
      args.push_back(conf.string());
    }
    args.insert(args.end(), {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir",
                             dir_.path().string(), "--save", "", "--appendonly", "no",
                             "--daemonize", "no", "--unixsocket", socket_path(), "--unixsocketperm",
                             "700", "--loglevel", "warning"});
    args.insert(args.end(), extra_.begin(), extra_.end());
    // Everything the child needs is made before fork(): a test forks while its
    // threads run (a restart mid-traffic), and in the child of a threaded
    // process only async-signal-safe calls are safe (an allocation may wait
    // forever on a lock another thread held at the fork).
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log_path = (dir_ / "log").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Its chatter goes to DIR/log, not into the test's output.
      const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (log >= 0) ::dup2(log, 1), ::dup2(log, 2);
      ::execv(bin, argv.data());
      ::_exit(127);
    }
    // Ready when it accepts a connection.
    for (int i = 0; i < 200; ++i) {
      timeval tv{0, 100000};
      redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
      const bool up = c != nullptr && c->err == 0;
      if (c) redisFree(c);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    throw std::runtime_error("redis-server did not start");
  }

  /// SIGSTOP: the server keeps its connections but answers nothing.
  void pause() { ::kill(pid_, SIGSTOP); }
  void resume() { ::kill(pid_, SIGCONT); }
  /// SIGKILL: gone at once, as in a crash (start() brings it back on the same port and dir).
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  static int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(s);
      throw std::runtime_error("no free port");
    }
    ::close(s);
    return ntohs(a.sin_port);
  }

  temp_dir dir_;
  std::vector<std::string> extra_;
  int port_;
  std::string program_env_ = "COOKIESEAL_REDIS_SERVER";
  std::string config_;
  pid_t pid_ = -1;
};

}  // namespace test
