#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""systemd-analyze security --offline=true must rate kcs-uiod@.service at or
below the given exposure (issue 5: 2.0). Prints every setting that still
adds exposure, so the figure in the log explains itself."""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SKIP, tool_missing  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--systemd-analyze", required=True)
    ap.add_argument("--unit", required=True, help="the configured kcs-uiod@.service")
    ap.add_argument("--max", type=float, default=2.0)
    args = ap.parse_args()

    if tool_missing(args.systemd_analyze, "systemd-analyze"):
        return SKIP

    with open(args.unit) as f:
        unit = f.read()
    with tempfile.TemporaryDirectory(prefix="kcs-security-") as tmp:
        path = os.path.join(tmp, "kcs-uiod@kcs3.service")
        with open(path, "w") as f:
            f.write(unit)
        p = subprocess.run([args.systemd_analyze, "security", "--offline=true", "--no-pager", path],
                           capture_output=True, text=True,
                           env=dict(os.environ, SYSTEMD_COLORS="0"))
    if "offline" in p.stderr and ("unrecognized" in p.stderr or "Unknown" in p.stderr):
        print("SKIP: this systemd-analyze has no --offline (systemd 250 or later needed)")
        return SKIP

    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", p.stdout)
    if not m:
        print("FAIL: no overall exposure level in the output (exit %d):\n%s%s"
              % (p.returncode, p.stdout, p.stderr))
        return 1
    level = float(m.group(1))
    for line in p.stdout.splitlines():
        if line.startswith("\u2717"):
            print("  exposed: " + " ".join(line[1:].split()))
    if level > args.max:
        print("FAIL: exposure %.1f is above %.1f" % (level, args.max))
        return 1
    print("ok exposure level %.1f (at most %.1f)" % (level, args.max))
    return 0


if __name__ == "__main__":
    sys.exit(main())
