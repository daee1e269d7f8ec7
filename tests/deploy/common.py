# SPDX-License-Identifier: Apache-2.0
"""How the deployment tests report: "ok ..." lines as they go; "FAIL: ..."
and exit 1 when a check does not hold; "SKIP: ..." and exit 77 (meson's
skip) when a system tool they need is not installed."""

import os
import sys

SKIP = 77


class Failure(Exception):
    """A check did not hold; the message says which and why."""


def tool_missing(path, name, remedy=""):
    """True, after a SKIP line naming the tool, when path is not an
    executable (meson passes /nonexistent for a tool it did not find)."""
    if os.access(path, os.X_OK):
        return False
    print("SKIP: %s not available%s" % (name, " " + remedy if remedy else ""))
    return True


def run_test(main):
    """Exit with main()'s status, or with FAIL and 1 on a Failure."""
    try:
        sys.exit(main())
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
