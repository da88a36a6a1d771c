// A tiny server on 127.0.0.1 that speaks RESP (what hiredis sends: arrays of
// bulk strings) and answers with whatever a test scripts, to play a hostile
// or broken Redis. Each connection has its own thread; the destructor stops all.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace test {

class fake_redis {
 public:
  /// The raw RESP reply to one command, given its words and the number of
  /// the connection it came on (0, 1, ... in accept order).
  using handler = std::function<std::string(const std::vector<std::string>& args, int connection)>;

  explicit fake_redis(handler h) : handler_(std::move(h)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("fake_redis: cannot listen");
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~fake_redis() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : connections_) t.join();
    ::close(listener_);
  }
  fake_redis(const fake_redis&) = delete;
  fake_redis& operator=(const fake_redis&) = delete;

  [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int port() const { return port_; }
  /// Connections accepted so far.
  [[nodiscard]] int connections() const { return accepted_; }

 private:
  // Waits until @p fd is readable or the server stops.
  bool readable(int fd) const {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      const int n = ::poll(&p, 1, 20);
      if (n > 0) return true;
      if (n < 0) return false;
    }
    return false;
  }

  void accept_loop() {
    while (readable(listener_)) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      const int number = accepted_++;
      connections_.emplace_back([this, fd, number] { serve(fd, number); });
    }
  }

  void serve(int fd, int number) {
    std::string in;
    auto fill = [&]() {
      char buf[4096];
      if (!readable(fd)) return false;
      const auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return false;
      in.append(buf, static_cast<std::size_t>(n));
      return true;
    };
    // A line ending in CRLF at @p pos, or nullopt (more input needed).
    auto line = [&](std::size_t& pos) -> std::optional<std::string> {
      const auto end = in.find("\r\n", pos);
      if (end == std::string::npos) return std::nullopt;
      std::string l = in.substr(pos, end - pos);
      pos = end + 2;
      return l;
    };
    while (true) {
      std::size_t pos = 0;
      std::vector<std::string> args;
      bool complete = false;
      if (auto head = line(pos); head && (*head)[0] == '*') {
        const auto n = std::stoul(head->substr(1));
        for (std::size_t i = 0; i < n; ++i) {
          auto len = line(pos);
          if (!len) break;
          const auto size = std::stoul(len->substr(1));
          if (in.size() < pos + size + 2) break;
          args.push_back(in.substr(pos, size));
          pos += size + 2;
        }
        complete = args.size() == n;
      }
      if (!complete) {
        if (!fill()) break;
        continue;
      }
      in.erase(0, pos);
      const std::string reply = handler_(args, number);
      if (reply.empty()) break;  // the scripted server hangs up
      if (::write(fd, reply.data(), reply.size()) != static_cast<ssize_t>(reply.size())) break;
    }
    ::close(fd);
  }

  handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // touched by the acceptor thread only, then joined
};

/// RESP for a bulk string.
inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

}  // namespace test
