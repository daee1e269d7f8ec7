#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""systemd-analyze verify on kcs-uiod@.service, as every instance the
examples describe (kcs3, kcs, lpc), each with its devices drop-in.

verify insists that ExecStart's program exists and that the man page named
in Documentation= can be found, so the instances are written to a scratch
directory with ExecStart pointing at the daemon in the build tree and
MANPATH pointing at the man page from docs/. When the build defines no
daemon target, a stand-in executable takes its place and the test says so.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import meson_targets  # noqa: E402
import unit_examples  # noqa: E402
from common import SKIP, run_test, tool_missing  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--systemd-analyze", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--unit", required=True, help="the configured kcs-uiod@.service")
    ap.add_argument("--man", required=True, help="kcs-uiod.8")
    ap.add_argument("examples", nargs="+", help="systemd/*.example")
    args = ap.parse_args()
    instances = unit_examples.load(args.examples)

    if tool_missing(args.systemd_analyze, "systemd-analyze"):
        return SKIP

    with open(args.unit) as f:
        unit = f.read()
    m = re.search(r"^ExecStart=(\S+)", unit, re.M)
    if not m:
        print("FAIL: %s has no ExecStart=" % args.unit)
        return 1
    installed_binary = m.group(1)

    with tempfile.TemporaryDirectory(prefix="kcs-verify-") as tmp:
        target = meson_targets.daemon_target(args.builddir)
        if target:
            binary = target["filename"][0]
            if not os.access(binary, os.X_OK):
                print("FAIL: the daemon target %s is not built at %s" % (target["name"], binary))
                return 1
        else:
            binary = os.path.join(tmp, "kcs-uiod")
            with open(binary, "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(binary, 0o755)
            print("NOTE: the build defines no kcs-uiod target; ExecStart is checked against a stand-in")

        mandir = os.path.join(tmp, "man", "man8")
        os.makedirs(mandir)
        shutil.copy(args.man, mandir)
        unitdir = os.path.join(tmp, "units")
        env = unit_examples.environment(unitdir, MANPATH=os.path.join(tmp, "man"),
                                        SYSTEMD_PAGER="cat")
        runnable = unit.replace("ExecStart=" + installed_binary, "ExecStart=" + binary, 1)

        failed = False
        for instance, files in sorted(instances.items()):
            path = unit_examples.write_instance(unitdir, runnable, instance, files["dropin"])
            p = subprocess.run([args.systemd_analyze, "verify", "--man=yes", path],
                               capture_output=True, text=True, env=env)
            output = (p.stdout + p.stderr).strip()
            # verify also loads the default dependencies from the host, whose
            # own units may draw remarks; only ours (the unit and its
            # drop-in) count.
            ours = [line for line in output.splitlines() if "kcs-uiod" in line]
            if p.returncode != 0 or ours:
                print("FAIL: systemd-analyze verify %s (exit %d):\n%s"
                      % (os.path.basename(path), p.returncode, output))
                failed = True
            else:
                print("ok systemd-analyze verify %s with %s"
                      % (os.path.basename(path), files["dropin"].name))
        return 1 if failed else 0


if __name__ == "__main__":
    run_test(main)
