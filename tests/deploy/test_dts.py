#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compile every uio-dts fragment and check what it does to a SoC tree.

Each .dtso must compile on its own with every dtc check on. Each .dtsi is
compiled inside a stand-in of its SoC's .dtsi (tests/deploy/dts), with the
kernel build's dtc warning set, and each overlay is applied to the same
stand-in with fdtoverlay (after a board layer, when the fragment is meant
for boards that enable something the SoC file leaves off). In every
resulting tree:

- each generic-uio node maps one whole, page-aligned 4 KiB page at the
  chip's register block, covering every register of the KCS nodes it takes
  over, and has the expected linux,uio-name;
- an interrupt-owning node has the expected interrupt and no other enabled
  node uses it (uio_pdrv_genirq cannot share); a polled node (the -polled
  fragments) has no interrupt at all;
- the kernel nodes the fragment must switch off are disabled, and the ones
  it must leave alone (lpc-ctrl; for polled nodes also snoop, VUART, iBT,
  BPC) are still enabled.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fdt  # noqa: E402
from common import SKIP, Failure, run_test, tool_missing  # noqa: E402

# dtc flags of a default (W=0) kernel build: the SoC files themselves do not
# pass the checks these switch off.
KERNEL_DTC_FLAGS = [
    "-Wno-unit_address_vs_reg",
    "-Wno-avoid_unnecessary_addr_size",
    "-Wno-alias_paths",
    "-Wno-graph_child_address",
    "-Wno-simple_bus_reg",
    "-Wno-unique_unit_address",
]

ASPEED_LPC = 0x1E789000
NPCM_KCS = 0xF0007000


def ast2600(ch):
    return {
        "chip": "ast2600",
        "uio": {"kcs%d" % ch: (ASPEED_LPC, [0, 137 + ch, 4])},
        "disabled": ["kcs%d" % ch],
        # The other channels and LPC functions have lines of their own.
        "enabled": ["kcs%d" % other for other in (1, 2, 3, 4) if other != ch] + ["lpc_snoop", "ibt"],
    }


# The LPC functions a polled fragment leaves with the kernel.
ASPEED_KEPT = ["ibt", "lpc_snoop", "vuart", "lpc_ctrl"]


EXPECT = {
    "ast2400-kcs-uio": {
        "chip": "ast2400",
        "uio": {"kcs": (ASPEED_LPC, [8])},
        "disabled": ["ibt", "lpc_snoop", "vuart"],
        "enabled": ["lpc_ctrl"],
    },
    "ast2500-kcs-uio": {
        "chip": "ast2500",
        "uio": {"kcs": (ASPEED_LPC, [8])},
        "disabled": ["kcs1", "kcs2", "kcs3", "kcs4", "ibt", "lpc_snoop", "vuart"],
        "enabled": ["lpc_ctrl"],
    },
    "ast2600-kcs1-uio": ast2600(1),
    "ast2600-kcs2-uio": ast2600(2),
    "ast2600-kcs3-uio": ast2600(3),
    "ast2600-kcs4-uio": ast2600(4),
    "npcm7xx-kcs-uio": {
        "chip": "npcm7xx",
        "uio": {"kcs": (NPCM_KCS, [0, 9, 4])},
        "disabled": ["kcs1", "kcs2", "kcs3"],
        "enabled": [],
    },
    # Polled: no interrupt (None), every other LPC function stays enabled.
    "ast2400-kcs-uio-polled": {
        "chip": "ast2400",
        "uio": {"kcs": (ASPEED_LPC, None)},
        "disabled": [],
        "enabled": ASPEED_KEPT,
    },
    "ast2500-kcs-uio-polled": {
        "chip": "ast2500",
        "uio": {"kcs": (ASPEED_LPC, None)},
        "disabled": ["kcs1", "kcs2", "kcs3", "kcs4"],
        "enabled": ASPEED_KEPT,
    },
    "npcm7xx-kcs-uio-polled": {
        "chip": "npcm7xx",
        "board": "npcm7xx-board-bpc.dtsi",
        "uio": {"kcs": (NPCM_KCS, None)},
        "disabled": ["kcs1", "kcs2", "kcs3"],
        "enabled": ["lpc_bpc"],
    },
}

# The udev rule links "kcs*" names to /dev/kcs/<name>, and an instance's
# drop-in binds to dev-kcs-<name>.device: a '-' or '/' in the name would
# break that device unit's name.
UIO_NAME = re.compile(r"kcs[A-Za-z0-9_]*")


def run(cmd, strict):
    """Run a dtc-family command; any output on stderr fails when @strict."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    if strict and p.stderr.strip():
        raise Failure("%s warned:\n%s" % (" ".join(cmd), p.stderr))


def merge(expects):
    out = {"uio": {}, "disabled": [], "enabled": []}
    for e in expects:
        out["uio"].update(e["uio"])
        out["disabled"] += e["disabled"]
        out["enabled"] += e["enabled"]
    # Each label once; what one fragment keeps, another may take over.
    out["enabled"] = [label for label in dict.fromkeys(out["enabled"]) if label not in out["disabled"]]
    return out


def label_node(root, label):
    symbols = next((c for c in root.children if c.name == "__symbols__"), None)
    if symbols is None or label not in symbols.props:
        raise Failure("label '%s' not in the tree's __symbols__" % label)
    path = symbols.string(label)
    for n in root.walk():
        if n.path == path:
            return n
    raise Failure("label '%s' points at %s, which does not exist" % (label, path))


def check_tree(dtb, expect, what):
    root = fdt.load(dtb)
    uio_nodes = [n for n in root.walk()
                 if "generic-uio" in n.strings("compatible") and n.enabled()]
    names = sorted(n.string("linux,uio-name") or "" for n in uio_nodes)
    if names != sorted(expect["uio"]):
        raise Failure("%s: enabled generic-uio nodes named %s, expected %s"
                      % (what, names, sorted(expect["uio"])))

    for node in uio_nodes:
        name = node.string("linux,uio-name")
        page, irq = expect["uio"][name]
        if not UIO_NAME.fullmatch(name):
            raise Failure("%s: %s: linux,uio-name '%s' does not match kcs[A-Za-z0-9_]*"
                          % (what, node.path, name))
        if node.strings("compatible") != ["generic-uio"]:
            raise Failure("%s: %s: compatible %s, expected only generic-uio"
                          % (what, node.path, node.strings("compatible")))
        addr, size = fdt.first_reg(node)
        if addr != page or size != 0x1000:
            raise Failure("%s: %s maps 0x%x+0x%x, expected the page 0x%x+0x1000"
                          % (what, node.path, addr, size, page))
        if irq is None:
            for prop in ("interrupts", "interrupts-extended"):
                if prop in node.props:
                    raise Failure("%s: %s: has %s, but a polled node must have no interrupt"
                                  % (what, node.path, prop))
            continue
        if node.cells("interrupts") != irq:
            raise Failure("%s: %s: interrupts %s, expected %s"
                          % (what, node.path, node.cells("interrupts"), irq))
        controller = fdt.interrupt_parent(root, node)
        if controller is None or "interrupt-controller" not in controller.props:
            raise Failure("%s: %s: no interrupt controller" % (what, node.path))
        for other in root.walk():
            if other is node or not other.enabled() or "interrupts" not in other.props:
                continue
            if (other.cells("interrupts") == irq
                    and fdt.interrupt_parent(root, other) is controller):
                raise Failure("%s: %s is still enabled on interrupt %s, which %s must own alone"
                              % (what, other.path, irq, node.path))

    maps = [fdt.first_reg(n) for n in uio_nodes]
    for label in expect["disabled"]:
        n = label_node(root, label)
        if n.enabled():
            raise Failure("%s: &%s (%s) is still enabled" % (what, label, n.path))
        if not label.startswith("kcs"):
            continue
        # A KCS node taken over: the daemon needs every one of its registers.
        for addr, size in fdt.regs(n):
            if not any(base <= addr and addr + size <= base + length for base, length in maps):
                raise Failure("%s: register 0x%x+0x%x of &%s lies outside every UIO map"
                              % (what, addr, size, label))
    for label in expect["enabled"]:
        n = label_node(root, label)
        if not n.enabled():
            raise Failure("%s: &%s (%s) was disabled but must stay with the kernel"
                          % (what, label, n.path))
    print("ok %s: %s%s" % (what, ", ".join(
        "%s at 0x%x %s" % (n, expect["uio"][n][0],
                           "polled" if expect["uio"][n][1] is None else "irq %s" % expect["uio"][n][1])
        for n in sorted(expect["uio"])),
        "; kept " + ", ".join(expect["enabled"]) if expect["enabled"] else ""))


def wrapper(tmp, name, includes):
    """A .dts that includes the SoC stand-in, the board layer if any, and the
    fragments, in that order."""
    path = os.path.join(tmp, name + ".dts")
    with open(path, "w") as f:
        f.write("/dts-v1/;\n")
        for inc in includes:
            f.write('/include/ "%s"\n' % inc)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtc", required=True)
    ap.add_argument("--fdtoverlay", required=True)
    ap.add_argument("--stubs", required=True, help="directory of <chip>-soc.dtsi stand-ins")
    ap.add_argument("fragments", nargs="+")
    args = ap.parse_args()

    for tool in (args.dtc, args.fdtoverlay):
        if tool_missing(tool, tool, "(install device-tree-compiler)"):
            return SKIP

    by_stem = {}
    for frag in args.fragments:
        stem, ext = os.path.splitext(os.path.basename(frag))
        if stem not in EXPECT:
            raise Failure("%s: no expectations for this fragment in %s" % (frag, __file__))
        by_stem.setdefault(stem, {})[ext] = os.path.abspath(frag)
    for stem, exts in sorted(by_stem.items()):
        if sorted(exts) != [".dtsi", ".dtso"]:
            raise Failure("%s: expected both a .dtsi and a .dtso, got %s" % (stem, sorted(exts)))
    missing = sorted(set(EXPECT) - set(by_stem))
    if missing:
        raise Failure("fragments not given to the test: %s" % ", ".join(missing))

    with tempfile.TemporaryDirectory(prefix="kcs-dts-") as tmp:
        stubs = os.path.abspath(args.stubs)
        # A base tree per SoC stand-in and board layer: (its includes, its dtb).
        bases = {}
        for chip, board in sorted({(e["chip"], e.get("board")) for e in EXPECT.values()},
                                  key=lambda k: (k[0], k[1] or "")):
            layers = [os.path.join(stubs, chip + "-soc.dtsi")]
            if board:
                layers.append(os.path.join(stubs, board))
            name = "base-" + chip + ("-" + os.path.splitext(board)[0] if board else "")
            src = wrapper(tmp, name, layers)
            bases[chip, board] = (layers, os.path.join(tmp, name + ".dtb"))
            run([args.dtc, "-@", *KERNEL_DTC_FLAGS, "-I", "dts", "-O", "dtb",
                 "-o", bases[chip, board][1], src], strict=True)

        for stem, exts in sorted(by_stem.items()):
            expect = EXPECT[stem]
            layers, base = bases[expect["chip"], expect.get("board")]

            # The .dtsi inside the SoC tree, as a board .dts includes it.
            src = wrapper(tmp, stem, layers + [exts[".dtsi"]])
            dtb = os.path.join(tmp, stem + ".dtb")
            run([args.dtc, "-@", *KERNEL_DTC_FLAGS, "-I", "dts", "-O", "dtb", "-o", dtb, src],
                strict=True)
            check_tree(dtb, expect, os.path.basename(exts[".dtsi"]))

            # The overlay on its own (every dtc check), then applied to the SoC.
            dtbo = os.path.join(tmp, stem + ".dtbo")
            run([args.dtc, "-@", "-I", "dts", "-O", "dtb", "-o", dtbo, exts[".dtso"]],
                strict=True)
            merged = os.path.join(tmp, stem + "-merged.dtb")
            run([args.fdtoverlay, "-i", base, "-o", merged, dtbo], strict=True)
            check_tree(merged, expect, os.path.basename(exts[".dtso"]) + " applied")

        # An AST2600 board serving all four channels: the fragments must not
        # collide (labels, node names) when used together.
        stems = ["ast2600-kcs%d-uio" % ch for ch in (1, 2, 3, 4)]
        layers, base = bases["ast2600", None]
        src = wrapper(tmp, "ast2600-all", layers + [by_stem[s][".dtsi"] for s in stems])
        dtb = os.path.join(tmp, "ast2600-all.dtb")
        run([args.dtc, "-@", *KERNEL_DTC_FLAGS, "-I", "dts", "-O", "dtb", "-o", dtb, src],
            strict=True)
        check_tree(dtb, merge(EXPECT[s] for s in stems), "ast2600 kcs1-4 .dtsi together")
        merged = os.path.join(tmp, "ast2600-all-merged.dtb")
        run([args.fdtoverlay, "-i", base, "-o", merged,
             *[os.path.join(tmp, s + ".dtbo") for s in stems]], strict=True)
        check_tree(merged, merge(EXPECT[s] for s in stems), "ast2600 kcs1-4 overlays together")
    return 0


if __name__ == "__main__":
    run_test(main)
