#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""systemd-sysusers accepts the kcs-uio sysusers file and, run against an
empty root, creates the service's user and group with no login shell."""

import argparse
import os
import subprocess
import sys
import tempfile

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SKIP, tool_missing  # noqa: E402


def entries(path):
    with open(path) as f:
        return {line.split(":")[0]: line.rstrip("\n").split(":") for line in f if ":" in line}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--systemd-sysusers", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("sysusers_file")
    args = ap.parse_args()

    if tool_missing(args.systemd_sysusers, "systemd-sysusers"):
        return SKIP

    with tempfile.TemporaryDirectory(prefix="kcs-sysusers-") as root:
        os.makedirs(os.path.join(root, "etc"))
        p = subprocess.run([args.systemd_sysusers, "--root", root, args.sysusers_file],
                           capture_output=True, text=True)
        # It reports what it creates on stderr; anything else is a complaint.
        remarks = [line for line in p.stderr.splitlines() if not line.startswith("Creating ")]
        if p.returncode != 0 or remarks:
            print("FAIL: systemd-sysusers %s (exit %d):\n%s"
                  % (args.sysusers_file, p.returncode, p.stderr))
            return 1
        users = entries(os.path.join(root, "etc", "passwd"))
        groups = entries(os.path.join(root, "etc", "group"))

    if args.user not in users or args.user not in groups:
        print("FAIL: no user/group %s after systemd-sysusers (users %s, groups %s)"
              % (args.user, sorted(users), sorted(groups)))
        return 1
    _, _, uid, gid, _, _, shell = users[args.user]
    if groups[args.user][2] != gid:
        print("FAIL: %s's primary group is %s, not the group %s (%s)"
              % (args.user, gid, args.user, groups[args.user][2]))
        return 1
    if not shell.endswith("nologin"):
        print("FAIL: %s has the login shell %s" % (args.user, shell))
        return 1
    if int(uid) >= 1000:
        print("FAIL: %s got uid %s, outside the system range" % (args.user, uid))
        return 1
    print("ok systemd-sysusers creates system user %s (uid %s, group %s, shell %s)"
          % (args.user, uid, gid, shell))
    return 0


if __name__ == "__main__":
    sys.exit(main())
