# SPDX-License-Identifier: Apache-2.0
"""The QEMU side of the test: the ast2600-evb guest, its console, QMP and qtest.

Machine starts qemu-system-arm with the test bed of prepare.sh, reads the
guest's console in a thread (every line also goes to console.log) and talks
to the guest script (guest-init.sh) through its "@@" lines. QEMU is killed
whatever happens: on close(), at exit, and with the test process itself
(PR_SET_PDEATHSIG), and every wait has a deadline.
"""

import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

LPC = '/machine/soc/lpc'


class Failure(Exception):
    """A test failure: the reason, then the console lines that explain it."""

    def __init__(self, reason, lines=()):
        super().__init__(reason)
        self.reason = reason
        self.lines = list(lines)


def _die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _connect_unix(path, proc, deadline, what):
    """Connect to a socket QEMU listens on, once it has created it."""
    while True:
        if proc.poll() is not None:
            raise Failure(f'QEMU exited with status {proc.returncode} before its {what} socket was up')
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(max(0.1, deadline - time.monotonic()))
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise Failure(f'QEMU did not open its {what} socket {path}')
            time.sleep(0.05)


class LineSocket:
    """Line-oriented request/response over a stream socket, with a timeout."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = b''

    def send(self, text):
        self.sock.sendall(text.encode() + b'\n')

    def readline(self):
        while b'\n' not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise Failure('QEMU did not answer on its control socket in time')
            if not chunk:
                raise Failure('QEMU closed its control socket')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return line.decode(errors='replace')

    def close(self):
        self.sock.close()


class Qmp:
    def __init__(self, sock, timeout):
        self.io = LineSocket(sock, timeout)
        greeting = json.loads(self.io.readline())
        if 'QMP' not in greeting:
            raise Failure(f'unexpected QMP greeting {greeting}')
        self.execute('qmp_capabilities')

    def execute(self, cmd, **args):
        msg = {'execute': cmd}
        if args:
            msg['arguments'] = args
        self.io.send(json.dumps(msg))
        while True:
            reply = json.loads(self.io.readline())
            if 'return' in reply:
                return reply['return']
            if 'error' in reply:
                raise Failure(f'QMP {cmd} {args}: {reply["error"].get("desc", reply["error"])}')
            # anything else is an asynchronous event

    def qom_get(self, prop):
        return self.execute('qom-get', path=LPC, property=prop)

    def qom_set(self, prop, value):
        self.execute('qom-set', path=LPC, property=prop, value=value)


class Qtest:
    """qtest's MMIO commands: real bus accesses, with their side effects."""

    def __init__(self, sock, timeout):
        self.io = LineSocket(sock, timeout)

    def _call(self, text):
        self.io.send(text)
        while True:
            line = self.io.readline()
            if line.startswith('OK'):
                return line
            if line.startswith(('FAIL', 'ERR')):
                raise Failure(f'qtest {text}: {line}')
            # "IRQ ..." lines are asynchronous

    def readl(self, addr):
        return int(self._call(f'readl 0x{addr:x}').split()[1], 16)

    def writel(self, addr, value):
        self._call(f'writel 0x{addr:x} 0x{value:x}')


class Machine:
    """One boot of the ast2600-evb guest."""

    def __init__(self, testbed, workdir, boot_timeout, op_timeout, initrd=None, dtb=None, append=''):
        self.testbed = testbed
        self.initrd = initrd or os.path.join(testbed, 'initramfs.gz')
        self.dtb = dtb or os.path.join(testbed, 'ast2600-evb-kcs-uio.dtb')
        self.append = append
        self.workdir = workdir
        self.boot_timeout = boot_timeout
        self.op_timeout = op_timeout
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        self.running = set()  # tags of the kcs-uiod processes that must not exit
        self.pids = {}  # tag -> pid of the last kcs-uiod started under it
        self.next_id = 1
        self.checked = 0  # console lines poll_console() has looked at
        self.proc = None
        self.qmp = None
        self.qtest = None
        self.console_log = os.path.join(workdir, 'console.log')

    # --- start and stop ---

    def start(self):
        """Boot until the guest script is ready for commands."""
        self.launch()
        self.wait_up(self.boot_timeout)

    def wait_up(self, timeout):
        self.wait_line(lambda l: l == '@@up', timeout, 'the guest to come up (@@up from /init)', since=0)

    def launch(self):
        qmp_path = os.path.join(self.workdir, 'qmp.sock')
        qtest_path = os.path.join(self.workdir, 'qtest.sock')
        cmd = [
            'qemu-system-arm', '-M', 'ast2600-evb', '-m', '512M',
            '-accel', 'tcg',
            '-kernel', os.path.join(self.testbed, 'vmlinuz'),
            '-initrd', self.initrd,
            '-dtb', self.dtb,
            '-append', f'console=ttyS4,115200 panic=-1 {self.append}'.strip(),
            '-no-reboot', '-display', 'none', '-monitor', 'none', '-nodefaults',
            '-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console',
            '-qmp', f'unix:{qmp_path},server=on,wait=off',
            '-qtest', f'unix:{qtest_path},server=on,wait=off', '-qtest-log', '/dev/null',
        ]
        self.stderr = open(os.path.join(self.workdir, 'qemu.stderr'), 'w+')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, preexec_fn=_die_with_parent)
        self.reader = threading.Thread(target=self._read_console, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 30
        self.qmp = Qmp(_connect_unix(qmp_path, self.proc, deadline, 'QMP'), self.op_timeout)
        self.qtest = Qtest(_connect_unix(qtest_path, self.proc, deadline, 'qtest'), self.op_timeout)

    def close(self):
        """Power the guest off if it still answers; kill QEMU in any case."""
        if self.proc is None:
            return
        if self.proc.poll() is None and not self.eof:
            try:
                self.send('poweroff')
                self.proc.wait(timeout=30)
            except (Failure, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for c in (self.qmp, self.qtest):
            if c is not None:
                c.io.close()

    # --- the console ---

    def _read_console(self):
        with open(self.console_log, 'w', errors='replace') as log:
            pending = b''
            while True:
                chunk = self.proc.stdout.read1(65536)
                if not chunk:
                    break
                pending += chunk
                *complete, pending = pending.split(b'\n')
                if not complete:
                    continue
                text = [l.decode(errors='replace').replace('\r', '') for l in complete]
                log.write(''.join(t + '\n' for t in text))
                log.flush()
                with self.cond:
                    self.lines.extend(text)
                    self.cond.notify_all()
        with self.cond:
            if pending:
                self.lines.append(pending.decode(errors='replace'))
            self.eof = True
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def tail(self, n=40, pattern=None):
        with self.cond:
            lines = [l for l in self.lines if pattern is None or re.search(pattern, l)]
        return lines[-n:]

    def _unexpected(self, line):
        """A guest line that ends the test whatever is awaited."""
        if line.startswith('@@fail '):
            return Failure(f'guest set-up failed: {line[7:]}', self.tail(40))
        m = re.fullmatch(r'@@exit (\w+) rc=(-?\d+)', line)
        if m and m.group(1) in self.running:
            tag = m.group(1)
            return Failure(f'kcs-uiod {tag} exited unexpectedly with status {m.group(2)}',
                           self.tail(30, rf'^(kcs{tag}|stub): |\] |^@@'))
        return None

    def poll_console(self):
        """Raise if the guest reported a failure or a daemon died since the last look."""
        with self.cond:
            new, self.checked = self.lines[self.checked:], len(self.lines)
            eof = self.eof
        for line in new:
            err = self._unexpected(line)
            if err:
                raise err
        if eof:
            self.proc.wait()
            raise Failure(f'QEMU exited (status {self.proc.returncode})', self._exit_lines())

    def wait_line(self, match, timeout, what, since):
        """The first console line from index since for which match() is true."""
        deadline = time.monotonic() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.lines):
                    line = self.lines[i]
                    i += 1
                    if match(line):
                        return line
                    err = self._unexpected(line)
                    if err:
                        raise err
                if self.eof:
                    self.proc.wait()
                    raise Failure(f'QEMU exited (status {self.proc.returncode}) while waiting for {what}',
                                  self._exit_lines())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure(f'timed out after {timeout} s waiting for {what}', self.tail(40))
                self.cond.wait(left)

    def _exit_lines(self):
        """Why QEMU exited: the kernel's panic line (the other CPU's stack dump after
        it is longer when that CPU was busy), the console's end, QEMU's stderr."""
        last = self.tail(40)
        return [l for l in self.tail(1, r'Kernel panic - ') if l not in last] + last + self._qemu_stderr()

    def _qemu_stderr(self):
        self.stderr.seek(0)
        # The EVB's NICs have no network here: QEMU's warnings about it are noise.
        lines = [l for l in self.stderr.read().splitlines() if not l.endswith('has no peer')]
        return ['qemu: ' + l for l in lines[-10:]]

    # --- commands to the guest script ---

    def send(self, command):
        cid = self.next_id
        self.next_id += 1
        try:
            self.proc.stdin.write(f'{cid} {command}\n'.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise Failure(f'QEMU is gone; could not send "{command}"', self.tail(20))
        return cid

    def run(self, command, since=None):
        """A guest command; returns its exit status."""
        return self.run_output(command, since)[0]

    def run_output(self, command, since=None):
        """A guest command; returns its exit status and the console lines until it ended."""
        since = self.mark() if since is None else since
        cid = self.send(command)
        line = self.wait_line(lambda l: l.startswith(f'@@done {cid} '), self.op_timeout,
                              f'an answer to "{command}"', since)
        with self.cond:
            end = self.lines.index(line, since)
            output = self.lines[since:end]
        return int(line.split('rc=')[1]), output

    def launch_daemon(self, tag, args):
        """kcs-uiod ARGS as TAG; returns its @@ready or @@exit line and its console lines so far."""
        since = self.mark()
        rc = self.run(f'start {tag} {args}', since)
        if rc != 0:
            raise Failure(f'the guest could not start kcs-uiod {tag} (status {rc})', self.tail(20))
        line = self.wait_line(lambda l: l == f'@@ready {tag}' or l.startswith(f'@@exit {tag} '),
                              self.op_timeout, f'kcs-uiod {tag} to log Ready or exit', since)
        pid = next((l.split()[2] for l in self.lines_since(since) if l.startswith(f'@@pid {tag} ')), None)
        if pid:
            self.pids[tag] = int(pid)
        return line, [l[len(f'kcs{tag}: '):] for l in self.lines_since(since) if l.startswith(f'kcs{tag}: ')]

    def lines_since(self, since):
        with self.cond:
            return self.lines[since:]

    def start_daemon(self, tag, args):
        """kcs-uiod ARGS as TAG, until it is ready; returns its log lines so far."""
        line, log = self.launch_daemon(tag, args)
        if line.startswith('@@exit'):
            raise Failure(f'kcs-uiod {tag} ({args}) exited with status {line.split("rc=")[1]} '
                          'before it was ready', self.tail(20, rf'^kcs{tag}: |^@@'))
        self.poll_console()  # earlier exits of this tag were expected ones
        self.running.add(tag)
        return log

    def stop_daemon(self, tag):
        """SIGTERM to kcs-uiod TAG; returns its exit status."""
        self.running.discard(tag)
        since = self.mark()
        rc = self.run(f'stop {tag}', since)
        if rc != 0:
            raise Failure(f'the guest could not signal kcs-uiod {tag} (status {rc})', self.tail(20))
        line = self.wait_line(lambda l: l.startswith(f'@@exit {tag} '), self.op_timeout,
                              f'kcs-uiod {tag} to exit after SIGTERM', since)
        return int(line.split('rc=')[1])

    def kill_daemons(self):
        """SIGKILL to every kcs-uiod still alive, after a failed case; never raises."""
        for tag in list(self.pids):
            self.running.discard(tag)
            with self.cond:
                started = max(i for i, l in enumerate(self.lines) if l.startswith(f'@@pid {tag} '))
                if any(l.startswith(f'@@exit {tag} ') for l in self.lines[started:]):
                    continue
            try:
                self.run(f'kill {tag} KILL')
                self.wait_line(lambda l: l.startswith(f'@@exit {tag} '), self.op_timeout,
                               f'kcs-uiod {tag} to exit after SIGKILL', started)
            except Failure:
                pass

    def sms(self, ch, action):
        rc = self.run(f'sms {ch} {action}')
        if rc != 0:
            raise Failure(f'{action}Attention on channel {ch} failed in the guest (dbus-send status {rc})',
                          self.tail(20))
