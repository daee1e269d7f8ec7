# SPDX-License-Identifier: Apache-2.0
"""The unit's instance examples (systemd/*.example), read as the unit reads
them.

An instance is two files: <instance>.conf, the environment file holding
the command line (KCS_UIOD_ARGS), and the drop-in
kcs-uiod@<instance>.service.d/devices.conf naming its UIO devices. Each
example says where it is installed ("/etc/kcs-uiod/NAME.conf" or
"kcs-uiod@NAME.service.d/devices.conf"); that line, not the example's file
name, says which instance it belongs to, so the tests check what the reader
is told to do.
"""

import os
import re
import shlex

from common import Failure

ENV_TARGET = re.compile(r"/etc/kcs-uiod/([A-Za-z0-9_]+)\.conf")
DROPIN_TARGET = re.compile(r"kcs-uiod@([A-Za-z0-9_]+)\.service\.d/devices\.conf")


class Example:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        with open(path) as f:
            self.text = f.read()

    def instance(self, pattern):
        found = set(pattern.findall(self.text))
        if len(found) != 1:
            raise Failure("%s: says it installs as %s, expected exactly one instance"
                          % (self.name, sorted(found) or "nothing"))
        return found.pop()


def env_args(example):
    """KCS_UIOD_ARGS of an environment-file example, split as systemd splits
    an unquoted $KCS_UIOD_ARGS: a backslash at the end of a line continues it."""
    text = example.text.replace("\\\n", "")
    values = [line[len("KCS_UIOD_ARGS="):] for line in text.splitlines()
              if line.startswith("KCS_UIOD_ARGS=")]
    if len(values) != 1:
        raise Failure("%s: %d KCS_UIOD_ARGS= lines, expected one" % (example.name, len(values)))
    words = shlex.split(values[0])
    if len(words) != 1:
        raise Failure("%s: KCS_UIOD_ARGS must be one quoted value" % example.name)
    return words[0].split()


def uio_names(args):
    """The devices a command line serves, in order (each --uio's argument)."""
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--uio"]


def dropin_settings(example):
    """{(section, key): [values]} of a drop-in example, list settings split."""
    out = {}
    section = None
    for line in example.text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            section = m.group(1)
            continue
        key, sep, value = line.partition("=")
        if not sep or section is None:
            raise Failure("%s: cannot read line '%s'" % (example.name, line))
        out.setdefault((section, key), []).append(value)
    return out


def load(paths):
    """{instance: {"env": [Example...], "dropin": Example}} for the examples."""
    instances = {}
    for path in paths:
        ex = Example(path)
        if ex.name.endswith("-devices.conf.example"):
            inst = ex.instance(DROPIN_TARGET)
            if "dropin" in instances.setdefault(inst, {"env": []}):
                raise Failure("%s and %s are both the drop-in of kcs-uiod@%s"
                              % (instances[inst]["dropin"].name, ex.name, inst))
            instances[inst]["dropin"] = ex
        elif ex.name.endswith(".conf.example"):
            instances.setdefault(ex.instance(ENV_TARGET), {"env": []})["env"].append(ex)
        else:
            raise Failure("%s: not an instance example (*.conf.example)" % ex.name)
    for inst, files in sorted(instances.items()):
        if "dropin" not in files or not files["env"]:
            raise Failure("instance %s: examples %s lack their %s" % (
                inst, [e.name for e in files["env"]] + ([files["dropin"].name] if "dropin" in files else []),
                "drop-in" if "dropin" not in files else "environment file"))
    return instances


def write_instance(unitdir, unit, instance, dropin):
    """kcs-uiod@<instance>.service (the template's text @unit) and its
    drop-in from the @dropin example, as they are installed, under @unitdir;
    returns the unit's path. systemd-analyze reads the drop-in only when
    @unitdir is on SYSTEMD_UNIT_PATH (see environment())."""
    name = "kcs-uiod@%s.service" % instance
    os.makedirs(os.path.join(unitdir, name + ".d"), exist_ok=True)
    with open(os.path.join(unitdir, name + ".d", "devices.conf"), "w") as f:
        f.write(dropin.text)
    path = os.path.join(unitdir, name)
    with open(path, "w") as f:
        f.write(unit)
    return path


def environment(unitdir, **extra):
    """The environment for systemd-analyze to find units (and drop-ins) in
    @unitdir before the system's own (the trailing ':')."""
    return dict(os.environ, SYSTEMD_UNIT_PATH=unitdir + ":", **extra)
