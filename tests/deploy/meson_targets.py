# SPDX-License-Identifier: Apache-2.0
"""What the build directory says about the daemon target (meson-info)."""

import json
import os

DAEMON_TARGET_NAMES = ("kcs-uiod", "kcs_uiod")


def daemon_target(builddir):
    """The introspection record of the kcs-uiod executable, or None when the
    build defines no such target (daemon disabled, or not written yet)."""
    path = os.path.join(builddir, "meson-info", "intro-targets.json")
    with open(path) as f:
        targets = json.load(f)
    for t in targets:
        if t.get("type") == "executable" and t.get("name") in DAEMON_TARGET_NAMES:
            return t
    return None
