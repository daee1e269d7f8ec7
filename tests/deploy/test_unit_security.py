#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""systemd-analyze security --offline=true must rate kcs-uiod@.service at or
below the given exposure (issue 5: 2.0), as every instance the examples
describe, each with its devices drop-in (which adds the device ACL). Prints
every setting that still adds exposure, so the figures in the log explain
themselves."""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unit_examples  # noqa: E402
from common import SKIP, Failure, run_test, tool_missing  # noqa: E402


def rate(analyze, path, env):
    """The overall exposure of the unit at @path, or None (after a SKIP
    line) when this systemd-analyze cannot rate offline."""
    p = subprocess.run([analyze, "security", "--offline=true", "--no-pager", path],
                       capture_output=True, text=True, env=env)
    if "offline" in p.stderr and ("unrecognized" in p.stderr or "Unknown" in p.stderr):
        print("SKIP: this systemd-analyze has no --offline (systemd 250 or later needed)")
        return None
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", p.stdout)
    if not m:
        raise Failure("no overall exposure level in the output (exit %d):\n%s%s"
                      % (p.returncode, p.stdout, p.stderr))
    for line in p.stdout.splitlines():
        if line.startswith("\u2717"):
            print("  exposed: " + " ".join(line[1:].split()))
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--systemd-analyze", required=True)
    ap.add_argument("--unit", required=True, help="the configured kcs-uiod@.service")
    ap.add_argument("--max", type=float, default=2.0)
    ap.add_argument("examples", nargs="+", help="systemd/*.example")
    args = ap.parse_args()

    if tool_missing(args.systemd_analyze, "systemd-analyze"):
        return SKIP

    with open(args.unit) as f:
        unit = f.read()
    instances = unit_examples.load(args.examples)
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="kcs-security-") as tmp:
        env = unit_examples.environment(tmp, SYSTEMD_COLORS="0")
        for instance, files in sorted(instances.items()):
            path = unit_examples.write_instance(tmp, unit, instance, files["dropin"])
            level = rate(args.systemd_analyze, path, env)
            if level is None:
                return SKIP
            print("ok kcs-uiod@%s.service with %s: exposure %.1f"
                  % (instance, files["dropin"].name, level))
            worst = max(worst, level)
    if worst > args.max:
        raise Failure("exposure %.1f is above %.1f" % (worst, args.max))
    print("ok exposure level %.1f at worst (at most %.1f)" % (worst, args.max))
    return 0


if __name__ == "__main__":
    run_test(main)
