#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The per-byte cost of kcs-uiod, before and after, in one table.

    tools/bench/kcs-bench.py BUILD [--baseline OLD_BUILD] [--count N]
                             [--large-count N] [--idle-seconds S] [--no-strace]

For the daemon of each build (OLD_BUILD first, labelled "before", then BUILD,
"after"), on the simulated device with ipmi-stub behind a private bus, it
runs `kcs-host bench` from BUILD (so both daemons face the same host) for
2-byte (Get Device ID) and 250-byte (OEM echo) exchanges, with a spinning
and a sleeping host, and prints per row:

  - round trips/s, p50 and p99 latency (kcs-host's own figures);
  - daemon wake-ups per KCS byte: voluntary context switches of the daemon
    (/proc/PID/status) over the run, divided by the host's port writes
    (every one sets IBF once: WRITE_START, the request, WRITE_END, one READ
    per response byte);
  - system calls per KCS byte: perf's raw_syscalls:sys_enter count on the
    daemon during the same pass (no slow-down); without perf, a separate,
    shorter pass under `strace -c -f` (which slows the daemon down);
  - daemon CPU per exchange: /proc/PID/schedstat run time over the run.

The BMC side runs on CPU 0 and the host tool on CPU 1 (when there are two
CPUs): a host CPU and a BMC are different processors, and a host spinning
on the daemon's CPU would only measure the scheduler.

Then the direct execute rate (tools/bench/execute-bench, the same service
without KCS), and the daemon's wake-ups per second over --idle-seconds with
no host traffic, in interrupt mode and (when the build has it) in polled
mode (an interrupt-less simulated device, DIR/noirq).

Prints figures; asserts nothing. Runs as any user; strace needs ptrace
rights over the daemon (same user, or root).
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The daemon tests' harness: the channel's bus name and stopping processes.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'daemon'))
from harness import bus_name, stop_procs  # noqa: E402

SIZES = (2, 250)
HOSTS = ('spin', 'sleep')

# The host CPU and the BMC are different processors. With two CPUs or more,
# the BMC side (bus, stub, daemon) runs on CPU 0 and the host tool on CPU 1,
# so a spinning host never competes with the daemon for one CPU (it still
# competes with whatever else runs on the machine).
PIN = (os.cpu_count() or 1) >= 2
BMC_CPUS, HOST_CPUS = {0}, {1}


def pinned(cpus):
    return (lambda: os.sched_setaffinity(0, cpus)) if PIN else None


def fail(msg):
    sys.exit(f'kcs-bench: {msg}')


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            fail(f'timed out after {timeout} s waiting for {what}')
        time.sleep(0.02)


def proc_status(pid, field):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    fail(f'no {field} in /proc/{pid}/status')


def cpu_ns(pid):
    with open(f'/proc/{pid}/schedstat') as f:
        return int(f.read().split()[0])


def wakeups(pid):
    return proc_status(pid, 'voluntary_ctxt_switches')


class Setup:
    """A private bus, ipmi-stub and one kcs-uiod on a simulated device."""

    def __init__(self, build, daemon_build, tmp, name, irq_less=False, extra=()):
        self.build = build
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.sim = os.path.join(self.dir, 'kcs')
        self.procs = []
        addr_file = os.path.join(self.dir, 'bus.addr')
        with open(addr_file, 'w') as out:
            self._spawn(['dbus-daemon', '--session', '--nofork', '--print-address=1',
                         f'--address=unix:path={self.dir}/bus'], stdout=out,
                        stderr=subprocess.DEVNULL)
        wait_until(lambda: os.path.getsize(addr_file) > 0, 10, 'dbus-daemon')
        with open(addr_file) as f:
            self.bus = f.readline().strip()
        stub_out = os.path.join(self.dir, 'stub.out')
        with open(stub_out, 'w') as out:
            self._spawn([f'{build}/tools/ipmi/ipmi-stub', '--bus', self.bus], stdout=out)
        wait_until(lambda: 'READY' in open(stub_out).read(), 10, 'ipmi-stub')
        if irq_less:
            os.makedirs(self.sim)
            open(os.path.join(self.sim, 'noirq'), 'w').close()
        self.log = os.path.join(self.dir, 'daemon.log')
        with open(self.log, 'w') as err:
            self.daemon = self._spawn([f'{daemon_build}/daemon/kcs-uiod', '--sim', self.sim,
                                       '--chip', 'ast2600', '--channel', '3:ipmi_kcs3',
                                       '--bus', self.bus, '--log-level', 'warning', *extra],
                                      stderr=err)
        name = bus_name('ipmi_kcs3')
        wait_until(lambda: subprocess.run(['busctl', f'--address={self.bus}', 'status', name],
                                          capture_output=True).returncode == 0 or
                   self.daemon.poll() is not None, 15, 'kcs-uiod')
        if self.daemon.poll() is not None:
            fail(f'kcs-uiod exited: {open(self.log).read()}')
        self.pid = self.daemon.pid

    def _spawn(self, args, **kw):
        p = subprocess.Popen(args, preexec_fn=pinned(BMC_CPUS), **kw)
        self.procs.append(p)
        return p

    def host(self, *args):
        r = subprocess.run([f'{self.build}/tools/host/kcs-host', '--sim', self.sim, *args],
                           capture_output=True, text=True, timeout=600, preexec_fn=pinned(HOST_CPUS))
        if r.returncode != 0:
            fail(f'kcs-host {" ".join(args)} failed ({r.returncode}): {r.stdout} {r.stderr}')
        return r.stdout

    def bench(self, count, size, wait):
        out = self.host('bench', '--count', str(count), '--size', str(size), '--wait', wait, '--json')
        return json.loads(out)

    def close(self):
        stop_procs(self.procs, 10)


def response_len(s):
    """Bytes in the Get Device ID answer (NetFn, Cmd, CC, data)."""
    out = s.host('raw', '06', '01').splitlines()
    return 3 + len(out[1].split()) - 1


def kcs_bytes(size, rsp_len):
    """Host port writes per exchange: WRITE_START, the request, WRITE_END, a READ per response byte."""
    return 1 + size + 1 + rsp_len


def strace_syscalls(s, count, size, wait):
    out = os.path.join(s.dir, 'strace.out')
    tracer = subprocess.Popen(['strace', '-c', '-f', '-o', out, '-p', str(s.pid)],
                              stderr=subprocess.PIPE, text=True)
    # strace says "Process N attached" once it traces; before that calls go uncounted.
    line = tracer.stderr.readline()
    if 'attached' not in line:
        tracer.kill()
        return None
    s.bench(count, size, wait)
    tracer.send_signal(signal.SIGINT)
    tracer.wait(30)
    with open(out) as f:
        for line in f:
            # "100.00  SECONDS  USECS/CALL  CALLS  [ERRORS]  total"
            m = re.match(r'^100\.00\s+\S+\s+\S+\s+(\d+)\s.*total$', line.strip())
            if m:
                return int(m.group(1))
    return None


class SyscallCounter:
    """perf's raw_syscalls:sys_enter tracepoint on the daemon: counts without slowing it."""

    def __init__(self, s):
        self.out = os.path.join(s.dir, 'perf.out')
        self.proc = subprocess.Popen(['perf', 'stat', '-x', ',', '-e', 'raw_syscalls:sys_enter',
                                      '-o', self.out, '-p', str(s.pid)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # perf attaches asynchronously and says nothing when it has

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)
        with open(self.out) as f:
            for line in f:
                if 'raw_syscalls:sys_enter' in line:
                    try:
                        return int(line.split(',')[0])
                    except ValueError:
                        return None
        return None


def perf_works():
    if not shutil.which('perf'):
        return False
    r = subprocess.run(['perf', 'stat', '-x', ',', '-e', 'raw_syscalls:sys_enter', 'true'],
                       capture_output=True, text=True)
    return r.returncode == 0 and 'raw_syscalls' in r.stderr and 'not supported' not in r.stderr


def measure(s, count, size, wait, rsp_len, trace_count, use_perf):
    counter = SyscallCounter(s) if use_perf else None
    w0, c0 = wakeups(s.pid), cpu_ns(s.pid)
    res = s.bench(count, size, wait)
    w1, c1 = wakeups(s.pid), cpu_ns(s.pid)
    nbytes = count * kcs_bytes(size, rsp_len)
    calls = counter.stop() if counter else None
    row = {
        'rate': res['round_trips_per_s'], 'p50': res['p50_us'], 'p99': res['p99_us'],
        'wake_per_byte': (w1 - w0) / nbytes, 'cpu_us': (c1 - c0) / 1e3 / count,
        'sys_per_byte': calls / nbytes if calls is not None else None,
    }
    if trace_count and calls is None:
        calls = strace_syscalls(s, trace_count, size, wait)
        if calls is not None:
            row['sys_per_byte'] = calls / (trace_count * kcs_bytes(size, rsp_len))
    return row


def idle_rate(s, seconds):
    w0 = wakeups(s.pid)
    time.sleep(seconds)
    return (wakeups(s.pid) - w0) / seconds


def has_polled_mode(build):
    r = subprocess.run([f'{build}/daemon/kcs-uiod', '--help'], capture_output=True, text=True)
    return '--idle-poll' in r.stdout


def direct_rate(s, count, size):
    r = subprocess.run([f'{s.build}/tools/bench/execute-bench', '--bus', s.bus, '--count', str(count),
                        '--size', str(size), '--json'], capture_output=True, text=True, timeout=600,
                       preexec_fn=pinned(HOST_CPUS))
    if r.returncode != 0:
        fail(f'execute-bench failed: {r.stdout} {r.stderr}')
    return json.loads(r.stdout)['round_trips_per_s']


def fmt(v, spec):
    return 'n/a' if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('build')
    ap.add_argument('--baseline', help='build directory of the daemon to compare with ("before")')
    ap.add_argument('--count', type=int, default=2000, help='2-byte exchanges per row (default 2000)')
    ap.add_argument('--large-count', type=int, default=400, help='250-byte exchanges per row (default 400)')
    ap.add_argument('--idle-seconds', type=float, default=10)
    ap.add_argument('--no-strace', action='store_true')
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    daemons = ([('before', os.path.abspath(a.baseline))] if a.baseline else []) + [('after', build)]
    use_perf = perf_works()
    use_strace = not a.no_strace and not use_perf and shutil.which('strace')

    with open('/proc/loadavg') as f:
        load = ' '.join(f.read().split()[:3])
    model = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo')
                  if line.startswith('model name')), 'unknown CPU')
    print(f'machine: {os.cpu_count()} CPUs, {model}; load average at start {load}')
    print(f'command: {" ".join(sys.argv)}')
    print('placement: ' + ('BMC side (dbus-daemon, ipmi-stub, kcs-uiod) on CPU 0, host tool and execute-bench on CPU 1'
                           if PIN else 'unpinned (one CPU)'))
    print('system calls counted by ' + ('perf (raw_syscalls:sys_enter, in the measured pass)' if use_perf else
          'strace -c -f (a separate, shorter pass)' if use_strace else 'nothing (no perf, no strace)'))

    tmp = tempfile.mkdtemp(prefix='kcs-bench-')
    rows, idle, direct = [], [], {}
    try:
        for label, dbuild in daemons:
            s = Setup(build, dbuild, tmp, label)
            try:
                rsp = response_len(s)
                for size in SIZES:
                    count = a.count if size == 2 else a.large_count
                    if label == 'after':
                        direct[size] = direct_rate(s, count, size)
                    for wait in HOSTS:
                        trace = max(count // 10, 20) if use_strace else 0
                        rows.append((label, wait, size, measure(s, count, size, wait, rsp, trace,
                                                                use_perf)))
                idle.append((label, 'interrupt', idle_rate(s, a.idle_seconds)))
            finally:
                s.close()
            if has_polled_mode(dbuild):
                s = Setup(build, dbuild, tmp, label + '-polled', irq_less=True)
                try:
                    s.bench(100, 2, 'spin')  # serves at all
                    idle.append((label, 'polled', idle_rate(s, a.idle_seconds)))
                finally:
                    s.close()
            else:
                idle.append((label, 'polled', None))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    with open('/proc/loadavg') as f:
        load = ' '.join(f.read().split()[:3])
    print(f'load average at end {load}\n')
    print('| daemon | host | request bytes | round trips/s | p50 us | p99 us '
          '| wake-ups / KCS byte | syscalls / KCS byte | daemon CPU us / exchange |')
    print('|---|---|---|---|---|---|---|---|---|')
    for label, wait, size, r in rows:
        print(f'| {label} | {wait} | {size} | {r["rate"]:.0f} | {r["p50"]:.0f} | {r["p99"]:.0f} '
              f'| {r["wake_per_byte"]:.3f} | {fmt(r["sys_per_byte"], ".3f")} | {r["cpu_us"]:.1f} |')
    print()
    for size in SIZES:
        print(f'direct execute (execute-bench, {size}-byte requests): {direct[size]:.0f} round trips/s')
    print()
    print(f'idle: no host traffic for {a.idle_seconds:g} s; polled mode at the default --idle-poll (10 ms)')
    print('| daemon | mode | idle wake-ups/s |')
    print('|---|---|---|')
    for label, mode, v in idle:
        print(f'| {label} | {mode} | {fmt(v, ".1f")} |')


if __name__ == '__main__':
    main()
