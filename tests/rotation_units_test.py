#!/usr/bin/env python3
"""The rotation timer's service does what the ops guide says: its ExecStart
lines, run as systemd would run them (%f the keyring path, $COOKIESEAL_ROTATE_OPTS
split into words), rotate and then prune the keyring; the timer is a weekly,
persistent one for the same instance. (scripts/debian-check.sh checks the
installed units with systemd-analyze verify, and that they are not enabled.)

Usage: rotation_units_test.py SERVICE TIMER CLI
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile


EXPIRED, ACTIVE = "0badc0de", "51d0e7aa"
KEY_A = "ZXhhbXBsZSBrZXksIG5ldmVyIHVzZSBpdCEgMDEyMzQ"   # 32 bytes, base64url
KEY_B = "YW5vdGhlciBleGFtcGxlIGtleSwgbm90IGZvciB1c2U"


def unit_lines(path):
    """(section, key, value) for every assignment of a unit file."""
    section, out = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            out.append((section, key, value))
    return out


def exec_argv(value, keyring, rotate_opts, cli):
    """systemd's expansion of one ExecStart= line, with the installed CLI replaced by the built one."""
    words = []
    for w in shlex.split(value):
        if w == "$COOKIESEAL_ROTATE_OPTS":
            words += rotate_opts.split()
        else:
            words.append(w.replace("%f", keyring))
    assert os.path.basename(words[0]) == "cookieseal", words
    return [cli] + words[1:]


def keys(cli, keyring):
    out = subprocess.run([cli, "keyring", "list", keyring, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["keys"]


def fail(msg):
    sys.exit("FAIL: " + msg)


def main(service, timer, cli):
    svc = unit_lines(service)
    execs = [v for s, k, v in svc if s == "Service" and k == "ExecStart"]
    if [shlex.split(e)[1:3] for e in execs] != [["keyring", "rotate"], ["keyring", "prune"]]:
        fail(f"ExecStart lines are {execs}, want keyring rotate then keyring prune")
    if ("Service", "Type", "oneshot") not in svc:
        fail("the service must be Type=oneshot (several ExecStart lines, run to completion)")
    default_opts = next((v.partition("=")[2] for s, k, v in svc
                         if k == "Environment" and v.startswith("COOKIESEAL_ROTATE_OPTS=")), None)
    if default_opts != "":
        fail("COOKIESEAL_ROTATE_OPTS must default to empty (the CLI's defaults)")

    with tempfile.TemporaryDirectory() as tmp:
        keyring = os.path.join(tmp, "keyring")
        # One key long expired (prune's work) and one active (docs/KEYRING.md's format).
        fd = os.open(keyring, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("cookieseal-keyring 1\n"
                    f"key {EXPIRED} 2020-01-01T00:00:00Z 2020-01-01T00:00:00Z 2020-02-01T00:00:00Z {KEY_A}\n"
                    f"key {ACTIVE} 2020-01-01T00:00:00Z 2020-01-01T00:00:00Z never {KEY_B}\n")
        # A routine run with the defaults: one pending key added, the expired one pruned.
        for e in execs:
            subprocess.run(exec_argv(e, keyring, default_opts, cli), check=True)
        after = {k["id"]: k["state"] for k in keys(cli, keyring)}
        print("after a routine run:", after)
        new_ids = set(after) - {ACTIVE, EXPIRED}
        if EXPIRED in after or ACTIVE not in after or len(new_ids) != 1 \
                or after[new_ids.pop()] != "pending":
            fail(f"a routine run must add one pending key and prune {EXPIRED}, got {after}")
        # Options from a drop-in reach rotate: --activate-in 0 makes the new key seal at once.
        for e in execs:
            subprocess.run(exec_argv(e, keyring, "--activate-in 0", cli), check=True)
        states = {k["id"]: k["state"] for k in keys(cli, keyring)}
        print("after a run with --activate-in 0:", states)
        added = [states[i] for i in set(states) - set(after)]
        if added != ["active"]:
            fail(f"COOKIESEAL_ROTATE_OPTS must reach keyring rotate, got {states}")

    tim = unit_lines(timer)
    for want in [("Timer", "OnCalendar", "weekly"), ("Timer", "Persistent", "true"),
                 ("Install", "WantedBy", "timers.target")]:
        if want not in tim:
            fail(f"the timer lacks {want[1]}={want[2]}")
    if any(k == "Unit" for s, k, v in tim):
        fail("the timer must start the service of its own instance (no Unit=)")
    print("rotation units: rotate then prune, options from COOKIESEAL_ROTATE_OPTS, weekly timer")


if __name__ == "__main__":
    main(*sys.argv[1:4])
