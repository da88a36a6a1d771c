"""The installed package is typed: it carries py.typed, and mypy --strict (with
the repository's [tool.mypy]: only Django, which ships no types, let in
untyped) finds nothing in any of its modules, the framework adapters included."""
import os
import re
import subprocess
import sys

import cookieseal

PYPROJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                         "pyproject.toml")
PACKAGE = os.path.dirname(os.path.abspath(cookieseal.__file__))


def test_the_installed_package_carries_py_typed():
    assert os.path.isfile(os.path.join(PACKAGE, "py.typed"))


def test_mypy_strict_passes_on_the_installed_package(tmp_path):
    modules = [f for _, _, files in os.walk(PACKAGE) for f in files if f.endswith(".py")]
    # Run outside the source tree, so the installed copy is the one checked.
    p = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--config-file", PYPROJECT,
                        "--cache-dir", str(tmp_path / "cache"), "-p", "cookieseal"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    checked = re.search(r"no issues found in (\d+) source files", out)
    assert checked and int(checked.group(1)) == len(modules), out
