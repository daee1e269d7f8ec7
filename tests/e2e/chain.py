# SPDX-License-Identifier: Apache-2.0
"""The whole chain for the end-to-end tests (python3 standard library only):

    kcs-host -> simulated registers -> kcs-uiod -> private dbus-daemon
             -> ipmi-sim-bridge -> ipmi_sim      (or -> ipmi-stub)

Built on the daemon tests' harness (tests/daemon/harness.py: private bus,
READY=1 over NOTIFY_SOCKET, ipmi-stub's READY), which is imported from the
directory in KCS_TEST_HARNESS_DIR. This file adds ipmi_sim started as
tools/ipmi/sim-env.sh starts it (the shipped lan.conf with a free port, the
shipped bmc.emu, a fresh state directory), ipmi-sim-bridge, and a reader
for the .emu file so tests compare answers with what it declares.

Children's output is read by threads, so a test waits for a line (READY,
"Connected to ipmi_sim") as an event, never by sleeping.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

_HARNESS_DIR = os.environ.get('KCS_TEST_HARNESS_DIR') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'daemon')
sys.path.insert(0, _HARNESS_DIR)
from harness import Skip, TestFailure, check, clean_env, tool  # noqa: E402,F401

SIM_SERVICE = 'xyz.openbmc_project.Ipmi.Host'

# Programs looked up on PATH when meson did not pass them (it finds them at
# configure time, which may predate `./run test` installing the package).
_SYSTEM_TOOLS = {
    'DBUS_DAEMON': ('dbus-daemon', 'dbus-daemon'),
    'BUSCTL': ('busctl', 'systemd'),
    'IPMI_SIM': ('ipmi_sim', 'openipmi'),
}


# Built in this tree: meson always passes them, so one missing is a failure.
BUILT_TOOLS = ('KCS_UIOD', 'KCS_HOST', 'IPMI_STUB', 'IPMI_SIM_BRIDGE')


def missing_built_tools():
    return [f'{var}={os.environ.get(var, "")!r}' for var in BUILT_TOOLS
            if not os.access(os.environ.get(var, ''), os.X_OK)]


def require(*variables):
    """Make sure each tool is there: exit 77 (meson: SKIP) naming a missing
    system program."""
    for var in variables:
        if var in _SYSTEM_TOOLS and not os.environ.get(var):
            prog, package = _SYSTEM_TOOLS[var]
            found = shutil.which(prog)
            if not found:
                raise Skip(f'{prog} is not installed (Debian package {package})')
            os.environ[var] = found
        tool(var)


def sim_conf_dir():
    d = os.environ.get('IPMI_SIM_CONF_DIR') or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools', 'ipmi', 'sim')
    for f in ('lan.conf', 'bmc.emu'):
        if not os.path.isfile(os.path.join(d, f)):
            raise TestFailure(f'{os.path.join(d, f)} missing (IPMI_SIM_CONF_DIR={d})')
    return d


# --- the .emu file ---

class Emu:
    """ipmi_sim_cmd(5) commands of an .emu file: comments dropped, backslash
    continuation lines joined."""

    def __init__(self, path):
        self.path = path
        with open(path) as f:
            self.text = f.read()
        self.commands = []
        line = ''
        for raw in self.text.splitlines():
            raw = raw.split('#', 1)[0].rstrip()
            if raw.endswith('\\'):
                line += raw[:-1] + ' '
                continue
            line += raw
            if line.split():
                words = line.split()
                self.commands.append((words[0], words[1:]))
            line = ''

    def all(self, name):
        return [args for cmd, args in self.commands if cmd == name]

    def one(self, name):
        found = self.all(name)
        check(len(found) == 1, f'{self.path}: expected one {name}, found {len(found)}')
        return found[0]

    @staticmethod
    def num(word):
        """A number as ipmi_sim 2.0 reads it (strtoul base 0: "0x" hex,
        leading "0" octal, else decimal; "sel_enable 0x20 16" means 16)."""
        w = word.lower()
        if w.startswith('0x'):
            return int(w[2:], 16)
        if len(w) > 1 and w.startswith('0'):
            return int(w[1:], 8)
        return int(w, 10)

    def device_id(self):
        """mc_add IPMB DeviceID HasDeviceSDRs Rev FWMajor FWMinor Support Manufacturer Product."""
        a = self.one('mc_add')
        return {
            'device_id': self.num(a[1]),
            'device_sdrs': a[2] == 'has-device-sdrs',
            'revision': self.num(a[3]),
            'fw_major': self.num(a[4]),
            'fw_minor': self.num(a[5]),
            'support': self.num(a[6]),
            'manufacturer': self.num(a[7]),
            'product': self.num(a[8]),
        }

    def sel(self):
        """(max entries, operation support flags, entries added)."""
        a = self.one('sel_enable')
        return self.num(a[1]), self.num(a[2]), len(self.all('sel_add'))

    def sensors(self):
        """{sensor number: raw reading} from sensor_add and sensor_set_value."""
        values = {self.num(a[2]): self.num(a[3]) for a in self.all('sensor_set_value')}
        numbers = [self.num(a[2]) for a in self.all('sensor_add')]
        check(sorted(numbers) == sorted(values), f'{self.path}: sensors {numbers} but values for {sorted(values)}')
        return values

    def event_support(self):
        """{sensor number: (events enabled, scanning, assertion events enabled
        as a number)} from sensor_set_event_support."""
        found = {}
        for a in self.all('sensor_set_event_support'):
            found[self.num(a[2])] = (a[3] == 'enable', a[4] == 'scanning', int(a[8], 2))
        return found

    def sdrs(self):
        return [[self.num(b) for b in a[1:]] for a in self.all('main_sdr_add')]

    def fru(self):
        """(device id, size, declared bytes) of the one mc_add_fru_data ... data."""
        a = self.one('mc_add_fru_data')
        check(a[3] == 'data', f'{self.path}: mc_add_fru_data without inline data')
        return self.num(a[1]), self.num(a[2]), [self.num(b) for b in a[4:]]


# --- children whose output a test waits on ---

class Output:
    """One child's stdout or stderr, read by a thread: every line goes to a
    log file (shown when the test fails) and to a list a test can wait on."""

    def __init__(self, fd, log_path, cond):
        self.lines = []
        self.eof = False
        self._cond = cond
        self._thread = threading.Thread(target=self._run, args=(fd, log_path), daemon=True)
        self._thread.start()

    def _run(self, fd, log_path):
        with os.fdopen(fd, 'rb') as stream, open(log_path, 'a') as log:
            for raw in stream:
                line = raw.decode(errors='replace').rstrip('\n')
                log.write(line + '\n')
                log.flush()
                with self._cond:
                    self.lines.append(line)
                    self._cond.notify_all()
        with self._cond:
            self.eof = True
            self._cond.notify_all()

    def count(self, text):
        return sum(text in line for line in self.lines)


def free_port():
    """A loopback TCP port nobody listens on now (a race remains; callers retry)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class SimBmc:
    """ipmi_sim with the shipped configuration behind ipmi-sim-bridge on the
    harness's bus, the way tools/ipmi/sim-env.sh starts them."""

    START_ATTEMPTS = 3

    def __init__(self, h):
        require('IPMI_SIM', 'IPMI_SIM_BRIDGE')
        self.h = h
        self.conf = sim_conf_dir()
        self.emu_path = os.path.join(self.conf, 'bmc.emu')
        self.emu = Emu(self.emu_path)
        self.cond = threading.Condition()
        self.port = None
        self.sim = None
        self.sim_out = None
        self.bridge = None
        self.bridge_out = None
        self.bridge_log = None
        self._starts = 0

    def _spawn(self, args, stdout_log, stderr_log):
        """Start a child with its stdout and stderr read by threads."""
        out_r, out_w = os.pipe()
        err_r, err_w = (out_r, out_w) if stderr_log is None else os.pipe()
        for log in {stdout_log, stderr_log} - {None}:
            if log not in self.h.logs:
                self.h.logs.append(log)
        with open(stdout_log, 'a') as f:
            f.write('$ ' + ' '.join(args) + '\n')
        try:
            p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out_w, stderr=err_w,
                                 env=clean_env())
        finally:
            os.close(out_w)
            if err_w != out_w:
                os.close(err_w)
        self.h.procs.append(p)
        out = Output(out_r, stdout_log, self.cond)
        err = out if stderr_log is None else Output(err_r, stderr_log, self.cond)
        return p, out, err

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure(f'{what}: not within {timeout} s')
                self.cond.wait(left)

    def _write_lan_conf(self):
        """The shipped lan.conf with the VM serial line moved to self.port."""
        with open(os.path.join(self.conf, 'lan.conf')) as f:
            lines = f.read().splitlines()
        moved = 0
        for i, line in enumerate(lines):
            words = line.split()
            if words[:3] == ['serial', '15', '127.0.0.1'] and len(words) >= 4:
                lines[i] = line.replace(f' {words[3]}', f' {self.port}', 1)
                moved += 1
        check(moved == 1, f'lan.conf: expected one "serial 15 127.0.0.1 PORT" line, found {moved}')
        conf = self.h.path('lan.conf')
        with open(conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        return conf

    def start_sim(self):
        """(Re)start ipmi_sim on self.port with a fresh state directory:
        with an old one it would add the .emu file's SEL entries again."""
        state = self.h.path('ipmi_sim-state')
        shutil.rmtree(state, ignore_errors=True)
        os.mkdir(state)
        self._starts += 1
        self.sim, self.sim_out, _ = self._spawn(
            [tool('IPMI_SIM'), '-c', self.h.path('lan.conf'), '-f', self.emu_path, '-s', state, '-n'],
            self.h.path(f'ipmi_sim-{self._starts}.log'), None)

    def kill_sim(self, sig=signal.SIGKILL):
        self.sim.send_signal(sig)
        self.sim.wait(10)

    def connections(self):
        return self.bridge_log.count('Connected to ipmi_sim')

    def start(self, *bridge_args):
        """ipmi_sim and the bridge; returns once the bridge printed READY."""
        for attempt in range(1, self.START_ATTEMPTS + 1):
            self.port = free_port()
            self._write_lan_conf()
            self.start_sim()
            # The bridge retries the connection until ipmi_sim listens.
            self.bridge, self.bridge_out, self.bridge_log = self._spawn(
                [tool('IPMI_SIM_BRIDGE'), '--bus', self.h.address, '--port', str(self.port), *bridge_args],
                self.h.path('bridge.out'), self.h.path('bridge.log'))
            sim_out = self.sim_out
            self.wait_for(lambda: 'READY' in self.bridge_out.lines or sim_out.eof or self.bridge_out.eof,
                          10, 'ipmi-sim-bridge READY')
            # READY from a bridge whose ipmi_sim died: it reached someone
            # else's on the port ours could not bind.
            if 'READY' in self.bridge_out.lines and self.sim.poll() is None:
                return
            check(self.sim.poll() is not None or not self.bridge_out.eof,
                  f'ipmi-sim-bridge exited {self.bridge.wait()} before READY')
            # ipmi_sim exited: most likely someone took the port meanwhile.
            self.sim.wait(10)
            self.bridge.terminate()
            self.bridge.wait(10)
            if attempt == self.START_ATTEMPTS:
                raise TestFailure(f'ipmi_sim exited {self.sim.returncode} {attempt} times: '
                                  f'{self.sim_out.lines}')


# --- kcs-host answers ---

def le(data):
    """Little-endian integer from a list of bytes."""
    return sum(b << (8 * i) for i, b in enumerate(data))


def ok(r, what):
    """A raw answer that must be cc 0 (exit 0); its data."""
    check(r.rc == 0 and r.cc == 0, f'{what}: expected cc 0x00, got {r}')
    return r.data
