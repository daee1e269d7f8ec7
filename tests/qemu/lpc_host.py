# SPDX-License-Identifier: Apache-2.0
"""The host CPU's side of one AST2600 KCS channel, played from outside QEMU.

QEMU's LPC model gives the host side through QMP properties of
/machine/soc/lpc: writing idrN is a host write (IBF set, interrupt raised),
reading odrN a host data read (OBF cleared), strN the status port. QMP
cannot choose between the data and the command port (the C/D bit), so a
write pauses the vCPUs, sets or clears C/D in STR with a qtest MMIO write,
stores the byte and resumes: the guest cannot write STR in between.

The flows are the IPMI spec's host flows (write transfer, read transfer,
error exit). Every wait polls STR, as a host does, until a deadline.
Transfers on several channels can be interleaved, one host write at a time.
"""

import time

from qemu_vm import Failure

LPC_BASE = 0x1E789000
STR_OFFSET = {1: 0x03C, 2: 0x040, 3: 0x044, 4: 0x11C}
# (register, bit) of each channel's IBF interrupt enable (docs/design.md section 3)
IBF_IRQ_ENABLE = {1: (0x008, 1), 2: (0x008, 2), 3: (0x008, 3), 4: (0x100, 1)}

STR_OBF = 0x01
STR_IBF = 0x02
STR_SMS_ATN = 0x04
STR_CD = 0x08
IDLE, READ, WRITE, ERROR = 0, 1, 2, 3
STATE_NAMES = ('IDLE', 'READ', 'WRITE', 'ERROR')

GET_STATUS_ABORT = 0x60
WRITE_START = 0x61
WRITE_END = 0x62
READ_BYTE = 0x68


def describe(status):
    flags = [n for bit, n in ((STR_OBF, 'OBF'), (STR_IBF, 'IBF'), (STR_SMS_ATN, 'SMS_ATN'),
                              (STR_CD, 'C/D')) if status & bit]
    return f'STR 0x{status:02x} ({STATE_NAMES[status >> 6]}{" " if flags else ""}{" ".join(flags)})'


def state(status):
    return status >> 6


class LpcHost:
    def __init__(self, vm, ch, timeout):
        self.vm = vm
        self.ch = ch
        self.timeout = timeout
        self.str_addr = LPC_BASE + STR_OFFSET[ch]
        self.step = 'at start'

    # --- the three host operations ---

    def status(self):
        return self.vm.qmp.qom_get(f'str{self.ch}')

    def read_data(self):
        return self.vm.qmp.qom_get(f'odr{self.ch}')

    def write(self, value, command):
        qmp, qtest = self.vm.qmp, self.vm.qtest
        qmp.execute('stop')
        try:
            word = qtest.readl(self.str_addr)
            qtest.writel(self.str_addr, (word | STR_CD) if command else (word & ~STR_CD))
            qmp.qom_set(f'idr{self.ch}', value)
        finally:
            qmp.execute('cont')

    def write_cmd(self, code):
        self.write(code, True)

    def write_data(self, value):
        self.write(value, False)

    # --- registers read from outside, no side effects ---

    def ibf_irq_enabled(self):
        reg, bit = IBF_IRQ_ENABLE[self.ch]
        return bool(self.vm.qtest.readl(LPC_BASE + reg) >> bit & 1)

    # --- waits ---

    def wait(self, mask, want, what):
        deadline = time.monotonic() + self.timeout
        while True:
            s = self.status()
            if s & mask == want:
                return s
            self.vm.poll_console()
            if time.monotonic() > deadline:
                raise Failure(f'channel {self.ch}: no {what} within {self.timeout} s {self.step}; {describe(s)}',
                              self.vm.tail(15, rf'^(kcs\w+|stub): |^@@'))
            time.sleep(0.002)

    def wait_ibf_clear(self):
        return self.wait(STR_IBF, 0, 'IBF=0')

    def expect_state(self, s, want):
        if state(s) != want:
            raise Failure(f'channel {self.ch}: expected state {STATE_NAMES[want]} {self.step}, saw {describe(s)}',
                          self.vm.tail(15, rf'^(kcs\w+|stub): |^@@'))

    def clear_obf(self):
        if self.status() & STR_OBF:
            self.read_data()

    def ready_to_write(self, want):
        self.expect_state(self.wait_ibf_clear(), want)
        self.clear_obf()

    def read_byte(self, want, what):
        s = self.wait(STR_OBF, STR_OBF, what)
        self.expect_state(s, want)
        return self.read_data()

    # --- the spec's flows ---
    # Generators that yield after each host write, so that interleave() can
    # run the flows of several channels one write at a time.

    def write_transfer_steps(self, msg):
        self.step = 'before WRITE_START'
        self.wait_ibf_clear()
        self.clear_obf()
        self.write_cmd(WRITE_START)
        yield
        for i, b in enumerate(msg):
            self.step = f'before request byte {i + 1} of {len(msg)}'
            self.ready_to_write(WRITE)
            if i + 1 == len(msg):
                self.write_cmd(WRITE_END)
                yield
                self.step = 'after WRITE_END'
                self.ready_to_write(WRITE)
            self.write_data(b)
            yield

    def read_transfer_steps(self):
        rsp = []
        while True:
            self.step = f'reading response byte {len(rsp) + 1}'
            s = self.wait_ibf_clear()
            if state(s) == READ:
                rsp.append(self.read_byte(READ, 'OBF=1'))
                self.write_data(READ_BYTE)
                yield
            elif state(s) == IDLE:
                self.read_byte(IDLE, 'OBF=1 for the dummy byte')
                return rsp
            else:
                raise Failure(f'channel {self.ch}: expected state READ or IDLE {self.step}, saw {describe(s)}',
                              self.vm.tail(15, rf'^(kcs\w+|stub): |^@@'))

    def transact_steps(self, msg):
        yield from self.write_transfer_steps(msg)
        return (yield from self.read_transfer_steps())

    def write_transfer(self, msg):
        run_steps(self.write_transfer_steps(msg))

    def read_transfer(self):
        return run_steps(self.read_transfer_steps())

    def transact(self, msg):
        return run_steps(self.transact_steps(msg))

    def error_exit(self):
        """The host's abort: returns the status code the BMC reports."""
        self.step = 'before GET_STATUS/ABORT'
        self.wait_ibf_clear()
        self.write_cmd(GET_STATUS_ABORT)
        self.step = 'after GET_STATUS/ABORT'
        self.wait_ibf_clear()
        self.clear_obf()
        self.write_data(0x00)
        self.step = 'after 0x00 (error exit)'
        self.expect_state(self.wait_ibf_clear(), READ)
        code = self.read_byte(READ, 'OBF=1 for the status code')
        self.write_data(READ_BYTE)
        self.step = 'after READ (error exit)'
        self.expect_state(self.wait_ibf_clear(), IDLE)
        self.read_byte(IDLE, 'OBF=1 for the dummy byte')
        return code


def run_steps(flow):
    """One flow to its end; returns its value."""
    while True:
        try:
            next(flow)
        except StopIteration as end:
            return end.value


def interleave(*flows):
    """Flows of different channels, one host write of each in turn: every
    channel has a byte in flight while the others are served. Returns their
    values in order."""
    values = [None] * len(flows)
    live = dict(enumerate(flows))
    while live:
        for i in list(live):
            try:
                next(live[i])
            except StopIteration as end:
                values[i] = end.value
                del live[i]
    return values
