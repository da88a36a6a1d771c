#!/usr/bin/env python3
"""Build only what you use: the README's install line and a meson subproject
configure the libraries and the CLI alone, with no test, example or fuzzer.

Configures only (meson setup, then meson introspect): nothing is compiled.
Usage: build_selection_test.py SOURCE_DIR CASE
"""
import json
import os
import subprocess
import sys
import tempfile

# What an installed cookieseal is: the two libraries, the CLI and its helper.
WANTED = {
    ("cookieseal", "shared library"),
    ("cookieseal-c", "shared library"),
    ("cookieseal", "executable"),
    ("cookieseal_cli_support", "static library"),
}


def setup(source, build, *options):
    # cwd: meson's cmake probe (cmake --system-information) writes into the
    # working directory, which two tests run in parallel must not share.
    r = subprocess.run(["meson", "setup", build, source, *options],
                       capture_output=True, text=True, cwd=os.path.dirname(build))
    if r.returncode != 0:
        sys.exit(f"FAIL: meson setup {' '.join(options)}:\n{r.stdout}{r.stderr}")


def introspect(build, what):
    out = subprocess.run(["meson", "introspect", build, what], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def check_only_wanted(build, subproject=None):
    targets = {(t["name"], t["type"]) for t in introspect(build, "--targets")
               if t.get("subproject") == subproject}
    tests = [t["name"] for t in introspect(build, "--tests")]
    extra, missing = targets - WANTED, WANTED - targets
    print(f"targets: {sorted(targets)}\ntests: {tests}")
    if extra or missing or tests:
        sys.exit(f"FAIL: extra targets {sorted(extra)}, missing {sorted(missing)}, tests {tests}")


def install_line(source, tmp):
    # README, "Install", from source.
    build = os.path.join(tmp, "build")
    setup(source, build, "-Dtests=false", "-Dexamples=disabled")
    check_only_wanted(build)


def subproject(source, tmp):
    parent = os.path.join(tmp, "parent")
    os.makedirs(os.path.join(parent, "subprojects"))
    os.symlink(source, os.path.join(parent, "subprojects", "cookieseal"))
    with open(os.path.join(parent, "meson.build"), "w") as f:
        f.write("project('parent', 'cpp', default_options: ['cpp_std=c++20'])\n"
                "executable('app', 'app.cpp', dependencies: dependency('cookieseal'))\n")
    with open(os.path.join(parent, "app.cpp"), "w") as f:
        f.write("#include <cookieseal/codec.hpp>\nint main() {}\n")
    build = os.path.join(tmp, "build")
    setup(parent, build)   # every option at its default
    check_only_wanted(build, subproject="cookieseal")


if __name__ == "__main__":
    source, case = os.path.abspath(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        {"install_line": install_line, "subproject": subproject}[case](source, tmp)
    print(f"{case}: only the libraries and the CLI are configured")
