# SPDX-License-Identifier: Apache-2.0
"""Just enough of a flattened device tree (.dtb) reader for the deploy tests.

Reads the structure block into Node objects with raw property values, and
answers the questions the tests ask: a node's status, its interrupt parent,
and the CPU addresses of its reg entries after every parent's ranges.
"""

import struct

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9


class Node:
    def __init__(self, name, parent):
        self.name = name
        self.parent = parent
        self.props = {}
        self.children = []

    @property
    def path(self):
        if self.parent is None:
            return "/"
        parent = self.parent.path
        return (parent if parent != "/" else "") + "/" + self.name

    def cells(self, prop):
        raw = self.props.get(prop)
        if raw is None:
            return None
        return list(struct.unpack(">%dI" % (len(raw) // 4), raw))

    def string(self, prop):
        raw = self.props.get(prop)
        if raw is None:
            return None
        return raw.rstrip(b"\0").decode()

    def strings(self, prop):
        raw = self.props.get(prop)
        if raw is None:
            return []
        return [s.decode() for s in raw.rstrip(b"\0").split(b"\0")]

    def enabled(self):
        status = self.string("status")
        return status is None or status in ("okay", "ok")

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _cstring(blob, off):
    end = blob.index(b"\0", off)
    return blob[off:end].decode(), end + 1


def _align4(off):
    return (off + 3) & ~3


def parse(blob):
    """Parse a .dtb image; return the root Node."""
    magic, _total, off_struct, off_strings = struct.unpack_from(">4I", blob, 0)
    if magic != FDT_MAGIC:
        raise ValueError("not a flattened device tree (bad magic 0x%08x)" % magic)
    off = off_struct
    root = None
    node = None
    while True:
        (token,) = struct.unpack_from(">I", blob, off)
        off += 4
        if token == FDT_BEGIN_NODE:
            name, off = _cstring(blob, off)
            off = _align4(off)
            child = Node(name, node)
            if node is None:
                root = child
            else:
                node.children.append(child)
            node = child
        elif token == FDT_END_NODE:
            node = node.parent
        elif token == FDT_PROP:
            length, nameoff = struct.unpack_from(">2I", blob, off)
            off += 8
            pname, _ = _cstring(blob, off_strings + nameoff)
            node.props[pname] = blob[off:off + length]
            off = _align4(off + length)
        elif token == FDT_NOP:
            continue
        elif token == FDT_END:
            return root
        else:
            raise ValueError("bad structure token %d at offset %d" % (token, off - 4))


def load(path):
    with open(path, "rb") as f:
        return parse(f.read())


def by_phandle(root, phandle):
    for n in root.walk():
        if n.cells("phandle") == [phandle]:
            return n
    return None


def interrupt_parent(root, node):
    """The node's interrupt controller (inherited through its parents)."""
    n = node
    while n is not None:
        ip = n.cells("interrupt-parent")
        if ip:
            return by_phandle(root, ip[0])
        n = n.parent
    return None


def _address_cells(node):
    v = node.cells("#address-cells")
    return v[0] if v else 2


def _size_cells(node):
    v = node.cells("#size-cells")
    return v[0] if v else 1


def _number(cells):
    value = 0
    for c in cells:
        value = (value << 32) | c
    return value


def _translate(node, addr, size):
    """The CPU address of node's bus address @addr (@size bytes), through
    every parent's ranges."""
    child = node.parent
    while child.parent is not None:
        bus = child.parent
        ranges = child.props.get("ranges")
        if ranges is None:
            raise ValueError("%s: no ranges: %s cannot be translated" % (child.path, node.path))
        if len(ranges) == 0:          # empty ranges: identity mapping
            child = bus
            continue
        cac, pac, csc = _address_cells(child), _address_cells(bus), _size_cells(child)
        entries = child.cells("ranges")
        step = cac + pac + csc
        for i in range(0, len(entries), step):
            cbase = _number(entries[i:i + cac])
            pbase = _number(entries[i + cac:i + cac + pac])
            length = _number(entries[i + cac + pac:i + step])
            if cbase <= addr and addr + size <= cbase + length:
                addr = addr - cbase + pbase
                break
        else:
            raise ValueError("%s: 0x%x+0x%x lies outside the ranges of %s"
                             % (node.path, addr, size, child.path))
        child = bus
    return addr


def regs(node):
    """[(CPU address, size)] of every reg entry, through every ranges."""
    parent = node.parent
    ac, sc = _address_cells(parent), _size_cells(parent)
    reg = node.cells("reg")
    if not reg or len(reg) % (ac + sc):
        raise ValueError("%s: no usable reg property" % node.path)
    out = []
    for i in range(0, len(reg), ac + sc):
        addr, size = _number(reg[i:i + ac]), _number(reg[i + ac:i + ac + sc])
        out.append((_translate(node, addr, size), size))
    return out


def first_reg(node):
    """(CPU address, size) of the node's first reg entry, through every ranges."""
    return regs(node)[0]
