# SPDX-License-Identifier: Apache-2.0
"""Integration test harness for kcs-uiod (python3 standard library only).

Every test gets its own temporary directory holding a private dbus-daemon,
the simulated device and the daemon's notify socket, so tests run in
parallel. Nothing waits by sleeping: the bus is up when dbus-daemon prints
its address, ipmi-stub when it prints READY, kcs-uiod when READY=1 arrives
on the notify socket; every wait has a deadline.

Tools come from the environment (meson passes the build paths):
KCS_UIOD, KCS_HOST, IPMI_STUB, DBUS_DAEMON, BUSCTL, VALGRIND. A test that
needs a missing tool exits 77 (meson: SKIP) saying which.
"""

import os
import pwd
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77

# Register offsets of the ASPEED LPC page (docs/design.md section 3).
AST_HICR2 = 0x008
AST_STR = {1: 0x03C, 2: 0x040, 3: 0x044, 4: 0x11C}
AST_HICR2_IBFIE = {1: 1 << 1, 2: 1 << 2, 3: 1 << 3}

STR_OBF = 0x01
STR_IBF = 0x02
STR_SMS_ATN = 0x04
STATE_IDLE, STATE_READ, STATE_WRITE, STATE_ERROR = 0, 1, 2, 3

CHANNEL_IFACE = 'org.kcs_uio.Channel1'
SMS_IFACE = 'xyz.openbmc_project.Ipmi.Channel.SMS'


class Skip(Exception):
    pass


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def tool(var):
    path = os.environ.get(var, '')
    if not path:
        raise Skip(f'{var} is not set: the tool was not found at configure time')
    if not os.access(path, os.X_OK):
        raise Skip(f'{var}={path} is not executable')
    return path


def tool_file(var):
    """A data file the build names in the environment."""
    path = os.environ.get(var, '')
    if not path or not os.path.isfile(path):
        raise Skip(f'{var}={path!r} is not a file')
    return path


def clean_env(**extra):
    """The test's environment without a service manager's variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID', 'LISTEN_FDS', 'LISTEN_PID')}
    env.update(extra)
    return env


def bus_name(name):
    return f'xyz.openbmc_project.Ipmi.Channel.{name}'


def object_path(name):
    return f'/xyz/openbmc_project/Ipmi/Channel/{name}'


def wait_log(path, text, timeout, count=1, proc=None, what='kcs-uiod'):
    """Wait until the log file at path holds text (count times). A file has no
    event to wait for, so it is polled, with a deadline; when proc is given,
    its exit ends the wait early."""
    deadline = time.monotonic() + timeout
    while True:
        with open(path, errors='replace') as f:
            log = f.read()
        if log.count(text) >= count:
            return
        if proc is not None and proc.poll() is not None:
            raise TestFailure(f'{what} exited ({proc.returncode}) before logging {text!r}: {log}')
        if time.monotonic() > deadline:
            raise TestFailure(f'{what} never logged {text!r} {count} time(s) within {timeout} s')
        time.sleep(0.02)


def stop_procs(procs, timeout):
    """SIGTERM to each process still running, newest first; SIGKILL to one
    that is still there timeout seconds later."""
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def write_steps(msg):
    """kcs-host steps for the host's write transfer of msg, last byte included."""
    ops = ['wait-ibf', 'read', 'cmd:61']
    for b in msg[:-1]:
        ops += ['wait-ibf', 'read', f'data:{b:02x}']
    ops += ['wait-ibf', 'read', 'cmd:62', 'wait-ibf', 'read', f'data:{msg[-1]:02x}']
    return ops


class RawResult:
    """kcs-host raw: "cc 0xNN: meaning" then "data: b0 b1 ..."."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.cc = None
        self.data = None
        lines = proc.stdout.splitlines()
        if len(lines) >= 2 and lines[0].startswith('cc 0x') and lines[1].startswith('data:'):
            self.cc = int(lines[0][3:7], 16)
            self.data = [int(x, 16) for x in lines[1][5:].split()]

    def __repr__(self):
        return f'rc={self.rc} cc={self.cc} data={self.data} stderr={self.stderr.strip()!r}'


class Daemon:
    def __init__(self, harness, proc, notify, log):
        self.h = harness
        self.proc = proc
        self.notify = notify
        self.log = log
        self.messages = []
        # The notify socket is read all the time: a full queue would block
        # the daemon's sd_notify() (STATUS= every few seconds in long tests).
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read_notify, daemon=True)
        self._reader.start()

    def _read_notify(self):
        while True:
            try:
                m = self.notify.recv(4096).decode(errors='replace')
            except OSError:
                return
            with self._cond:
                self.messages.append(m)
                self._cond.notify_all()

    def log_text(self):
        with open(self.log, errors='replace') as f:
            return f.read()

    def wait_notify(self, predicate, timeout, what):
        """Wait for a notify datagram with a line for which predicate is true."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages:
                    if any(predicate(line) for line in m.splitlines()):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure(f'no {what} from kcs-uiod within {timeout} s; got {self.messages}')
                if self.proc.poll() is not None:
                    raise TestFailure(f'kcs-uiod exited with {self.proc.returncode} before {what}')
                self._cond.wait(min(left, 0.2))

    def wait_log(self, text, timeout, count=1):
        """Wait until the daemon's stderr holds text (count times)."""
        wait_log(self.log, text, timeout, count=count)

    def memory_kb(self):
        """VmRSS and VmHWM (peak) of the running daemon, in kB."""
        with open(f'/proc/{self.proc.pid}/status') as f:
            fields = dict(line.split(':', 1) for line in f if ':' in line)
        return int(fields['VmRSS'].split()[0]), int(fields['VmHWM'].split()[0])

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure(f'kcs-uiod still running {timeout} s after signal {sig}')

    def alive(self):
        return self.proc.poll() is None


class Harness:
    def __init__(self, name):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix=f'kcs-{name}-')
        self.procs = []
        self.logs = []
        self.daemons = []
        self.address = None
        self.sim = os.path.join(self.tmp, 'sim')
        self.kcs_uiod = tool('KCS_UIOD')
        self._n = 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def _log(self, what):
        self._n += 1
        p = self.path(f'{self._n:02d}-{what}.log')
        self.logs.append(p)
        return p

    def _spawn(self, args, what, **kw):
        log = self._log(what)
        with open(log, 'w') as f:
            f.write('$ ' + ' '.join(args) + '\n')
            f.flush()
            p = subprocess.Popen(args, stderr=f, **kw)
        self.procs.append(p)
        return p, log

    @staticmethod
    def _read_line(proc, timeout, what):
        deadline = time.monotonic() + timeout
        buf = b''
        fd = proc.stdout.fileno()
        while b'\n' not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure(f'{what}: no line on stdout within {timeout} s')
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise TestFailure(f'{what} exited ({proc.wait()}) before printing a line')
                buf += chunk
        return buf.split(b'\n', 1)[0].decode()

    # --- the bus ---

    def start_bus(self, extra_policy=''):
        """A permissive private bus (the development setup); extra_policy: more rules for everybody."""
        conf = self.path('bus.conf')
        with open(conf, 'w') as f:
            f.write(f'''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={self.path("bus")}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
    {extra_policy}
  </policy>
</busconfig>
''')
        return self._run_bus(conf)

    def start_system_like_bus(self):
        """A bus like the system bus (deny by default, system limits) with the shipped
        policy; this user stands in for kcs-uiod's account and the IPMI service."""
        with open(tool_file('SYSTEM_LIKE_BUS_CONF')) as f:
            template = f.read()
        conf = self.path('bus.conf')
        with open(conf, 'w') as f:
            f.write(template.replace('@SOCKET@', self.path('bus'))
                    .replace('@POLICY@', tool_file('KCS_DBUS_POLICY'))
                    .replace('@USER@', pwd.getpwuid(os.getuid()).pw_name))
        os.chmod(self.tmp, 0o755)  # another user's peers must reach the socket
        return self._run_bus(conf)

    def _run_bus(self, conf):
        dbus_daemon = tool('DBUS_DAEMON')
        p, _ = self._spawn([dbus_daemon, f'--config-file={conf}', '--nofork', '--print-address=1'],
                           'dbus-daemon', stdout=subprocess.PIPE)
        self.address = self._read_line(p, 10, 'dbus-daemon').strip()
        check(self.address.startswith('unix:'), f'odd bus address {self.address!r}')
        return self.address

    def busctl(self, *args, check_rc=True):
        r = subprocess.run([tool('BUSCTL'), f'--address={self.address}', *args],
                           capture_output=True, text=True, timeout=30)
        if check_rc:
            check(r.returncode == 0, f'busctl {" ".join(args)} failed ({r.returncode}): {r.stderr.strip()}')
        return r

    def prop(self, name, prop):
        out = self.busctl('get-property', bus_name(name), object_path(name), CHANNEL_IFACE, prop).stdout.split(None, 1)
        if out[0] == 's':
            return out[1].strip().strip('"')
        return int(out[1])

    def wait_prop(self, name, prop, value, timeout):
        """Wait until a property reads value (polled with a deadline)."""
        deadline = time.monotonic() + timeout
        while self.prop(name, prop) != value:
            if time.monotonic() > deadline:
                raise TestFailure(f'{prop} of {name} never became {value} within {timeout} s')
            time.sleep(0.02)

    def unique_names(self, pid):
        """The unique names of process pid's connections."""
        rows = [line.split() for line in self.busctl('list', '--no-legend', '--unique').stdout.splitlines()]
        return [r[0] for r in rows if len(r) > 1 and r[1] == str(pid)]

    def props(self, name, *props):
        return {p: self.prop(name, p) for p in props}

    def sms(self, name, method, check_rc=True):
        return self.busctl('call', bus_name(name), object_path(name), SMS_IFACE, method, check_rc=check_rc)

    def bus_names(self):
        return self.busctl('list', '--no-legend').stdout.split()

    # --- the IPMI service stand-in ---

    def start_stub(self, *args):
        p, line = self.start_tool([tool('IPMI_STUB'), '--bus', self.address, *args], 'ipmi-stub')
        check(line == 'READY', f'ipmi-stub said {line!r}, expected READY')
        return p

    def start_tool(self, args, what, timeout=10):
        """A process that prints a line once ready: (process, that line)."""
        p, _ = self._spawn(args, what, stdout=subprocess.PIPE)
        return p, self._read_line(p, timeout, what)

    # --- the daemon ---

    def daemon_args(self, channels=('3:ipmi_kcs3',), chip='ast2600', sim=None, extra=()):
        args = [self.kcs_uiod, '--sim', sim or self.sim, '--chip', chip]
        for c in channels:
            args += ['--channel', c]
        # --bus takes one value: a test's own replaces the private bus.
        bus = [] if '--bus' in extra else ['--bus', self.address]
        return args + bus + [*extra]

    def start_daemon(self, *extra, channels=('3:ipmi_kcs3',), chip='ast2600', sim=None,
                     wrapper=(), env=None, ready_timeout=15, managed=True):
        """managed=False: no NOTIFY_SOCKET, as when started outside systemd."""
        notify_path = self.path(f'notify{len(self.daemons)}')
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        e = clean_env(NOTIFY_SOCKET=notify_path) if managed else clean_env()
        e.update(env or {})
        args = [*wrapper, *self.daemon_args(channels, chip, sim, extra)]
        p, log = self._spawn(args, 'kcs-uiod', stdout=subprocess.DEVNULL, env=e)
        d = Daemon(self, p, notify, log)
        self.daemons.append(d)
        if managed:
            d.wait_notify(lambda line: line == 'READY=1', ready_timeout, 'READY=1')
        else:
            d.wait_log('Ready:', ready_timeout)
        return d

    def run_daemon(self, args, timeout=20):
        """Run kcs-uiod to completion (start-up failures): (rc, stderr)."""
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=clean_env())
        return r.returncode, r.stderr

    # --- the host ---

    def host(self, *args, channel=3, chip='ast2600', opts=(), timeout=60):
        cmd = [tool('KCS_HOST'), '--sim', self.sim, '--chip', chip, '--channel', str(channel),
               *opts, *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def host_bg(self, *args, channel=3, chip='ast2600', opts=()):
        cmd = [tool('KCS_HOST'), '--sim', self.sim, '--chip', chip, '--channel', str(channel),
               *opts, *args]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def raw(self, netfn, cmd, *data, channel=3, opts=()):
        r = RawResult(self.host('raw', f'{netfn:02x}', f'{cmd:02x}', *[f'{b:02x}' for b in data],
                                channel=channel, opts=opts))
        return r

    def steps(self, *ops, channel=3):
        r = self.host('steps', *ops, channel=channel)
        check(r.returncode == 0, f'kcs-host steps failed ({r.returncode}): {r.stderr.strip()}')
        return r

    # --- the simulated registers ---

    def reg32(self, offset):
        with open(os.path.join(self.sim, 'regs'), 'rb') as f:
            data = f.read()
        return struct.unpack_from('<I', data, offset)[0]

    def str_reg(self, channel=3):
        return self.reg32(AST_STR[channel]) & 0xFF

    def state(self, channel=3):
        return self.str_reg(channel) >> 6

    # --- teardown ---

    def finish(self):
        """Success path: every daemon still running must shut down cleanly."""
        for d in self.daemons:
            if d.alive():
                rc = d.stop()
                check(rc == 0, f'kcs-uiod exited {rc} on SIGTERM at the end of the test')

    def close(self, failed):
        stop_procs(self.procs, 5)
        for p in self.procs:
            for s in (p.stdout, p.stderr):
                if s:
                    s.close()
        for d in self.daemons:
            d.notify.close()
        if failed:
            for log in self.logs:
                with open(log, errors='replace') as f:
                    sys.stdout.write(f'--- {os.path.basename(log)} ---\n{f.read()}\n')
        shutil.rmtree(self.tmp, ignore_errors=True)


class RawPeer:
    """A bare D-Bus connection (EXTERNAL auth, Hello) that can send what no
    library would: replies to calls somebody else made, as a hostile peer
    guessing serials would."""

    def __init__(self, address, timeout=10):
        path = dict(kv.split('=', 1) for kv in address.split(':', 1)[1].split(','))['path']
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.serial = 0
        uid = str(os.getuid()).encode().hex().encode()
        self.sock.sendall(b'\0AUTH EXTERNAL ' + uid + b'\r\n')
        line = self._line()
        check(line.startswith(b'OK '), f'bus refused EXTERNAL auth: {line!r}')
        self.sock.sendall(b'BEGIN\r\n')
        self.send(1, [(1, 'o', '/org/freedesktop/DBus'), (2, 's', 'org.freedesktop.DBus'),
                      (3, 's', 'Hello'), (6, 's', 'org.freedesktop.DBus')])
        self._until_reply()

    def _line(self):
        buf = b''
        while not buf.endswith(b'\r\n'):
            chunk = self.sock.recv(1)
            check(chunk, 'bus closed the connection during auth')
            buf += chunk
        return buf

    @staticmethod
    def _pad(buf, n):
        return buf + b'\0' * (-len(buf) % n)

    def send(self, mtype, fields, signature='', body=b'', flags=0):
        """One message: fields are (code, 'o'|'s'|'u'|'g', value)."""
        self.serial += 1
        if signature:
            fields = fields + [(8, 'g', signature)]
        arr = b''
        for code, t, v in fields:
            arr = self._pad(arr, 8) + bytes([code, 1, ord(t), 0])
            if t in 'os':
                arr = self._pad(arr, 4) + struct.pack('<I', len(v)) + v.encode() + b'\0'
            elif t == 'u':
                arr = self._pad(arr, 4) + struct.pack('<I', v)
            else:
                arr += bytes([len(v)]) + v.encode() + b'\0'
        head = struct.pack('<cBBBIII', b'l', mtype, flags, 1, len(body), self.serial, len(arr)) + arr
        self.sock.sendall(self._pad(head, 8) + body)

    def _until_reply(self):
        """Read messages until the reply to Hello."""
        buf = b''
        while True:
            while len(buf) < 16:
                buf += self.sock.recv(4096)
            body_len, _, fields_len = struct.unpack_from('<III', buf, 4)
            total = 16 + fields_len + (-fields_len % 8) + body_len
            while len(buf) < total:
                buf += self.sock.recv(4096)
            mtype = buf[1]
            buf = buf[total:]
            check(mtype != 3, 'the bus answered Hello with an error')
            if mtype == 2:
                return

    def forge_replies(self, dest, serials, body_sig, body):
        """A method return to each of @serials of @dest's calls."""
        for serial in serials:
            self.send(2, [(5, 'u', serial), (6, 's', dest)], body_sig, body, flags=1)

    def close(self):
        self.sock.close()


def main(tests):
    if len(sys.argv) != 2 or sys.argv[1] not in tests:
        print(f'usage: {sys.argv[0]} TEST  (tests: {", ".join(tests)})')
        return 2
    name = sys.argv[1]
    failed = True
    h = None
    try:
        h = Harness(name)
        tests[name](h)
        h.finish()
        failed = False
        print(f'PASS {name}')
        return 0
    except Skip as e:
        failed = False
        print(f'SKIP {name}: {e}')
        return SKIP
    except Exception:
        traceback.print_exc(file=sys.stdout)
        print(f'FAIL {name}')
        return 1
    finally:
        if h:
            h.close(failed)
