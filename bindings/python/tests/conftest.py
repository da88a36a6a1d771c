"""Shared fixtures: a fresh keyring file (mode 0600) and store directory per test,
and the paths of the build's binaries (set by scripts/test.sh)."""
import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# The cookieseal package is the installed one (scripts/test.sh pip-installs this
# repository into a venv), never the source tree.


def keyring_text(key=None, key_id="9f3a01c2"):
    key = key or os.urandom(32)
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    b64 = base64.urlsafe_b64encode(key).decode().rstrip("=")
    return f"cookieseal-keyring 1\nkey {key_id} {when} {when} never {b64}\n"


@pytest.fixture
def keyring(tmp_path):
    path = tmp_path / "keyring"
    path.write_text(keyring_text())
    path.chmod(0o600)
    return path


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


_SESSION_OPTIONS = ("name", "purpose", "path", "domain", "secure", "http_only", "same_site",
                    "partitioned", "browser_session")


def manager(keyring=None, **options):
    """A SessionManager on a fresh Codec, the options split between the two."""
    import cookieseal
    session_options = {k: options.pop(k) for k in _SESSION_OPTIONS if k in options}
    return cookieseal.SessionManager(cookieseal.Codec(keyring, **options), **session_options)


def binary(env):
    path = os.environ.get(env)
    if not path:
        pytest.fail(f"{env} is not set: run the suite through scripts/test.sh")
    return path


def cli(*args, check=True):
    """The cookieseal CLI (COOKIESEAL_CLI): its stdout, asserting success; with
    check=False the finished process, whatever its exit code."""
    out = subprocess.run([binary("COOKIESEAL_CLI"), *args], capture_output=True, text=True,
                         timeout=30)
    if not check:
        return out
    assert out.returncode == 0, out.stderr
    return out.stdout


def opens_at(keyring, name, cookie, when):
    """The CLI's exit code for opening @cookie (of cookie name @name) as if the
    clock said @when (Unix seconds): 0 opened, 14 expired (the library's clock
    hook, with its default policy and leeway of 60 s)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
    return cli("open", "--keyring", str(keyring), "--name", name, "--now", stamp, cookie,
               check=False).returncode


def unix(stamp):
    """Unix seconds of the library's "2026-11-22T03:00:05Z"."""
    import calendar
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def sleep_past(deadline):
    """Sleeps until the library's clock (whole seconds) has passed @deadline
    (Unix seconds) with no leeway: a cookie expiring then is refused. A deadline
    more than 10 s away is a failure (a lifetime that was not sealed)."""
    wait = deadline + 1.05 - time.time()
    assert wait < 10, f"the deadline is {wait:.0f} s away"
    time.sleep(max(0.0, wait))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, proc, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


class Server:
    """A server process on 127.0.0.1, stopped at the end of the test."""

    def __init__(self, args, port, log, env=None):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.proc = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                     env=env)
        wait_for(self.base + "/api/state", self.proc)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def servers():
    started = []
    yield started
    for s in started:
        s.stop()


def flask_server(keyring, store, log, servers):
    port = free_port()
    env = dict(os.environ)
    app = os.path.join(HERE, "..", "..", "..", "examples", "flask_app.py")
    s = Server([sys.executable, app, "--keyring", str(keyring), "--store", str(store),
                "--port", str(port)], port, log, env)
    servers.append(s)
    return s


def shop_server(state, store, log, servers):
    port = free_port()
    s = Server([binary("COOKIESEAL_SHOP"), "--port", str(port), "--state", str(state),
                "--store", str(store)], port, log)
    servers.append(s)
    return s


REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def build_dir():
    """The build tree scripts/test.sh tests (COOKIESEAL_BUILD, else the CLI's)."""
    build = os.environ.get("COOKIESEAL_BUILD") or os.path.dirname(
        os.path.dirname(binary("COOKIESEAL_CLI")))
    return os.path.abspath(build)


@pytest.fixture(scope="session")
def go_shop(tmp_path_factory):
    """The Go example server (examples/go_app/cmd/go-shop), built once per test
    session against the build tree's libcookieseal-c as bindings/go/env.sh sets
    it up. No Go toolchain is a failure: the interop tests need it."""
    go = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if go is None:
        pytest.fail("go is not installed (scripts/deps.sh --e2e installs it): the Go server "
                    "joins the interop tests")
    build = build_dir()
    out = tmp_path_factory.mktemp("go") / "go-shop"
    env = dict(os.environ, PKG_CONFIG_PATH=os.pathsep.join(
        p for p in (os.path.join(build, "meson-uninstalled"), os.environ.get("PKG_CONFIG_PATH"))
        if p), CGO_LDFLAGS=f"-Wl,-rpath,{build}/lib", GOCACHE=os.path.join(build, "go-cache"),
               GOFLAGS="-mod=readonly")
    done = subprocess.run([go, "build", "-o", str(out), "./cmd/go-shop"],
                          cwd=os.path.join(REPO, "examples", "go_app"), env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"go build of the Go server failed:\n{done.stderr}"
    return str(out)


def go_server(go_shop, keyring, store, log, servers):
    """The Go example server on the keyring file and store the others share."""
    port = free_port()
    s = Server([go_shop, "-keyring", str(keyring), "-store", str(store), "-port", str(port)],
               port, log)
    servers.append(s)
    return s


class Curl:
    """curl with one cookie jar: one browser, whatever server it talks to."""

    def __init__(self, jar):
        self.jar = str(jar)

    def _run(self, *args):
        out = subprocess.run(["curl", "-sS", "-c", self.jar, "-b", self.jar, *args],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def get(self, url):
        return self._run(url)

    def post(self, url, **form):
        args = ["-o", "/dev/null", "-w", "%{http_code}"]
        for k, v in (form or {"x": "1"}).items():
            args += ["--data-urlencode", f"{k}={v}"]
        return self._run(*args, url)

    def headers(self, url):
        return self._run("-D", "-", "-o", "/dev/null", url)

    def cookie(self, name="__Host-session"):
        for line in open(self.jar):
            f = line.rstrip("\n").split("\t")
            if len(f) == 7 and f[5] == name:
                return f[6]
        return None
