#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""meson install --destdir puts every deployment file in its standard place,
and the installed pieces agree with each other.

Each --expect KIND:PATH names an absolute install path; KIND says which
standard directory it must be in. The daemon is required in sbin as soon as
the build defines its target (read from meson-info), so this test keeps
passing while the daemon is being written and guards it afterwards.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import meson_targets  # noqa: E402
from common import SKIP, Failure, run_test, tool_missing  # noqa: E402

# Where a distribution looks for each kind of file.
STANDARD_DIR = {
    "daemon": r"/sbin",
    "unit": r"/systemd/system",
    "udev": r"/udev/rules\.d",
    "dbus": r"/dbus-1/system\.d",
    "sysusers": r"/sysusers\.d",
    "man": r"/man/man8",
    "dts": r"/kcs-uio/uio-dts",
    "kernel": r"/kcs-uio/kernel(/modprobe\.d|/modules-load\.d)?",
    "example": r"/doc/kcs-uio/examples",
}


def read(destdir, path):
    with open(destdir + path) as f:
        return f.read()


def unit_setting(unit, key):
    values = re.findall(r"^%s=(.*)$" % re.escape(key), unit, re.M)
    if len(values) != 1:
        raise Failure("the unit sets %s= %d times, expected once" % (key, len(values)))
    return values[0].strip()


def check_consistency(destdir, files, daemon_path, sysconfdir):
    """The unit, udev rule, sysusers file and D-Bus policy name the same
    account, device path and binary."""
    unit = read(destdir, files["unit"][0])
    user, group = unit_setting(unit, "User"), unit_setting(unit, "Group")

    exec_start = unit_setting(unit, "ExecStart").split()
    if exec_start[0] != daemon_path:
        raise Failure("ExecStart runs %s, but the daemon installs as %s" % (exec_start[0], daemon_path))
    if exec_start[1:] != ["$KCS_UIOD_ARGS"]:
        raise Failure("ExecStart must pass the environment file's $KCS_UIOD_ARGS alone, got %s"
                      % " ".join(exec_start[1:]))
    env_file = unit_setting(unit, "EnvironmentFile")
    if env_file != os.path.join(sysconfdir, "kcs-uiod", "%i.conf"):
        raise Failure("EnvironmentFile=%s is not under %s/kcs-uiod" % (env_file, sysconfdir))
    # The devices come from each instance's drop-in (test_unit_examples).
    for key in ("BindsTo", "DeviceAllow"):
        if re.search(r"^%s=" % key, unit, re.M):
            raise Failure("the template sets %s=: an instance's devices belong in its drop-in" % key)
    if unit_setting(unit, "DevicePolicy") != "closed":
        raise Failure("DevicePolicy= must be closed: only the drop-in's devices may be opened")
    # The per-controller lock lives in /run/kcs-uio, shared by every instance.
    if unit_setting(unit, "RuntimeDirectory") != "kcs-uio":
        raise Failure("RuntimeDirectory= must be kcs-uio (the daemon's lock directory)")
    if unit_setting(unit, "RuntimeDirectoryPreserve") != "yes":
        raise Failure("RuntimeDirectoryPreserve= must be yes: the lock directory is shared")

    rule = read(destdir, files["udev"][0])
    for needed in ('SUBSYSTEM=="uio"', 'SYMLINK+="kcs/$attr{name}"',
                   'GROUP="%s"' % group, 'MODE="0660"', 'TAG+="systemd"'):
        if needed not in rule:
            raise Failure("the udev rule lacks %s (the unit expects it)" % needed)

    sysusers = read(destdir, files["sysusers"][0])
    if not re.search(r"^u\s+%s\s" % re.escape(user), sysusers, re.M):
        raise Failure("the sysusers file does not create the unit's user %s" % user)
    if group != user:
        raise Failure("Group=%s: the sysusers 'u' line only creates the group %s" % (group, user))

    policy = ET.fromstring(read(destdir, files["dbus"][0]))
    owners = [p for p in policy.iter("policy")
              if any(a.get("own_prefix") == "xyz.openbmc_project.Ipmi.Channel" for a in p)]
    if [p.get("user") for p in owners] != [user]:
        raise Failure("the D-Bus policy lets %s own the channel names, expected only %s"
                      % ([p.get("user") or p.get("group") or p.get("context") for p in owners], user))
    print("ok unit, udev rule, sysusers and D-Bus policy agree: user %s, /dev/kcs/<name>, %s, "
          "/run/kcs-uio" % (user, daemon_path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--daemon", required=True, help="install path of kcs-uiod")
    ap.add_argument("--sysconfdir", required=True)
    ap.add_argument("--expect", action="append", default=[], metavar="KIND:PATH")
    args = ap.parse_args()

    if tool_missing(args.meson, "meson", "to run meson install"):
        return SKIP

    files = {}
    for item in args.expect:
        kind, _, path = item.partition(":")
        if kind not in STANDARD_DIR or not os.path.isabs(path):
            raise Failure("bad --expect %s" % item)
        files.setdefault(kind, []).append(path)

    target = meson_targets.daemon_target(args.builddir)
    if target:
        files["daemon"] = [args.daemon]
        installed = target.get("install_filename") or []
        if target.get("installed") is not True or args.daemon not in installed:
            raise Failure("the %s target installs to %s, expected %s"
                          % (target["name"], installed, args.daemon))
    else:
        print("NOTE: the build defines no kcs-uiod target yet; not checking the binary")

    for kind, paths in sorted(files.items()):
        for path in paths:
            if not re.search(STANDARD_DIR[kind] + "$", os.path.dirname(path)):
                raise Failure("%s file %s is not in a .../%s directory"
                              % (kind, path, STANDARD_DIR[kind].replace("\\", "")))

    with tempfile.TemporaryDirectory(prefix="kcs-install-") as destdir:
        p = subprocess.run([args.meson, "install", "-C", args.builddir, "--no-rebuild",
                            "--quiet", "--destdir", destdir],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure("meson install failed (exit %d):\n%s%s" % (p.returncode, p.stdout, p.stderr))

        missing = []
        for kind, paths in sorted(files.items()):
            for path in paths:
                if not os.path.isfile(destdir + path):
                    missing.append("%s %s" % (kind, path))
                else:
                    print("ok %-8s %s" % (kind, path))
        if missing:
            raise Failure("not installed:\n  " + "\n  ".join(missing))
        if "daemon" in files and not os.access(destdir + args.daemon, os.X_OK):
            raise Failure("%s is installed but not executable" % args.daemon)

        check_consistency(destdir, files, args.daemon, args.sysconfdir)
    return 0


if __name__ == "__main__":
    run_test(main)
