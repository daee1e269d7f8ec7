#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""kcs-uiod on a real kernel: QEMU's ast2600-evb, uio_pdrv_genirq, the host
side played from outside through QMP and qtest. Prints TAP.

  test_qemu.py channels    one boot: every KCS channel through its cases, then
                           polled mode and one kcs-uiod for two devices
  test_qemu.py bad-input   short boots that must fail, each with its reason

The test bed (tests/qemu/prepare.sh) lives in $QEMU_TESTBED and is brought
up to date first. The only skip: a machine without qemu-system-arm or
without its ast2600-evb machine.
"""

import atexit
import gzip
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lpc_host import (ERROR, STR_OBF, STR_SMS_ATN, WRITE, WRITE_START, LpcHost, describe,  # noqa: E402
                      interleave, state)
from qemu_vm import Failure, Machine  # noqa: E402

BOOT_TIMEOUT = 240   # s, boot to /init's @@up; about 10 s on an idle machine
OP_TIMEOUT = 60      # s, one guest command or QMP/qtest answer
BYTE_TIMEOUT = 30    # s, one KCS step; 12-35 ms is usual under TCG

GET_DEVICE_ID = [0x06 << 2, 0x01]
OEM = 0x30  # ipmi-stub: 01 echo, 02 delay


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def hexs(data):
    return ' '.join(f'{b:02x}' for b in data)


class Tap:
    def __init__(self, total):
        self.n = 0
        self.failed = 0
        print(f'1..{total}', flush=True)

    def comment(self, text):
        for line in str(text).splitlines():
            print(f'# {line}', flush=True)

    def ok(self, name, note=''):
        self.n += 1
        print(f'ok {self.n} - {name}{note}', flush=True)

    def not_ok(self, name, failure):
        self.n += 1
        self.failed += 1
        print(f'not ok {self.n} - {name}', flush=True)
        self.comment(f'reason: {failure.reason if isinstance(failure, Failure) else repr(failure)}')
        for line in getattr(failure, 'lines', []):
            self.comment(f'  | {line}')

    def skip(self, name, why):
        self.n += 1
        print(f'ok {self.n} - {name} # SKIP {why}', flush=True)


# --- helpers ---

def uio_args(node, ch, extra=''):
    """kcs-uiod's arguments for channel ch on the UIO device node (--chip and --bus are the guest's)."""
    return f'--uio {node}{extra} --channel {ch}:ipmi_kcs{ch}'


def start_checked(vm, host, tag, args, want_log=None):
    """Start kcs-uiod, then the host sees the start-up force abort and ends it with an error exit."""
    # ERROR is what an earlier kcs-uiod left on SIGTERM; the dummy byte is the new one's
    before = host.status()
    check(not (state(before) == ERROR and before & STR_OBF),
          f'channel {host.ch} shows ERROR with OBF before kcs-uiod starts: {describe(before)}')
    log = vm.start_daemon(tag, args)
    if want_log:
        check(any(want_log in l for l in log),
              f'kcs-uiod {args} did not log "{want_log}"; it logged: ' + ' | '.join(log))
    s = host.status()
    check(state(s) == ERROR and s & STR_OBF,
          f'after start-up the host sees {describe(s)}, not ERROR with the dummy byte')
    code = host.error_exit()
    return f'host saw {describe(s)}; error exit status 0x{code:02x}'


def check_device_id(ch, rsp):
    check(rsp[:3] == [0x07 << 2, 0x01, 0x00] and len(rsp) == 18 and rsp[3] == 0x20,
          f'channel {ch}: Get Device ID answered {hexs(rsp)}')


def echo_data(ch):
    return [(i * 7 + ch) & 0xFF for i in range(248)]


def check_echo(ch, rsp):
    check(rsp == [(OEM + 1) << 2, 0x01, 0x00] + echo_data(ch),
          f'channel {ch}: echo of 250 bytes came back as {len(rsp)} bytes: {hexs(rsp[:8])} ...')


def irq_line(vm, name):
    """The UIO device's line of /proc/interrupts: (interrupts taken, GIC SPI, the line)."""
    rc, out = vm.run_output(f'irqs {name}')
    line = next((l for l in out if l.endswith(f' {name}') and 'GIC' in l), None)
    check(rc == 0 and line, f'no {name} line in the guest\'s /proc/interrupts')
    fields = line.split()  # "33:  5  0  GIC-0 172 Level kcs3": a count per CPU, then the GIC line
    gic = fields.index('GIC-0')
    return sum(int(f) for f in fields[1:gic]), int(fields[gic + 1]) - 32, line.strip()


def check_ibf_irq(host, on, when):
    check(host.ibf_irq_enabled() == on,
          f'channel {host.ch}: {when} the IBF interrupt is {"off" if on else "still on"} in the controller')


# --- the cases of one channel ---

def startup_force_abort(vm, host):
    return start_checked(vm, host, str(host.ch), uio_args(f'kcs{host.ch}', host.ch))


def get_device_id(vm, host):
    check_device_id(host.ch, host.transact(GET_DEVICE_ID))


def echo_250(vm, host):
    start = time.monotonic()
    rsp = host.transact([OEM << 2, 0x01] + echo_data(host.ch))
    took = time.monotonic() - start
    check_echo(host.ch, rsp)
    return f'{took:.1f} s for 250 bytes out, 251 back'


def host_abort(vm, host):
    host.step = 'before WRITE_START'
    host.wait_ibf_clear()
    host.clear_obf()
    host.write_cmd(WRITE_START)
    for b in GET_DEVICE_ID:
        host.ready_to_write(WRITE)
        host.write_data(b)
    code = host.error_exit()
    check(code == 0x01, f'the error exit after an aborted write reported 0x{code:02x}, not 0x01 (aborted)')
    get_device_id(vm, host)


def restart_no_stale(vm, host):
    # A request the stub answers after 1 s, abandoned by a restart; then a
    # request answered after 1.5 s, so the first answer falls due while the
    # host waits for the second: it must never show up.
    first = [OEM << 2, 0x02, 0xE8, 0x03, 0xA1]
    host.write_transfer(first)
    host.step = 'after the delayed request'
    host.wait_ibf_clear()
    rsp = host.transact(GET_DEVICE_ID)
    check(rsp[:3] == [0x07 << 2, 0x01, 0x00], f'after the restart the host got {hexs(rsp)}, not Device ID')
    second = [OEM << 2, 0x02, 0xDC, 0x05, 0xB2]
    rsp = host.transact(second)
    check(rsp == [(OEM + 1) << 2, 0x02, 0x00, 0xDC, 0x05, 0xB2],
          f'the second delayed request got {hexs(rsp)}')


def sms_attention(vm, host):
    vm.sms(host.ch, 'set')
    s = host.status()
    check(s & STR_SMS_ATN, f'after setAttention the host sees {describe(s)}')
    vm.sms(host.ch, 'clear')
    s = host.status()
    check(not s & STR_SMS_ATN, f'after clearAttention the host sees {describe(s)}')


def interrupts(vm, host):
    """The daemon was woken by the channel's own GIC line, through uio_pdrv_genirq."""
    count, spi, line = irq_line(vm, f'kcs{host.ch}')
    check(spi == 137 + host.ch, f'kcs{host.ch} is on GIC SPI {spi}, not {137 + host.ch}')
    check(count > 0, f'kcs{host.ch} has taken no interrupt: {line}')
    return f'{count} interrupts on GIC SPI {spi}'


def stop_checked(vm, tag, hosts):
    """SIGTERM: exit status 0, every channel in ERROR with its IBF interrupt off."""
    rc = vm.stop_daemon(tag)
    check(rc == 0, f'kcs-uiod exited with status {rc} after SIGTERM')
    for host in hosts:
        s = host.status()
        check(state(s) == ERROR, f'channel {host.ch}: after SIGTERM the host sees {describe(s)}, not ERROR')
        check_ibf_irq(host, False, 'after SIGTERM')


def sigterm(vm, host):
    stop_checked(vm, str(host.ch), [host])


def crash_is_reported(vm, host):
    """The harness itself: a daemon that dies is a failure with its reason."""
    tag = str(host.ch)
    vm.start_daemon(tag, uio_args(f'kcs{host.ch}', host.ch))
    host.error_exit()
    try:
        # The exit may show up while the guest still answers the kill command
        vm.run(f'kill {tag} SEGV')
        host.transact(GET_DEVICE_ID)
    except Failure as f:
        check('exited unexpectedly' in f.reason, f'the crash was reported as: {f.reason}')
        vm.running.discard(tag)
        return f'reported as: {f.reason}'
    raise Failure('kcs-uiod was killed with SIGSEGV and the host still got an answer')


# --- polled mode ---

POLLED_NODE = 'kcs-polled'  # tests/qemu/kcs-polled-uio.dtso: no interrupts property


def node_without_irq(vm, host):
    """uio_pdrv_genirq bound the node without a line: EIO from /dev/uioN, nothing in /proc/interrupts."""
    rc, out = vm.run_output(f'uioread {POLLED_NODE}')
    err = next((l for l in out if 'Input/output error' in l), None)
    check(rc != 0 and err, f'reading {POLLED_NODE}\'s /dev/uioN: status {rc}, ' + ' | '.join(out[-3:]))
    rc, out = vm.run_output(f'irqs {POLLED_NODE}')
    check(rc != 0, f'{POLLED_NODE} has a line in /proc/interrupts: ' + ' | '.join(out[-2:]))
    return err.strip()


def polled_detected(vm, host):
    """kcs-uiod finds no interrupt on its own, polls, and switches the IBF interrupt off."""
    note = start_checked(vm, host, str(host.ch), uio_args(POLLED_NODE, host.ch),
                         'the node has no interrupt: polled mode, STR every 10 ms when idle')
    check_ibf_irq(host, False, 'with kcs-uiod polling')
    return note


def ibf_irq_stays_off(vm, host):
    check_ibf_irq(host, False, 'after the transfers')


def forced_polled(vm, host):
    """--polled on a node with an interrupt: its IBF interrupt off, served all the same, no interrupt taken."""
    before, _, _ = irq_line(vm, f'kcs{host.ch}')
    note = start_checked(vm, host, str(host.ch), uio_args(f'kcs{host.ch}', host.ch, ' --polled --idle-poll 5'),
                         "polled mode (--polled; the node's interrupt is left masked), STR every 5 ms when idle")
    check_ibf_irq(host, False, 'with --polled')
    get_device_id(vm, host)
    after, _, line = irq_line(vm, f'kcs{host.ch}')
    check(after == before, f'kcs{host.ch} took {after - before} interrupts under --polled: {line}')
    return f'{note}; kcs{host.ch} stayed at {after} interrupts'


# --- one process, two UIO devices ---

TWO_DEVICES = 'two'  # the kcs-uiod tag
TWO_DEVICES_ARGS = f'{uio_args("kcs1", 1)} {uio_args("kcs2", 2)}'
LPC_LOCK = '/run/kcs-uio/lpc-1e789000.lock'


def device_id_interleaved(*hosts):
    for host, rsp in zip(hosts, interleave(*(h.transact_steps(GET_DEVICE_ID) for h in hosts))):
        check_device_id(host.ch, rsp)


def two_devices_start(vm, h1, h2):
    log = vm.start_daemon(TWO_DEVICES, TWO_DEVICES_ARGS)
    check(any('Ready: 2 channels on 2 devices' in l for l in log),
          'kcs-uiod did not log "Ready: 2 channels on 2 devices"; it logged: ' + ' | '.join(log))
    for h in (h1, h2):
        s = h.status()
        check(state(s) == ERROR and s & STR_OBF,
              f'channel {h.ch}: after start-up the host sees {describe(s)}, not ERROR with the dummy byte')
        check_ibf_irq(h, True, 'with kcs-uiod serving it by interrupt')
        h.error_exit()


def two_devices_interleaved(vm, h1, h2):
    """Get Device ID and the echo on both channels at once, one host write of each in turn."""
    device_id_interleaved(h1, h2)
    start = time.monotonic()
    rsps = interleave(*(h.transact_steps([OEM << 2, 0x01] + echo_data(h.ch)) for h in (h1, h2)))
    took = time.monotonic() - start
    for h, rsp in zip((h1, h2), rsps):
        check_echo(h.ch, rsp)
    return f'{took:.1f} s for both echoes'


def second_daemon_refused(vm, h1, h2):
    """Another kcs-uiod on the same LPC controller is refused; the first goes on serving."""
    line, log = vm.launch_daemon('3', uio_args('kcs3', 3))
    check(line == '@@exit 3 rc=1', f'a second kcs-uiod on the controller ended with "{line}", not status 1')
    want = (f'the LPC controller at 0x1e789000 is served by another kcs-uiod '
            f'(pid {vm.pids[TWO_DEVICES]}, lock {LPC_LOCK})')
    refusal = next((l for l in log if want in l), None)
    check(refusal, f'the second kcs-uiod did not log "{want}"; it logged: ' + ' | '.join(log))
    device_id_interleaved(h1, h2)
    return refusal[refusal.index('the LPC'):]


def two_devices_sigterm(vm, h1, h2):
    stop_checked(vm, TWO_DEVICES, [h1, h2])


EVERY_CHANNEL = [startup_force_abort, get_device_id, echo_250, sms_attention, host_abort,
                 restart_no_stale, interrupts, sigterm]
# (group, its channels, its cases), in order; a group stops at its first failure
GROUPS = [
    ('channel 1', (1,), EVERY_CHANNEL),
    ('channel 2', (2,), EVERY_CHANNEL),
    ('channel 3', (3,), EVERY_CHANNEL + [crash_is_reported]),
    ('channel 4', (4,), EVERY_CHANNEL),
    ('channel 4 on a node without interrupt', (4,),
     [node_without_irq, polled_detected, get_device_id, echo_250, ibf_irq_stays_off, sigterm]),
    ('channel 1 with --polled', (1,), [forced_polled, sigterm]),
    ('channels 1 and 2 in one kcs-uiod', (1, 2),
     [two_devices_start, two_devices_interleaved, second_daemon_refused, two_devices_sigterm]),
]


def run_channels(testbed, workdir):
    plan = [(group, chs, fn) for group, chs, cases in GROUPS for fn in cases]
    tap = Tap(len(plan) + 1)
    vm = Machine(testbed, workdir, BOOT_TIMEOUT, OP_TIMEOUT)
    atexit.register(vm.kill)
    t0 = time.monotonic()
    try:
        vm.start()
    except Failure as f:
        tap.not_ok('boot: ast2600-evb, uio_pdrv_genirq, dbus-daemon, ipmi-stub', f)
        for group, _, fn in plan:
            tap.skip(f'{group}: {fn.__name__}', 'the guest did not come up')
        vm.kill()
        return 1
    t_boot = time.monotonic() - t0
    tap.ok('boot: ast2600-evb, uio_pdrv_genirq, dbus-daemon, ipmi-stub', f' ({t_boot:.1f} s)')
    tap.comment('\n'.join(vm.tail(9, r'kcs|uio')))

    broken = set()
    hosts = {}
    for group, chs, fn in plan:
        name = f'{group}: {fn.__name__}'
        if vm.proc.poll() is not None:
            tap.not_ok(name, Failure('QEMU is gone', vm.tail(20)))
            continue
        if group in broken:
            tap.skip(name, f'an earlier case of {group} failed')
            continue
        t = time.monotonic()
        try:
            note = fn(vm, *(hosts.setdefault((group, ch), LpcHost(vm, ch, BYTE_TIMEOUT)) for ch in chs))
        except Exception as e:  # a harness bug still reports, and the boot goes on
            tap.not_ok(name, e if isinstance(e, Failure) else
                       Failure(f'{type(e).__name__}: {e}', traceback.format_exc().splitlines()))
            broken.add(group)
            # One kcs-uiod per controller: one left running would refuse the next group's.
            vm.kill_daemons()
            continue
        tap.ok(name, f' ({time.monotonic() - t:.1f} s{"; " + note if note else ""})')
    t_cases = time.monotonic() - t0 - t_boot
    t = time.monotonic()
    vm.close()
    tap.comment(f'wall time: boot {t_boot:.1f} s, cases {t_cases:.1f} s, '
                f'power-off {time.monotonic() - t:.1f} s; console log {vm.console_log}')
    return 1 if tap.failed else 0


# --- bad input: each boot must fail, and say why ---

def initramfs_with(testbed, workdir, path, content):
    """The test bed's initramfs with one file replaced (a second cpio archive)."""
    extra = os.path.join(workdir, 'extra')
    os.makedirs(os.path.join(extra, os.path.dirname(path)), exist_ok=True)
    with open(os.path.join(extra, path), 'wb') as f:
        f.write(content)
    cpio = subprocess.run(['cpio', '-o', '-H', 'newc', '--quiet'], cwd=extra, input=path.encode(),
                          stdout=subprocess.PIPE, check=True).stdout
    out = os.path.join(workdir, 'initramfs.gz')
    with open(os.path.join(testbed, 'initramfs.gz'), 'rb') as base, open(out, 'wb') as f:
        f.write(base.read())
        f.write(gzip.compress(cpio))
    return out


def expect_boot_failure(testbed, workdir, want, evidence, boot=Machine.start, **overrides):
    """Boot, expecting a failure whose reason holds want and whose console lines hold evidence."""
    vm = Machine(testbed, workdir, BOOT_TIMEOUT, OP_TIMEOUT, **overrides)
    atexit.register(vm.kill)
    try:
        boot(vm)
    except Failure as f:
        check(want in f.reason, f'the boot failed, but with the reason "{f.reason}"')
        shown = next((l for l in f.lines if evidence in l), None) if evidence else ''
        check(shown is not None, f'the failure "{f.reason}" came without a console line holding "{evidence}"')
        return f'{f.reason}' + (f'; console: {shown.strip()}' if shown else '')
    finally:
        vm.kill()
        check(vm.proc is None or vm.proc.poll() is not None, 'QEMU is still running')
    raise Failure(f'the guest came up although it should have failed with "{want}"')


def run_bad_input(testbed, workdir):
    def wrong_module(d):
        return expect_boot_failure(
            testbed, d, 'insmod uio_pdrv_genirq.ko', "can't insert",
            initrd=initramfs_with(testbed, d, 'lib/modules/uio_pdrv_genirq.ko', b'not a module\n'))

    def no_overlay(d):
        return expect_boot_failure(testbed, d, 'no UIO device named kcs1', '@@fail',
                                   dtb=os.path.join(testbed, 'debian-ast2600-evb.dtb'))

    def no_init(d):
        return expect_boot_failure(testbed, d, 'QEMU exited', 'Kernel panic',
                                   append='rdinit=/no/such/init')

    def hung_guest(d):
        # The kernel runs an init that never answers: the wait for it ends.
        def boot(vm):
            vm.launch()
            vm.wait_line(lambda l: 'Run /bin/busybox as init' in l, BOOT_TIMEOUT, 'the kernel to start init', 0)
            vm.wait_up(10)
        return expect_boot_failure(testbed, d, 'timed out after 10 s', 'Run /bin/busybox as init',
                                   boot=boot, append='rdinit=/bin/busybox -- sleep 3600')

    cases = [wrong_module, no_overlay, no_init, hung_guest]
    tap = Tap(len(cases))
    for fn in cases:
        d = tempfile.mkdtemp(prefix=fn.__name__ + '-', dir=workdir)
        t = time.monotonic()
        try:
            note = fn(d)
        except Failure as f:
            tap.not_ok(fn.__name__, f)
            continue
        tap.ok(fn.__name__, f' ({time.monotonic() - t:.1f} s; {note})')
    return 1 if tap.failed else 0


# --- set-up ---

def qemu_unusable():
    """Why this machine cannot run the guest at all, or None."""
    qemu = shutil.which('qemu-system-arm')
    if not qemu:
        return 'qemu-system-arm is not installed (Debian: qemu-system-arm; ./run test installs it)'
    try:
        machines = subprocess.run([qemu, '-machine', 'help'], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return f'{qemu} does not run: {e}'
    if 'ast2600-evb' not in machines:
        return f'{qemu} has no ast2600-evb machine'
    return None


def prepare(testbed):
    """Bring the test bed up to date; its output becomes TAP comments."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'prepare.sh')
    try:
        p = subprocess.run([script, testbed], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=1800)
    except subprocess.TimeoutExpired:
        return Failure('tests/qemu/prepare.sh took more than 30 minutes')
    if p.returncode != 0:
        return Failure(f'tests/qemu/prepare.sh {testbed} failed (status {p.returncode})',
                       p.stdout.splitlines()[-30:])
    for line in p.stdout.splitlines():
        print(f'# {line}', flush=True)
    return None


def main():
    modes = {'channels': run_channels, 'bad-input': run_bad_input}
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        print(f'usage: {sys.argv[0]} {"|".join(modes)}', file=sys.stderr)
        return 2
    # meson's timeout and ^C end the test through the exit handlers: QEMU dies too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    why = qemu_unusable()
    if why:
        print(f'1..0 # SKIP {why}', flush=True)
        return 0
    testbed = os.environ.get('QEMU_TESTBED', '')
    if not testbed:
        print('QEMU_TESTBED is not set (meson sets it to BUILD/qemu)', file=sys.stderr)
        return 2
    failure = prepare(testbed)
    if failure:
        tap = Tap(1)
        tap.not_ok('prepare the test bed', failure)
        return 1
    workdir = os.path.join(testbed, f'run-{sys.argv[1]}')  # the last run's logs stay
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    return modes[sys.argv[1]](testbed, workdir)


if __name__ == '__main__':
    sys.exit(main())
