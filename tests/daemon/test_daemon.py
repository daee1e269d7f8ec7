#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""kcs-uiod end to end on the simulated device: host (kcs-host) -> daemon ->
private D-Bus -> ipmi-stub and back. One scenario per meson test:

    test_daemon.py NAME
"""

import fcntl
import os
import pwd
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (AST_HICR2, AST_HICR2_IBFIE, STATE_ERROR, STATE_IDLE, STR_SMS_ATN,  # noqa: E402
                     RawPeer, RawResult, bus_name, check, clean_env, main, tool, wait_log, write_steps)

NETFN_APP, NETFN_OEM = 0x06, 0x30
GET_DEVICE_ID = 0x01
OEM_ECHO, OEM_DELAY, OEM_DBUS_ERROR, OEM_NO_REPLY, OEM_MALFORMED, OEM_OVERSIZE = 1, 2, 3, 4, 5, 6
OEM_SERVICE_UNKNOWN, OEM_EXIT = 7, 8
CH = 'ipmi_kcs3'


def request(netfn, cmd, *data):
    return [netfn << 2, cmd, *data]


def le16(n):
    return [n & 0xFF, n >> 8]


def get_device_id(h, channel=3):
    r = h.raw(NETFN_APP, GET_DEVICE_ID, channel=channel)
    check(r.rc == 0 and r.cc == 0, f'Get Device ID failed: {r}')
    # Device ID, revision, firmware x2, IPMI version, support, manufacturer x3, product x2
    check(len(r.data) >= 11, f'Get Device ID answer too short: {r.data}')
    return r


def test_roundtrip(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    ready = d.wait_notify(lambda line: line == 'READY=1', 1, 'READY=1')
    check('STATUS=Serving 1 channel' in ready, f'READY=1 came without STATUS=: {ready!r}')
    check(h.state() == STATE_ERROR, 'start-up did not force-abort the channel (state is not ERROR)')

    get_device_id(h)
    c = h.props(CH, 'Requests', 'Responses', 'Phase', 'Channel', 'Chip')
    check(c == {'Requests': 1, 'Responses': 1, 'Phase': 'idle', 'Channel': 3, 'Chip': 'ast2600'},
          f'unexpected properties {c}')
    check(h.state() == STATE_IDLE, 'channel not IDLE after the round trip')


def test_timeout(h):
    h.start_bus()
    h.start_stub()
    h.start_daemon('--timeout', '300')

    t0 = time.monotonic()
    r = h.raw(NETFN_OEM, OEM_NO_REPLY)
    elapsed = time.monotonic() - t0
    check(r.rc == 1 and r.cc == 0xC3, f'never-answered call: expected cc 0xC3, got {r}')
    # A bound, not a benchmark: 300 ms plus a generous margin for slow CI.
    check(elapsed < 0.3 + 3.0, f'0xC3 took {elapsed:.2f} s with --timeout 300')
    check(h.prop(CH, 'UpstreamTimeouts') == 1, 'UpstreamTimeouts not counted')
    get_device_id(h)


def test_no_service(h):
    h.start_bus()
    d = h.start_daemon()

    r = h.raw(NETFN_APP, GET_DEVICE_ID)
    check(r.rc == 1 and r.cc == 0xD5, f'no IPMI service: expected cc 0xD5, got {r}')
    check(h.prop(CH, 'UpstreamNoService') == 1, 'UpstreamNoService not counted')
    check('IPMI service not running: nobody owns xyz.openbmc_project.Ipmi.Host' in d.log_text(),
          'missing service not logged')

    h.start_stub()
    d.wait_log('xyz.openbmc_project.Ipmi.Host is now served by :', 10)
    get_device_id(h)
    check(h.prop(CH, 'Responses') == 2, 'daemon did not answer both requests')


def test_service_vanished(h):
    """The service dies with the call in flight: told at once, not as a timeout."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon('--timeout', '60000')

    r = h.raw(NETFN_OEM, OEM_EXIT)
    check(r.rc == 1 and r.cc == 0xCE, f'service died mid-call: expected cc 0xCE, got {r}')
    c = h.props(CH, 'UpstreamVanished', 'UpstreamTimeouts', 'UpstreamNoService', 'UpstreamServiceErrors')
    check(c == {'UpstreamVanished': 1, 'UpstreamTimeouts': 0, 'UpstreamNoService': 0, 'UpstreamServiceErrors': 0},
          f'counters {c}')
    log = d.log_text()
    check('left the bus without answering' in log and 'within 60000 ms' not in log,
          'the vanished service was not logged as such')

    # Back with another unique name: followed, and called there.
    h.start_stub()
    d.wait_log('xyz.openbmc_project.Ipmi.Host is now served by :', 10, count=2)
    get_device_id(h)


def test_bus_error(h):
    """The bus refuses the call (policy): the bus's error, not the service's."""
    h.start_bus(extra_policy='<deny send_interface="xyz.openbmc_project.Ipmi.Server" send_member="execute"/>')
    h.start_stub()
    d = h.start_daemon()

    r = h.raw(NETFN_APP, GET_DEVICE_ID)
    check(r.rc == 1 and r.cc == 0xD3, f'call refused by the bus: expected cc 0xD3, got {r}')
    c = h.props(CH, 'UpstreamBusErrors', 'UpstreamServiceErrors', 'UpstreamNoService')
    check(c == {'UpstreamBusErrors': 1, 'UpstreamServiceErrors': 0, 'UpstreamNoService': 0}, f'counters {c}')
    check('the bus did not deliver the call to :' in d.log_text() and 'AccessDenied' in d.log_text(),
          'the refused call was not logged as such')


def test_foreign_reply(h):
    """A third peer answers the daemon's call with a guessed serial: dropped, counted."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()

    # The service answers after 1.5 s; meanwhile the forger tries every small serial.
    host = h.host_bg('raw', f'{NETFN_OEM:02x}', f'{OEM_DELAY:02x}', *[f'{b:02x}' for b in le16(1500)], 'bb')
    h.wait_prop(CH, 'Requests', 1, 10)
    peer = RawPeer(h.address)
    forged = bytes([NETFN_OEM | 1, 0, OEM_DELAY, 0]) + struct.pack('<I', 3) + b'\xee\xee\xee'
    for name in h.unique_names(d.proc.pid):
        peer.forge_replies(name, range(1, 65), 'yyyyay', forged)
    peer.close()
    out, err = host.communicate(timeout=60)
    r = RawResult(SimpleNamespace(returncode=host.returncode, stdout=out, stderr=err))
    check(r.cc == 0 and r.data == [*le16(1500), 0xBB], f'the host did not get the service\'s answer: {r}')
    c = h.props(CH, 'ForeignReplies', 'Responses', 'UpstreamServiceErrors')
    check(c == {'ForeignReplies': 1, 'Responses': 1, 'UpstreamServiceErrors': 0}, f'counters {c}')
    check('not from the IPMI service' in d.log_text(), 'the forged reply was not logged')


def test_upstream_errors(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()

    r = h.raw(NETFN_OEM, OEM_DBUS_ERROR)
    check(r.cc == 0xFF, f'D-Bus error: expected 0xFF, got {r}')
    r = h.raw(NETFN_OEM, OEM_MALFORMED)
    check(r.cc == 0xFF, f'malformed reply: expected 0xFF, got {r}')
    # The service's own ServiceUnknown is the service's error, not a missing service.
    r = h.raw(NETFN_OEM, OEM_SERVICE_UNKNOWN)
    check(r.cc == 0xFF, f'ServiceUnknown from the service: expected 0xFF, got {r}')
    r = h.raw(NETFN_OEM, OEM_OVERSIZE, *le16(1021))
    check(r.cc == 0 and len(r.data) == 1021, f'reply of exactly --buffer-size refused: rc={r.rc} cc={r.cc}')
    r = h.raw(NETFN_OEM, OEM_OVERSIZE, *le16(1022))
    check(r.cc == 0xCA and r.data == [], f'oversize reply: expected 0xCA, got {r}')
    c = h.props(CH, 'UpstreamServiceErrors', 'UpstreamNoService', 'OversizeResponses', 'Responses')
    check(c == {'UpstreamServiceErrors': 3, 'UpstreamNoService': 0, 'OversizeResponses': 1, 'Responses': 5},
          f'counters {c}')
    log = d.log_text()
    check("malformed reply: signature 's'" in log, 'malformed reply not logged')
    check('answered with the error org.freedesktop.DBus.Error.ServiceUnknown' in log
          and 'not running' not in log, "the service's own ServiceUnknown was logged as a missing service")
    check('over the 1024 byte buffer' in log, 'oversize reply not logged')


def test_restart_stale(h):
    """The host restarts while upstream still works on its last request."""
    h.start_bus()
    h.start_stub()
    h.start_daemon()

    # Echo after 1000 ms, marked 0xaa; stop right after its last byte.
    h.steps(*write_steps(request(NETFN_OEM, OEM_DELAY, *le16(1000), 0xAA)))
    # A new transfer while that call is in flight: WRITE_START drops it.
    r = get_device_id(h)
    check(0xAA not in r.data, f'host got the stale echo: {r}')
    # Outlast the first call: its reply reaches the daemon before this one's.
    r = h.raw(NETFN_OEM, OEM_DELAY, *le16(1500), 0xBB)
    check(r.cc == 0 and r.data == [*le16(1500), 0xBB], f'delayed echo wrong: {r}')
    c = h.props(CH, 'Restarts', 'StaleResponses', 'Requests', 'Responses')
    # The dropped call was cancelled, so its reply never even reached the state machine.
    check(c == {'Restarts': 1, 'StaleResponses': 0, 'Requests': 3, 'Responses': 2}, f'counters {c}')


def test_abort_pending(h):
    h.start_bus()
    h.start_stub()
    h.start_daemon()

    h.steps(*write_steps(request(NETFN_OEM, OEM_DELAY, *le16(1000), 0xAA)))
    r = h.host('abort')
    check(r.returncode == 0 and r.stdout.startswith('status 0x01'),
          f'abort while waiting: expected status 0x01, got rc={r.returncode} {r.stdout!r} {r.stderr!r}')
    r = h.raw(NETFN_OEM, OEM_DELAY, *le16(1500), 0xBB)
    check(r.cc == 0 and r.data == [*le16(1500), 0xBB], f'transaction after the abort: {r}')
    c = h.props(CH, 'HostAborts', 'Responses', 'StaleResponses')
    check(c == {'HostAborts': 1, 'Responses': 1, 'StaleResponses': 0}, f'counters {c}')


def test_length_error(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon('--buffer-size', '16')

    r = h.raw(NETFN_OEM, OEM_ECHO, *range(20), opts=('--retries', '0'))
    check(r.rc == 3 and 'status 0x06' in r.stderr,
          f'request over --buffer-size: expected the error exit with status 0x06, got {r}')
    check(h.prop(CH, 'LengthErrors') == 1, 'LengthErrors not counted')
    check('longer than the 16 byte buffer' in d.log_text(), 'length error not logged')
    # A request of exactly --buffer-size is fine; its echo (3 bytes more) is not.
    r = h.raw(NETFN_OEM, OEM_ECHO, *range(14))
    check(r.cc == 0xCA, f'16-byte request, 17-byte echo: expected 0xCA, got {r}')
    r = h.raw(NETFN_OEM, OEM_ECHO, *range(13))
    check(r.cc == 0 and r.data == list(range(13)), f'16-byte echo: {r}')
    check(h.prop(CH, 'LengthErrors') == 1, 'a request within the limit counted as a length error')


def test_sms_attention(h):
    h.start_bus()
    h.start_daemon()
    before = h.str_reg()
    check(not before & STR_SMS_ATN, f'SMS_ATN set at start: STR 0x{before:02x}')

    h.sms(CH, 'setAttention')
    after = h.str_reg()
    check(after & STR_SMS_ATN, f'setAttention: STR 0x{after:02x} lacks SMS_ATN')
    check(after & ~STR_SMS_ATN == before, f'setAttention changed other bits: 0x{before:02x} -> 0x{after:02x}')
    r = h.host('status')
    check('SMS_ATN 1' in r.stdout, f'kcs-host status does not see SMS_ATN: {r.stdout!r}')

    h.sms(CH, 'clearAttention')
    check(h.str_reg() == before, f'clearAttention: STR 0x{h.str_reg():02x}, expected 0x{before:02x}')


def test_force_abort(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    get_device_id(h)
    check(h.state() == STATE_IDLE, 'not IDLE after a round trip')

    h.sms(CH, 'forceAbort')
    check(h.state() == STATE_ERROR, f'forceAbort: state {h.state()}, expected ERROR (3)')
    c = h.props(CH, 'ForceAborts', 'Phase')
    check(c == {'ForceAborts': 2, 'Phase': 'error'}, f'after forceAbort: {c}')  # start-up + D-Bus
    check('force abort requested over D-Bus' in d.log_text(), 'forceAbort not logged')

    get_device_id(h)
    check(h.state() == STATE_IDLE, 'the channel did not recover')


def test_sigterm(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    ibfie = AST_HICR2_IBFIE[3]
    check(h.reg32(AST_HICR2) & ibfie, 'IBF interrupt not enabled while serving')
    get_device_id(h)

    # Shut down with a call in flight that would never be answered.
    h.steps(*write_steps(request(NETFN_OEM, OEM_NO_REPLY)))
    rc = d.stop(signal.SIGTERM)
    check(rc == 0, f'SIGTERM: exit status {rc}, expected 0')
    check(h.state() == STATE_ERROR, f'after SIGTERM: state {h.state()}, expected ERROR')
    check(not h.reg32(AST_HICR2) & ibfie, 'after SIGTERM: IBF interrupt still enabled in HICR2')
    d.wait_notify(lambda line: line == 'STOPPING=1', 5, 'STOPPING=1')
    check('Stopped' in d.log_text(), 'no final log line')


def test_sigint(h):
    h.start_bus()
    d = h.start_daemon()
    rc = d.stop(signal.SIGINT)
    check(rc == 0, f'SIGINT: exit status {rc}')
    check(h.state() == STATE_ERROR, 'after SIGINT: not in ERROR state')


def test_sighup(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    get_device_id(h)
    d.proc.send_signal(signal.SIGHUP)
    d.wait_log('<5>ch3 ipmi_kcs3: phase idle; requests 1, responses 1,', 10)
    check(d.alive(), 'SIGHUP ended the daemon')


def test_status(h):
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    get_device_id(h)
    # Refreshed on a timer (2 s), not per request.
    d.wait_notify(lambda line: line.startswith('STATUS=Serving 1 channel: 1 requests, 1 responses'),
                  10, 'a STATUS= with the request counted')


def test_watchdog(h):
    h.start_bus()
    d = h.start_daemon(env={'WATCHDOG_USEC': '200000'})
    # Periodic: a second ping after the first (at half of WATCHDOG_USEC).
    for _ in range(2):
        m = d.wait_notify(lambda line: line == 'WATCHDOG=1', 10, 'WATCHDOG=1')
        d.messages.remove(m)


def test_two_channels(h):
    """One process, one interrupt (one --sim device), two channels and names."""
    h.start_bus()
    h.start_stub()
    h.start_daemon(channels=('2:ipmi_kcs2', '3:ipmi_kcs3'))
    names = h.bus_names()
    for n in ('ipmi_kcs2', 'ipmi_kcs3'):
        check(bus_name(n) in names, f'{bus_name(n)} not on the bus')

    # Both hosts at once: every interrupt serves whichever channel has IBF.
    hosts = [h.host_bg('bench', '--count', '200', channel=ch) for ch in (2, 3)]
    for ch, p in zip((2, 3), hosts):
        out, err = p.communicate(timeout=120)
        check(p.returncode == 0, f'bench on channel {ch} failed ({p.returncode}): {out} {err}')
    for n in ('ipmi_kcs2', 'ipmi_kcs3'):
        c = h.props(n, 'Requests', 'Responses', 'Restarts', 'IllegalCodes', 'LengthErrors')
        check(c == {'Requests': 200, 'Responses': 200, 'Restarts': 0, 'IllegalCodes': 0, 'LengthErrors': 0},
              f'{n}: {c}')
        # The neighbour's thousands of interrupts are not this channel's spurious ones
        # (a few are: simulated interrupts coalesce, and a drained FIFO can still wake us).
        spurious = h.prop(n, 'SpuriousInterrupts')
        check(spurious < 100, f'{n}: {spurious} spurious interrupts: the other channel\'s counted')
    get_device_id(h, channel=2)
    get_device_id(h, channel=3)


def test_bad_cmdline(h):
    h.address = 'unix:path=/nonexistent'
    base = [h.kcs_uiod, '--sim', h.sim, '--chip', 'ast2600']
    cases = [
        (['--channel', '3:'], "--channel '3:': missing NAME"),
        (['--channel', '3:a-b'], "--channel '3:a-b': NAME may hold only"),
        (['--channel', '9:a'], "--channel '9:a': ast2600 has no KCS channel 9"),
        (['--channel', '3:a', '--timeout', '0'], "--timeout '0'"),
        (['--channel', '3:a', '--buffer-size', '5000'], "--buffer-size '5000'"),
        (['--channel', '3:a', '--bus', 'nowhere'], "--bus 'nowhere'"),
        # Malformed addresses are usage errors too, not failures to connect (exit 1).
        (['--channel', '3:a', '--bus', 'x:y=z'], "--bus 'x:y=z': unknown transport 'x'"),
        (['--channel', '3:a', '--bus', 'unix:path=/' + 'x' * 200], 'unix: socket path of 201 bytes'),
        (['--channel', '3:a', '--chip', 'ast2500'], "--chip 'ast2500': given twice"),
        (['--channel', '3:a,addr=0xca2', '--channel', '4:b,addr=0xca3'], 'I/O port 0xca3 is also a port'),
        # A name is quoted with \xNN escapes, never as half a UTF-8 character.
        (['--channel', b'3:k\xc3\xa9'], "--channel '3:k\\xc3\\xa9': NAME may hold only"),
        (['--channel', '3:a', '--log-level', 'loud'], "--log-level 'loud'"),
        (['--channel', '3:a', '--nope'], "unknown option '--nope'"),
        (['--channel', '3:a', '--uio', 'x'], '--uio and --sim exclude each other'),
        ([], 'missing --channel'),
    ]
    for extra, want in cases:
        rc, err = h.run_daemon(base + extra)
        lines = err.splitlines()
        check(rc == 2, f'{extra}: exit {rc}, expected 2 ({err!r})')
        check(len(lines) == 1 and lines[0].startswith('kcs-uiod: ') and want in lines[0],
              f'{extra}: expected one line with {want!r}, got {err!r}')
    rc, err = h.run_daemon([h.kcs_uiod, '--chip', 'ast2600', '--channel', '3:a'])
    check(rc == 2 and 'missing device' in err, f'no device: {rc} {err!r}')
    r = subprocess.run([h.kcs_uiod, '--help'], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith('Usage: kcs-uiod'), f'--help: {r}')
    r = subprocess.run([h.kcs_uiod, '--version'], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith('kcs-uiod '), f'--version: {r}')
    check(not os.path.exists(h.sim), 'a rejected command line touched the device')


def test_name_taken(h):
    h.start_bus()
    h.start_stub()
    first = h.start_daemon()
    get_device_id(h)

    # Same channel, same device: refused before it touches the registers.
    rc, err = h.run_daemon(h.daemon_args())
    check(rc == 1, f'second daemon: exit {rc}, expected 1 ({err!r})')
    check(f'bus name {bus_name(CH)} is already owned by another process' in err,
          f'second daemon: unclear message {err!r}')
    check(first.alive(), 'the first daemon died')
    check(h.prop(CH, 'ForceAborts') == 1, 'the second daemon disturbed the channel')
    get_device_id(h)


def test_no_bus(h):
    h.address = 'unix:path=' + h.path('no-such-bus')
    rc, err = h.run_daemon(h.daemon_args())
    check(rc == 1, f'unreachable bus: exit {rc}, expected 1 ({err!r})')
    check('Failed to connect to the bus at unix:path=' in err, f'unclear message {err!r}')


def test_valgrind(h):
    """1000 transactions under valgrind, then SIGTERM: no errors, no leaks."""
    valgrind = tool('VALGRIND')
    h.start_bus()
    h.start_stub()
    vlog = h.path('valgrind.log')
    h.logs.append(vlog)
    d = h.start_daemon(wrapper=(valgrind, '--leak-check=full', '--errors-for-leak-kinds=definite,indirect',
                                '--error-exitcode=99', f'--log-file={vlog}'),
                       ready_timeout=120)
    r = h.host('bench', '--count', '1000', timeout=600)
    check(r.returncode == 0, f'bench under valgrind failed ({r.returncode}): {r.stdout} {r.stderr}')
    check(h.prop(CH, 'Responses') == 1000, 'not every transaction answered')
    # Cover the failure paths too: timeout, missing reply, oversize, abort.
    r = h.raw(NETFN_OEM, OEM_DBUS_ERROR)
    check(r.cc == 0xFF, f'{r}')
    r = h.raw(NETFN_OEM, OEM_OVERSIZE, *le16(2000))
    check(r.cc == 0xCA, f'{r}')
    h.steps(*write_steps(request(NETFN_OEM, OEM_NO_REPLY)))
    rc = d.stop(timeout=120)
    check(rc == 0, f'kcs-uiod under valgrind exited {rc} (99: valgrind found errors or leaks)')


def test_session_bus(h):
    """--bus session finds the bus through DBUS_SESSION_BUS_ADDRESS."""
    h.start_bus()
    h.start_stub()
    h.start_daemon('--bus', 'session', env={'DBUS_SESSION_BUS_ADDRESS': h.address})
    get_device_id(h)


def test_bus_lost(h):
    """Without its bus the daemon cannot serve: exit 1, channel left in ERROR."""
    h.start_bus()
    d = h.start_daemon()
    bus = h.procs[0]
    bus.terminate()
    bus.wait(10)
    try:
        rc = d.proc.wait(10)
    except subprocess.TimeoutExpired:
        rc = 'none: still running 10 s later'
    check(rc == 1, f'bus lost: exit status {rc}, expected 1')
    check('D-Bus connection failed' in d.log_text(), 'lost bus not logged')
    check(h.state() == STATE_ERROR, 'bus lost: channel not left in ERROR state')


def test_bad_device(h):
    h.start_bus()
    not_a_dir = h.path('file')
    open(not_a_dir, 'w').close()
    rc, err = h.run_daemon(h.daemon_args(sim=not_a_dir))
    check(rc == 1 and not_a_dir in err, f'--sim on a file: exit {rc}, {err!r}')
    rc, err = h.run_daemon([h.kcs_uiod, '--uio', 'kcs3', '--uio-sysfs', h.path('no-sysfs'),
                            '--chip', 'ast2600', '--channel', '3:ipmi_kcs3', '--bus', h.address])
    check(rc == 1 and h.path('no-sysfs') in err, f'--uio without sysfs: exit {rc}, {err!r}')
    # The names were released with the connection: a good start-up works now.
    h.start_daemon()


def test_storm(h):
    """Interrupts with no IBF anywhere: counted, reported once, loudly."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    irq = os.open(os.path.join(h.sim, 'irq'), os.O_WRONLY | os.O_NONBLOCK)
    try:
        for i in range(1100):
            os.write(irq, b'x')
            # One interrupt at a time: wait until the daemon drained the FIFO.
            deadline = time.monotonic() + 10
            while struct.unpack('i', fcntl.ioctl(irq, termios.FIONREAD, b'\0\0\0\0'))[0]:
                check(time.monotonic() < deadline, f'interrupt {i} never consumed')
    finally:
        os.close(irq)
    d.wait_log('interrupt storm on sim ', 10)
    check(d.log_text().count('interrupt storm') == 1, 'the storm was reported more than once')
    check(h.prop(CH, 'SpuriousInterrupts') >= 1000, 'spurious interrupts not counted')
    get_device_id(h)


FLOOD_CONNECTIONS = 150
# kcs-uiod's growth allowed during the flood. Unbounded queues grew it by
# more than this (tools/bench/flood-bench.sh: 3 MB to 93 MB with 240
# connections); bounded ones stay well under 1 MB.
FLOOD_GROWTH_KB = 32 * 1024


def test_flood(h):
    """A hostile local user floods the channel object with what the shipped
    policy lets everybody call, on a system-like bus, while the host works:
    the host still gets the service's answers, byte for byte, kcs-uiod's
    memory stays bounded, and SIGTERM in the middle of it is obeyed."""
    flood_tool = tool('DBUS_FLOOD')
    h.start_system_like_bus()
    h.start_stub()
    # Little malloc quarantine under ASan: the bound is on what kcs-uiod keeps.
    asan = ':'.join(o for o in (os.environ.get('ASAN_OPTIONS', ''), 'quarantine_size_mb=1') if o)
    # A generous upstream timeout: on a loaded machine slow is fine, wrong is not.
    d = h.start_daemon('--timeout', '30000', env={'ASAN_OPTIONS': asan})
    at_rest, _ = d.memory_kb()

    as_other_user = []
    if os.geteuid() == 0 and shutil.which('setpriv'):
        nobody = pwd.getpwnam('nobody')
        as_other_user = ['setpriv', f'--reuid={nobody.pw_uid}', f'--regid={nobody.pw_gid}', '--clear-groups', '--']
    flood, line = h.start_tool([*as_other_user, flood_tool, '--bus', h.address, '--channel', CH,
                                '--connections', str(FLOOD_CONNECTIONS)], 'dbus-flood', timeout=120)
    check(line.startswith(f'READY {FLOOD_CONNECTIONS} connections'), f'dbus-flood: {line!r}')

    for args in (('--count', '100'), ('--count', '30', '--size', '250')):
        r = h.host('bench', *args, timeout=600)
        check(r.returncode == 0, f'host during the flood, bench {" ".join(args)}: {r.stdout} {r.stderr}')
    _, peak = d.memory_kb()
    check(peak - at_rest < FLOOD_GROWTH_KB,
          f'kcs-uiod grew from {at_rest} kB to a peak of {peak} kB during the flood')
    # Counters through SIGHUP: a property read now waits in line behind the flood.
    # (A loaded machine may slow the bus past the host's 5 s: the host then
    # retries through the error exit, so there may be more requests than 130.)
    d.proc.send_signal(signal.SIGHUP)
    d.wait_log('<5>ch3 ipmi_kcs3: phase idle;', 60)
    counters = [line for line in d.log_text().splitlines() if line.startswith('<5>ch3 ipmi_kcs3: phase idle;')][0]
    check(', responses 130,' in counters and 'upstream timeouts 0,' in counters and 'stale responses 0,' in counters
          and 'foreign replies 0' in counters, f'counters: {counters}')

    # Whatever is queued, SIGTERM is obeyed (the harness's bound: 30 s).
    rc = d.stop()
    check(rc == 0, f'SIGTERM during the flood: exit status {rc}')
    check(h.state() == STATE_ERROR, 'SIGTERM during the flood: channel not left in ERROR')
    flood.send_signal(signal.SIGTERM)
    flood.wait(30)


def bench_ok(h, count, channel=3, opts=(), args=(), timeout=300):
    r = h.host('bench', '--count', str(count), '--json', *args, channel=channel, opts=opts, timeout=timeout)
    check(r.returncode == 0, f'bench on channel {channel} failed ({r.returncode}): {r.stdout} {r.stderr}')
    return r


def ibf_irq_enabled(h, channel=3):
    return bool(h.reg32(AST_HICR2) & AST_HICR2_IBFIE[channel])


def test_polled(h):
    """An interrupt-less simulated device: polled mode, round trips, no FIFO at all."""
    os.makedirs(h.sim)
    open(os.path.join(h.sim, 'noirq'), 'w').close()
    h.start_bus()
    h.start_stub()
    d = h.start_daemon('--idle-poll', '5')
    d.wait_log('the node has no interrupt: polled mode, STR every 5 ms when idle', 5)
    check(not os.path.exists(os.path.join(h.sim, 'irq')), 'an interrupt-less device got a FIFO')
    check(not ibf_irq_enabled(h), 'polled mode left the IBF interrupt enabled in the controller')
    get_device_id(h)
    bench_ok(h, 50, args=('--size', '40', '--wait', 'spin'))
    bench_ok(h, 50, args=('--wait', 'sleep'))
    check(not os.path.exists(os.path.join(h.sim, 'irq')), 'something created the FIFO')
    c = h.props(CH, 'Requests', 'Responses', 'Restarts', 'IllegalCodes', 'SpuriousInterrupts')
    check(c == {'Requests': 101, 'Responses': 101, 'Restarts': 0, 'IllegalCodes': 0, 'SpuriousInterrupts': 0},
          f'unexpected counters {c}')


def test_polled_forced(h):
    """--polled on a device that has an interrupt: polled anyway, the line left alone."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon('--polled')
    d.wait_log("polled mode (--polled; the node's interrupt is left masked)", 5)
    check(not ibf_irq_enabled(h), '--polled left the IBF interrupt enabled in the controller')
    bench_ok(h, 50, args=('--size', '20'))
    check(h.prop(CH, 'Responses') == 50, 'not every transaction answered')
    # Without --polled the same device is served through its interrupt again.
    d.stop()
    d = h.start_daemon()
    check(ibf_irq_enabled(h), 'interrupt mode did not enable the IBF interrupt')
    check('polled mode' not in d.log_text(), 'a device with an interrupt was polled without --polled')
    get_device_id(h)


def test_two_devices(h):
    """One process, two simulated devices (two interrupts), a channel on each."""
    other = h.path('sim2')
    h.start_bus()
    h.start_stub()
    d = h.start_daemon('--sim', other, '--channel', '2:ipmi_kcs2')
    d.wait_log('Ready: 2 channels on 2 devices', 10)
    hosts = [h.host_bg('bench', '--count', '200', '--size', '30', channel=3),
             subprocess.Popen([tool('KCS_HOST'), '--sim', other, '--chip', 'ast2600', '--channel', '2',
                               'bench', '--count', '200', '--size', '30'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    for p in hosts:
        out, err = p.communicate(timeout=300)
        check(p.returncode == 0, f'bench failed ({p.returncode}): {out} {err}')
    for n in ('ipmi_kcs2', 'ipmi_kcs3'):
        c = h.props(n, 'Requests', 'Responses', 'Restarts', 'IllegalCodes')
        check(c == {'Requests': 200, 'Responses': 200, 'Restarts': 0, 'IllegalCodes': 0}, f'{n}: {c}')


def make_fake_uio(h, name, addr):
    """A sysfs entry and /dev node like uio_pdrv_genirq's (the node a regular file)."""
    sysfs, dev = h.path('sys'), h.path('dev')
    index = len(os.listdir(sysfs)) if os.path.isdir(sysfs) else 0
    m = os.path.join(sysfs, f'uio{index}', 'maps', 'map0')
    os.makedirs(m)
    os.makedirs(dev, exist_ok=True)
    for attr, v in (('addr', addr), ('size', '0x1000'), ('offset', '0x0')):
        with open(os.path.join(m, attr), 'w') as f:
            f.write(v + '\n')
    with open(os.path.join(sysfs, f'uio{index}', 'name'), 'w') as f:
        f.write(name + '\n')
    with open(os.path.join(dev, f'uio{index}'), 'wb') as f:
        f.write(bytes(8192))
    return ['--uio-sysfs', sysfs, '--uio-dev', dev]


def test_second_instance(h):
    """A second kcs-uiod on the same controller is refused, naming the first."""
    h.start_bus()
    h.start_stub()
    # Simulated device: its register file is the controller.
    h.start_daemon()
    rc, err = h.run_daemon(h.daemon_args(channels=('2:ipmi_kcs2',)))
    check(rc == 1 and 'is in use by another kcs-uiod' in err, f'second daemon on the sim: {rc} {err!r}')
    get_device_id(h)

    # UIO: two nodes of one controller (same map 0 address). A regular file
    # stands in for the node, so the daemon polls it (--polled).
    locks = h.path('locks')
    loc = make_fake_uio(h, 'kcs3', '0x1e789000')
    make_fake_uio(h, 'kcs4', '0x1e789000')
    base = [h.kcs_uiod, '--chip', 'ast2600', *loc, '--bus', h.address]
    env = {'KCS_UIOD_LOCK_DIR': locks}
    p, log = h._spawn(base + ['--uio', 'kcs3', '--polled', '--channel', '3:uio_kcs3',
                              '--uio', 'kcs4', '--polled', '--channel', '4:uio_kcs4'],
                      'kcs-uiod-uio', env=clean_env(**env))
    wait_log(log, 'Ready:', 20, proc=p, what='the UIO daemon')
    check(os.path.exists(os.path.join(locks, 'lpc-1e789000.lock')), 'no lock file')
    r = subprocess.run(base + ['--uio', 'kcs4', '--polled', '--channel', '4:other4'], capture_output=True,
                       text=True, timeout=20, env=clean_env(**env))
    check(r.returncode == 1, f'second instance: exit {r.returncode} ({r.stderr!r})')
    check(f'the LPC controller at 0x1e789000 is served by another kcs-uiod (pid {p.pid}' in r.stderr,
          f'second instance: unclear message {r.stderr!r}')
    check(p.poll() is None, 'the first daemon died')
    p.send_signal(signal.SIGTERM)
    check(p.wait(30) == 0, 'the UIO daemon did not stop cleanly')


def test_window_boundary(h):
    """10,000 exchanges, the host pausing around the polling window at random: nothing lost, no stall."""
    h.start_bus()
    h.start_stub()
    h.start_daemon('--poll-budget', '20')
    for wait, seed in (('spin', 7), ('sleep', 8)):
        bench_ok(h, 5000, args=('--wait', wait, '--think-us', '0:40', '--seed', str(seed)), timeout=900)
    c = h.props(CH, 'Requests', 'Responses', 'Restarts', 'IllegalCodes', 'LengthErrors', 'HostAborts')
    check(c == {'Requests': 10000, 'Responses': 10000, 'Restarts': 0, 'IllegalCodes': 0, 'LengthErrors': 0,
                'HostAborts': 0}, f'unexpected counters {c}')


def test_host_stops(h):
    """A host that stops half way through a burst, then starts over: served as a restart."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    get_device_id(h)
    h.steps('wait-ibf', 'read', 'cmd:61', 'wait-ibf', 'read', 'data:18', 'wait-ibf', 'read', 'data:01')
    check(h.props(CH, 'Phase')['Phase'] == 'write-data', 'not in the middle of a request')
    get_device_id(h)
    d.wait_log('host restarted with WRITE_START in phase write-data', 5)
    check(h.prop(CH, 'Restarts') == 1, 'restart not counted')


def test_lost_irq(h):
    """Interrupts that never come: served by polling with a warning, then polled mode."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon()
    get_device_id(h)
    # From now on the host raises no interrupt (it honours DIR/noirq).
    open(os.path.join(h.sim, 'noirq'), 'w').close()
    get_device_id(h)
    d.wait_log('with IBF set and no interrupt; served it by polling', 5)
    d.wait_log('host bytes in a row waited with IBF set and no interrupt: switching to polled mode', 5)
    bench_ok(h, 50)
    os.unlink(os.path.join(h.sim, 'noirq'))
    get_device_id(h)


def test_lost_irq_unmanaged(h):
    """Outside systemd (no NOTIFY_SOCKET): the first byte of a request, its interrupt lost, is still served."""
    h.start_bus()
    h.start_stub()
    d = h.start_daemon(managed=False)
    get_device_id(h)
    open(os.path.join(h.sim, 'noirq'), 'w').close()
    # The channel is idle when WRITE_START comes: only the idle check finds it.
    # The host's per-byte limit is generous: a loaded machine must not fail this.
    r = h.raw(NETFN_APP, GET_DEVICE_ID, opts=('--timeout-ms', '60000'))
    check(r.rc == 0 and r.cc == 0, f'Get Device ID with lost interrupts failed: {r}')
    d.wait_log('with IBF set and no interrupt; served it by polling', 5)


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_') and callable(fn)}

if __name__ == '__main__':
    sys.exit(main(TESTS))
