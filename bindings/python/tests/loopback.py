"""Servers for the web framework tests on 127.0.0.1, ports 18000-18199 (or the
range COOKIESEAL_TEST_PORTS names): the Django test site under runserver and the
FastAPI test site under uvicorn."""
import os
import socket
import subprocess
import sys

from conftest import HERE, Server, wait_for


def free_port():
    # COOKIESEAL_TEST_PORTS ("25000-25099") keeps suites run side by side apart.
    first, last = map(int, os.environ.get("COOKIESEAL_TEST_PORTS", "18000-18199").split("-"))
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


class _Server(Server):
    """conftest's Server, given a minute to come up: Django's checks and imports
    take their time on a loaded machine."""

    def __init__(self, args, port, log, env):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.proc = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                     env=env)
        try:
            wait_for(self.base + "/api/state", self.proc, seconds=60)
        except BaseException:
            self.stop()  # never left running
            raise


def _env(**extra):
    # The test sites from here; cookieseal is the installed package (or the one
    # an existing PYTHONPATH names, as django_current.sh does).
    path = os.pathsep.join(p for p in (HERE, os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PYTHONPATH=path,
                **{k: str(v) for k, v in extra.items() if v is not None})


def django_server(keyring, store, tmp_path, servers, cookie=None):
    """django_site under `manage.py runserver` (django -m), its database migrated."""
    env = _env(DJANGO_SETTINGS_MODULE="django_site.settings",
               DJANGO_SITE_DB=tmp_path / "db.sqlite3", DJANGO_SITE_KEYRING=keyring,
               DJANGO_SITE_STORE=store, DJANGO_SITE_COOKIE=cookie)
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True,
                   timeout=120)
    port = free_port()
    s = _Server([sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{port}"],
               port, tmp_path / "django.log", env)
    servers.append(s)
    return s


def uvicorn_server(keyring, store, tmp_path, servers, cookie=None):
    """fastapi_site under uvicorn."""
    env = _env(FASTAPI_SITE_KEYRING=keyring, FASTAPI_SITE_STORE=store,
               FASTAPI_SITE_COOKIE=cookie)
    port = free_port()
    s = _Server([sys.executable, "-m", "uvicorn", "fastapi_site:app", "--host", "127.0.0.1",
                "--port", str(port)], port, tmp_path / "uvicorn.log", env)
    servers.append(s)
    return s
