#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The instance examples agree with each other and with the unit's devices.

For every instance the examples describe: its command line names each UIO
device once with --uio, by a name the udev rule links (kcs*), each --uio
followed by the channels it serves, and --chip once; its drop-in makes the
service wait for, bind to and open exactly those devices (one BindsTo=,
After= and DeviceAllow= entry per device, through the /dev/kcs/<name> links
of 60-kcs-uio.rules) and sets nothing else.
"""

import argparse
import os
import re
import sys

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unit_examples  # noqa: E402
from common import Failure, run_test  # noqa: E402

# The udev rule links ATTR{name}=="kcs*" to /dev/kcs/<name>; the unit names
# the device unit after that link, so the name must not need escaping.
UIO_NAME = re.compile(r"kcs[A-Za-z0-9_]*")


def check_args(example, args):
    if args.count("--chip") != 1:
        raise Failure("%s: --chip given %d times, expected once" % (example.name, args.count("--chip")))
    devices = unit_examples.uio_names(args)
    if not devices:
        raise Failure("%s: no --uio: the unit passes none, the command line must" % example.name)
    if len(set(devices)) != len(devices):
        raise Failure("%s: a device is given twice: %s" % (example.name, devices))
    for name in devices:
        if not UIO_NAME.fullmatch(name):
            raise Failure("%s: --uio %s: the udev rule only links kcs* names" % (example.name, name))
    channels = {}
    device = None
    for i, a in enumerate(args):
        if a == "--uio":
            device = args[i + 1]
            channels[device] = 0
        elif a == "--channel":
            if device is None:
                raise Failure("%s: --channel before the first --uio" % example.name)
            channels[device] += 1
    for name, n in channels.items():
        if n == 0:
            raise Failure("%s: --uio %s serves no --channel" % (example.name, name))
    return devices


def check_dropin(dropin, instance, devices):
    settings = unit_examples.dropin_settings(dropin)
    want = {
        ("Unit", "BindsTo"): sorted("dev-kcs-%s.device" % d for d in devices),
        ("Unit", "After"): sorted("dev-kcs-%s.device" % d for d in devices),
        ("Service", "DeviceAllow"): sorted("/dev/kcs/%s rw" % d for d in devices),
    }
    for key in sorted(set(settings) | set(want)):
        if key not in want:
            raise Failure("%s: sets %s=, a devices drop-in should only name devices"
                          % (dropin.name, key[1]))
        got = settings.get(key, [])
        if key[1] != "DeviceAllow":
            got = [w for v in got for w in v.split()]
        if sorted(got) != want[key]:
            raise Failure("%s: [%s] %s= names %s, but kcs-uiod@%s serves %s"
                          % (dropin.name, key[0], key[1], sorted(got), instance, devices))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("examples", nargs="+")
    args = ap.parse_args()

    instances = unit_examples.load(args.examples)
    for instance, files in sorted(instances.items()):
        for env in files["env"]:
            devices = check_args(env, unit_examples.env_args(env))
            check_dropin(files["dropin"], instance, devices)
            print("ok kcs-uiod@%s: %s and %s agree on %s"
                  % (instance, env.name, files["dropin"].name, ", ".join(devices)))
    return 0


if __name__ == "__main__":
    run_test(main)
