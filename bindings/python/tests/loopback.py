"""Servers for the web framework tests: a free port in 18000-18199 on 127.0.0.1."""
import socket


def free_port(first=18000, last=18199):
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")
