#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests through the whole chain: kcs-host -> simulated registers
-> kcs-uiod -> private dbus-daemon -> ipmi-sim-bridge -> ipmi_sim (sim_*), or
-> ipmi-stub for the fault cases and large transfers (stub_*). One scenario
per meson test:

    test_e2e.py NAME

Expected answers come from tools/ipmi/sim/bmc.emu, read by the test. The
daemon tests (tests/daemon) already check each upstream failure's
completion code, the never-answered call and the buffer limits with the
stub; the stub_* tests here add what they lack: a delay on either side of
--timeout, recovery after every failure, the log keeping request data out,
and transfers of 250 and 4000 bytes.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # leave the source tree as it is
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chain import SimBmc, check, le, missing_built_tools, ok, require  # noqa: E402
from harness import CHANNEL_IFACE, bus_name, main, object_path  # noqa: E402

CH = 'ipmi_kcs3'
NETFN_APP, NETFN_SENSOR, NETFN_STORAGE, NETFN_OEM = 0x06, 0x04, 0x0A, 0x30
GET_DEVICE_ID, GET_SELF_TEST = 0x01, 0x04
GET_FRU_INFO, READ_FRU, GET_SDR_INFO, RESERVE_SDR, GET_SDR, GET_SEL_INFO = 0x10, 0x11, 0x20, 0x22, 0x23, 0x40
GET_SENSOR_READING = 0x2D
GET_SENSOR_EVENT_ENABLE = 0x29
OEM_ECHO, OEM_DELAY, OEM_DBUS_ERROR, OEM_NO_REPLY, OEM_MALFORMED, OEM_OVERSIZE = 1, 2, 3, 4, 5, 6

# ipmi_sim refuses Read FRU Data for more than about 34 bytes (cc 0xC8) and
# Get SDR for much more than 16 (cc 0xCA): read in pieces, as hosts do.
FRU_CHUNK = 32
SDR_CHUNK = 16

# Not SpuriousInterrupts: the daemon serves every channel again before it
# re-enables the line, so it may take the host's next byte before that
# byte's interrupt arrives, which then finds IBF clear. Harmless, and it
# depends on scheduling.
COUNTERS = ('Requests', 'Responses', 'HostAborts', 'Restarts', 'LengthErrors', 'IllegalCodes',
            'StaleResponses', 'OversizeResponses', 'ForceAborts', 'UpstreamTimeouts', 'UpstreamNoService',
            'UpstreamVanished', 'UpstreamBusErrors', 'UpstreamServiceErrors', 'ForeignReplies')


def counters(h, **expected):
    """Every counter: the ones given as expected, the rest as after a clean
    start (one force abort at start-up, nothing else)."""
    want = {c: 0 for c in COUNTERS}
    want['ForceAborts'] = 1
    want.update(expected)
    # One busctl call for all of them: one value a line, in the order asked.
    out = h.busctl('get-property', bus_name(CH), object_path(CH), CHANNEL_IFACE, *COUNTERS).stdout.splitlines()
    check(len(out) == len(COUNTERS) and all(line.startswith('t ') for line in out), f'busctl said {out}')
    got = {c: int(line.split()[1]) for c, line in zip(COUNTERS, out)}
    check(got == want, 'counters differ: ' + ', '.join(
        f'{c} {got[c]} (expected {want[c]})' for c in COUNTERS if got[c] != want[c]))


def le16(n):
    return [n & 0xFF, n >> 8]


# The IPMI service of this test: (name, process), stopped at the end.
BACKENDS = []


def sim_chain(h, *daemon_args):
    """bus, ipmi_sim + bridge, daemon: the chain of ./run demo."""
    require('DBUS_DAEMON', 'BUSCTL')
    h.start_bus()
    bmc = SimBmc(h)
    bmc.start()
    BACKENDS.append(('ipmi-sim-bridge', bmc.bridge))
    d = h.start_daemon(*daemon_args)
    return bmc, d


def stub_chain(h, *daemon_args):
    require('DBUS_DAEMON', 'BUSCTL')
    h.start_bus()
    BACKENDS.append(('ipmi-stub', h.start_stub()))
    return h.start_daemon(*daemon_args)


def stops_cleanly(test):
    """After the test, its IPMI service must exit 0 on SIGTERM (under the
    sanitizers: no leak, no error), as the harness checks kcs-uiod."""
    def run(h):
        test(h)
        for name, p in BACKENDS:
            p.terminate()
            rc = p.wait(30)
            check(rc == 0, f'{name} exited {rc} on SIGTERM at the end of the test')
    return run


def device_id(h, emu):
    """Get Device ID, each field against the .emu file's mc_add."""
    data = ok(h.raw(NETFN_APP, GET_DEVICE_ID), 'Get Device ID')
    want = emu.device_id()
    check(len(data) in (11, 15), f'Get Device ID: {len(data)} data bytes, expected 11 or 15: {data}')
    got = {
        'device_id': data[0],
        'device_sdrs': bool(data[1] & 0x80),
        'revision': data[1] & 0x0F,
        'fw_major': data[2] & 0x7F,
        'fw_minor': data[3],
        'support': data[5],
        'manufacturer': le(data[6:9]) & 0x0FFFFF,
        'product': le(data[9:11]),
    }
    check(got == want, f'Get Device ID {got}, bmc.emu declares {want}')
    check((data[4] & 0x0F, data[4] >> 4) == (2, 0), f'IPMI version byte 0x{data[4]:02x}, expected 2.0 (0x02)')
    check(not data[2] & 0x80, 'Get Device ID: device unavailable (firmware update) bit set')


# --- ipmi_sim through the whole chain ---

def test_sim_device_id(h):
    bmc, _ = sim_chain(h)
    device_id(h, bmc.emu)
    counters(h, Requests=1, Responses=1)


def test_sim_self_test(h):
    """ipmi_sim lacks Get Self Test Results; the bridge answers for it."""
    sim_chain(h)
    data = ok(h.raw(NETFN_APP, GET_SELF_TEST), 'Get Self Test Results')
    check(data == [0x55, 0x00], f'Get Self Test Results: {data}, expected 55 00 (no error)')


def test_sim_sel_info(h):
    bmc, _ = sim_chain(h)
    max_entries, flags, added = bmc.emu.sel()
    data = ok(h.raw(NETFN_STORAGE, GET_SEL_INFO), 'Get SEL Info')
    check(len(data) == 14, f'Get SEL Info: {len(data)} data bytes, expected 14: {data}')
    check(data[0] == 0x51, f'SEL version 0x{data[0]:02x}, expected 0x51 (IPMI 1.5/2.0)')
    check(le(data[1:3]) == added, f'SEL entries {le(data[1:3])}, bmc.emu adds {added}')
    # 16-byte records in a SEL sized by sel_enable
    check(le(data[3:5]) == (max_entries - added) * 16,
          f'SEL free space {le(data[3:5])}, expected ({max_entries} - {added}) * 16')
    check(data[13] == flags, f'SEL operation support 0x{data[13]:02x}, sel_enable says 0x{flags:02x}')


def read_sdr(h, reservation, record_id):
    """One SDR record through Get SDR in pieces: (next record id, record bytes)."""
    r = ok(h.raw(NETFN_STORAGE, GET_SDR, *reservation, *le16(record_id), 0, 5), f'Get SDR {record_id} header')
    next_id, header = le(r[0:2]), r[2:]
    if record_id:
        check(le(header[0:2]) == record_id, f'Get SDR {record_id}: header names record {le(header[0:2])}')
    record_id = le(header[0:2])
    record = list(header)
    while len(record) < 5 + header[4]:
        n = min(SDR_CHUNK, 5 + header[4] - len(record))
        r = ok(h.raw(NETFN_STORAGE, GET_SDR, *reservation, *le16(record_id), len(record), n),
               f'Get SDR {record_id} at offset {len(record)}')
        check(len(r) == 2 + n, f'Get SDR {record_id}: asked {n} bytes, got {len(r) - 2}')
        record += r[2:]
    return next_id, record


def test_sim_sdr(h):
    """Get SDR Repository Info counts the sensors declared; each record then
    comes back, in pieces, as main_sdr_add declared it."""
    bmc, _ = sim_chain(h)
    sensors = bmc.emu.sensors()
    sdrs = bmc.emu.sdrs()
    check(len(sdrs) == len(sensors), f'bmc.emu: {len(sensors)} sensors but {len(sdrs)} SDRs')
    data = ok(h.raw(NETFN_STORAGE, GET_SDR_INFO), 'Get SDR Repository Info')
    check(data[0] == 0x51, f'SDR version 0x{data[0]:02x}, expected 0x51')
    check(le(data[1:3]) == len(sensors), f'SDR records {le(data[1:3])}, bmc.emu declares {len(sensors)} sensors')

    reservation = ok(h.raw(NETFN_STORAGE, RESERVE_SDR), 'Reserve SDR Repository')
    check(len(reservation) == 2, f'Reserve SDR Repository: {reservation}')
    records, next_id = [], 0x0000  # 0: the first record
    while next_id != 0xFFFF:
        check(len(records) < len(sdrs), f'more SDRs than the {len(sdrs)} declared')
        next_id, record = read_sdr(h, reservation, next_id)
        records.append(record)
    for i, (got, declared) in enumerate(zip(records, sdrs)):
        # The repository assigns the record ids (the .emu file gives 0).
        check(got[2:] == declared[2:], f'SDR {i + 1}: read {got}, bmc.emu declares {declared}')
        check(got[7] in sensors, f'SDR {i + 1} is for sensor {got[7]}, not declared')
    check(len(records) == len(sdrs), f'{len(records)} SDRs read, {len(sdrs)} declared')


def test_sim_sensor_reading(h):
    """Every sensor's reading is the value bmc.emu sets, from a scanned
    sensor: host tools show a sensor without scanning as having no reading."""
    bmc, _ = sim_chain(h)
    for number, value in sorted(bmc.emu.sensors().items()):
        data = ok(h.raw(NETFN_SENSOR, GET_SENSOR_READING, number), f'Get Sensor Reading {number}')
        check(len(data) >= 2, f'Get Sensor Reading {number}: {data}')
        check(data[1] & 0x40, f'sensor {number}: scanning disabled (flags 0x{data[1]:02x})')
        check(not data[1] & 0x20, f'sensor {number}: reading unavailable (flags 0x{data[1]:02x})')
        check(data[0] == value, f'sensor {number} reads 0x{data[0]:02x}, bmc.emu sets 0x{value:02x}')


def test_sim_sensor_event_enable(h):
    """Get Sensor Event Enable reports, for every sensor, the scanning,
    event messages and threshold events bmc.emu turns on."""
    bmc, _ = sim_chain(h)
    support = bmc.emu.event_support()
    check(sorted(support) == sorted(bmc.emu.sensors()),
          f'bmc.emu: event support for sensors {sorted(support)}, sensors {sorted(bmc.emu.sensors())}')
    for number, (events, scanning, asserts) in sorted(support.items()):
        data = ok(h.raw(NETFN_SENSOR, GET_SENSOR_EVENT_ENABLE, number), f'Get Sensor Event Enable {number}')
        check(len(data) >= 3, f'Get Sensor Event Enable {number}: {data}')
        check(bool(data[0] & 0x80) == events and bool(data[0] & 0x40) == scanning,
              f'sensor {number}: flags 0x{data[0]:02x}, bmc.emu sets events {events}, scanning {scanning}')
        check(le(data[1:3]) == asserts,
              f'sensor {number}: assertion events 0x{le(data[1:3]):04x}, bmc.emu sets 0x{asserts:04x}')


def fru_fields(area, start, what):
    """The type/length-coded strings of a FRU area from offset start to the 0xC1 end marker."""
    fields, i = [], start
    while area[i] != 0xC1:
        length = area[i] & 0x3F
        check(area[i] >> 6 == 3, f'{what}: field at {i} is not 8-bit ASCII (type/length 0x{area[i]:02x})')
        check(i + 1 + length < len(area), f'{what}: field at {i} runs past the area')
        fields.append(bytes(area[i + 1:i + 1 + length]).decode('latin-1'))
        i += 1 + length
    return fields


def test_sim_fru(h):
    """The whole FRU read through KCS in pieces: the size and bytes bmc.emu
    declares, a valid common header, and the board and product strings."""
    bmc, _ = sim_chain(h)
    device, size, declared = bmc.emu.fru()
    data = ok(h.raw(NETFN_STORAGE, GET_FRU_INFO, device), 'Get FRU Inventory Area Info')
    check(data == [*le16(size), 0], f'FRU info {data}: expected {size} bytes, byte access')

    fru = []
    while len(fru) < size:
        n = min(FRU_CHUNK, size - len(fru))
        r = ok(h.raw(NETFN_STORAGE, READ_FRU, device, *le16(len(fru)), n), f'Read FRU Data at {len(fru)}')
        check(r[0] == n and len(r) == 1 + n, f'Read FRU Data at {len(fru)}: asked {n}, got {r}')
        fru += r[1:]
    check(fru[:len(declared)] == declared, 'FRU bytes differ from mc_add_fru_data')
    check(not any(fru[len(declared):]), 'FRU bytes past the declared ones are not zero')

    header = fru[:8]
    check(header[0] == 1, f'common header format version {header[0]}')
    check(sum(header) % 256 == 0, f'common header checksum wrong: {header}')
    board, product = header[3] * 8, header[4] * 8
    check(board and product, f'common header lacks a board or product area: {header}')
    strings = []
    for what, start, first_field in (('board area', board, 6), ('product area', product, 3)):
        area = fru[start:start + fru[start + 1] * 8]
        check(area[0] == 1 and len(area) == fru[start + 1] * 8, f'{what}: bad header {area[:2]}')
        check(sum(area) % 256 == 0, f'{what}: checksum wrong')
        fields = fru_fields(area, first_field, what)
        check(len([f for f in fields if f]) >= 4, f'{what}: too few fields {fields}')
        strings += [f for f in fields if f]
    # bmc.emu's comment spells out each string it encodes.
    for s in strings:
        check(f'"{s}"' in bmc.emu.text, f'FRU string {s!r} is not one bmc.emu declares')
    check('Simulated BMC' in strings, f'product name missing: {strings}')


def test_sim_unknown_command(h):
    bmc, _ = sim_chain(h)
    r = h.raw(NETFN_APP, 0x99)
    check(r.rc == 1 and r.cc == 0xC1 and r.data == [], f'06/99: expected cc 0xC1, no data, exit 1: {r}')
    check(r.stdout.splitlines()[0] == 'cc 0xc1: invalid command', f'meaning not printed: {r.stdout!r}')
    device_id(h, bmc.emu)


def host_status(h):
    r = h.host('status')
    check(r.returncode == 0, f'kcs-host status failed: {r.stderr}')
    return r.stdout.strip()


def test_sim_session(h):
    """The demo's session: requests, SMS attention through busctl seen by the
    host, a host abort and recovery; the counters tell the same story."""
    bmc, _ = sim_chain(h)
    device_id(h, bmc.emu)
    ok(h.raw(NETFN_APP, GET_SELF_TEST), 'Get Self Test Results')
    check('SMS_ATN 0' in host_status(h), f'SMS_ATN set before setAttention: {host_status(h)}')

    h.sms(CH, 'setAttention')
    check('SMS_ATN 1' in host_status(h), f'setAttention not visible: {host_status(h)}')
    # The flag stays up across a transaction until the BMC clears it.
    ok(h.raw(NETFN_STORAGE, GET_SEL_INFO), 'Get SEL Info with SMS_ATN set')
    status = host_status(h)
    check('state IDLE' in status and 'SMS_ATN 1' in status, f'after a transaction: {status}')
    h.sms(CH, 'clearAttention')
    check('SMS_ATN 0' in host_status(h), f'clearAttention not visible: {host_status(h)}')

    r = h.host('abort')
    check(r.returncode == 0 and r.stdout.strip() == 'status 0x01: aborted by command',
          f'kcs-host abort: {r.returncode} {r.stdout!r} {r.stderr!r}')
    device_id(h, bmc.emu)
    r = h.raw(NETFN_APP, 0x99)
    check(r.cc == 0xC1, f'unknown command after the abort: {r}')
    counters(h, Requests=5, Responses=5, HostAborts=1)
    check(h.prop(CH, 'Phase') == 'idle', 'channel not idle at the end')


def test_sim_restart(h):
    """ipmi_sim dies mid-run: an error code within --timeout, the daemon goes
    on serving; ipmi_sim back on the same port: the bridge reconnects and
    requests succeed again."""
    timeout_ms = 1500
    bmc, d = sim_chain(h, '--timeout', str(timeout_ms))
    device_id(h, bmc.emu)
    bmc.kill_sim()

    t0 = time.monotonic()
    r = h.raw(NETFN_STORAGE, GET_SEL_INFO)
    elapsed = time.monotonic() - t0
    # 0xFF when the bridge already knows the line is gone, 0xC3 if not yet.
    check(r.rc == 1 and r.cc in (0xFF, 0xC3) and r.data == [], f'ipmi_sim gone: expected 0xFF or 0xC3, got {r}')
    # A bound, not a benchmark: a generous margin for loaded machines.
    check(elapsed < timeout_ms / 1000 + 3.0, f'the error took {elapsed:.2f} s with --timeout {timeout_ms}')
    check(d.alive(), 'kcs-uiod died with ipmi_sim')
    # Still serving: the bridge answers this one itself.
    data = ok(h.raw(NETFN_APP, GET_SELF_TEST), 'Get Self Test Results without ipmi_sim')
    check(data == [0x55, 0x00], f'Get Self Test Results: {data}')

    bmc.start_sim()
    bmc.wait_for(lambda: bmc.connections() == 2, 15, 'the bridge reconnecting to the new ipmi_sim')
    device_id(h, bmc.emu)
    data = ok(h.raw(NETFN_STORAGE, GET_SEL_INFO), 'Get SEL Info after the restart')
    check(le(data[1:3]) == bmc.emu.sel()[2], f'fresh ipmi_sim: SEL entries {le(data[1:3])}')
    # The bridge's own D-Bus error: the service's error, not the bus's.
    failed = {'UpstreamServiceErrors': 1} if r.cc == 0xFF else {'UpstreamTimeouts': 1}
    counters(h, Requests=5, Responses=5, **failed)


# --- ipmi-stub: what the daemon tests do not cover ---

def test_stub_delay(h):
    """A slow answer within --timeout arrives; a slower one gets 0xC3 after
    --timeout, and its late answer is not mistaken for the next request's."""
    d = stub_chain(h, '--timeout', '1000')

    t0 = time.monotonic()
    r = h.raw(NETFN_OEM, OEM_DELAY, *le16(200), 0x11)
    elapsed = time.monotonic() - t0
    check(r.cc == 0 and r.data == [*le16(200), 0x11], f'200 ms delay, 1000 ms timeout: {r}')
    check(elapsed >= 0.2, f'answered in {elapsed:.3f} s: the stub did not delay')

    t0 = time.monotonic()
    r = h.raw(NETFN_OEM, OEM_DELAY, *le16(1300), 0x22)
    elapsed = time.monotonic() - t0
    check(r.rc == 1 and r.cc == 0xC3 and r.data == [], f'1300 ms delay, 1000 ms timeout: expected 0xC3, got {r}')
    check(1.0 <= elapsed < 1.0 + 3.0, f'0xC3 after {elapsed:.2f} s, expected just over the 1 s --timeout')

    # In flight from ~1.0 s to ~1.6 s; the late answer above comes at ~1.3 s.
    r = h.raw(NETFN_OEM, OEM_DELAY, *le16(600), 0x33)
    check(r.cc == 0 and r.data == [*le16(600), 0x33], f'request after the timeout got {r}')
    counters(h, Requests=3, Responses=3, UpstreamTimeouts=1)
    check(d.alive(), 'kcs-uiod died')


# A data pattern that no log line has any business holding.
SECRET = [0x5E, 0xC7, 0xE7, 0xC0, 0xFF, 0xEE]


def secret_spellings():
    hexes = [f'{b:02x}' for b in SECRET]
    return {' '.join(hexes), ''.join(hexes), ' '.join(f'0x{x}' for x in hexes), ', '.join(f'0x{x}' for x in hexes),
            ''.join(hexes).upper(), ' '.join(hexes).upper(), ' '.join(str(b) for b in SECRET),
            ', '.join(str(b) for b in SECRET), bytes(SECRET).decode('latin-1')}


def test_stub_fault_logs(h):
    """Every upstream failure, with debug logging and a distinctive data
    pattern: the host gets the documented code, the next request works,
    the log names netfn, cmd, length and reason, and never the data."""
    d = stub_chain(h, '--timeout', '300', '--log-level', 'debug')
    cases = [
        # (cmd, data, cc, reason in the log)
        (OEM_DBUS_ERROR, SECRET, 0xFF, 'org.freedesktop.DBus.Error.Failed'),
        (OEM_MALFORMED, SECRET, 0xFF, "malformed reply: signature 's'"),
        (OEM_NO_REPLY, SECRET, 0xC3, 'within 300 ms'),
        (OEM_DELAY, [*le16(1000), *SECRET], 0xC3, 'within 300 ms'),
        (OEM_OVERSIZE, [*le16(1100), *SECRET], 0xCA, 'is 1103 bytes, over the 1024 byte buffer'),
    ]
    for i, (cmd, data, cc, _) in enumerate(cases):
        r = h.raw(NETFN_OEM, cmd, *data)
        check(r.rc == 1 and r.cc == cc and r.data == [], f'30/{cmd:02x}: expected cc 0x{cc:02X}, got {r}')
        r = h.raw(NETFN_OEM, OEM_ECHO, i, 0xA5)
        check(r.cc == 0 and r.data == [i, 0xA5], f'echo after 30/{cmd:02x}: {r}')
    counters(h, Requests=10, Responses=10, UpstreamServiceErrors=2, UpstreamTimeouts=2, OversizeResponses=1)

    check(d.stop() == 0, 'kcs-uiod did not exit 0 on SIGTERM')
    log = d.log_text()
    lines = log.splitlines()
    for cmd, data, cc, reason in cases:
        # request length: NetFn/LUN and Cmd bytes plus the data
        head = f'netfn 0x30 cmd 0x{cmd:02x} ({2 + len(data)} bytes)'
        found = [line for line in lines if head in line and reason in line]
        check(found, f'no log line with {head!r} and {reason!r}:\n{log}')
        check(found[0].startswith('<4>'), f'not logged as a warning: {found[0]!r}')
    for s in secret_spellings():
        check(s not in log, f'the request data ({s!r}) is in the daemon log:\n{log}')


def echo(h, size, **kw):
    """A size-byte request through the stub's echo: the data comes back intact."""
    data = [(i * 7 + 3) & 0xFF for i in range(size - 2)]
    t0 = time.monotonic()
    r = h.raw(NETFN_OEM, OEM_ECHO, *data, **kw)
    elapsed = time.monotonic() - t0
    check(r.rc == 0 and r.cc == 0, f'{size}-byte echo: {r.rc} cc {r.cc} {r.stderr.strip()}')
    check(r.data == data, f'{size}-byte echo: {len(r.data)} bytes back, or different ones')
    return elapsed


def test_stub_large_250(h):
    stub_chain(h)
    echo(h, 250)
    # 20 more, each with its own pattern (kcs-host bench checks every byte)
    r = h.host('bench', '--count', '20', '--size', '250', '--json')
    check(r.returncode == 0 and '"ok":20,' in r.stdout and '"errors":0,' in r.stdout,
          f'bench --size 250: {r.returncode} {r.stdout} {r.stderr}')
    counters(h, Requests=21, Responses=21)


def test_stub_large_4000(h):
    """The biggest buffer the spec family allows: 4000 bytes each way."""
    stub_chain(h, '--buffer-size', '4096')
    elapsed = echo(h, 4000)
    print(f'4000-byte round trip: {elapsed * 1000:.0f} ms')
    check(elapsed < 5, f'4000-byte round trip took {elapsed:.1f} s')
    counters(h, Requests=1, Responses=1)


TESTS = {name[5:]: stops_cleanly(fn) for name, fn in globals().items()
         if name.startswith('test_') and callable(fn)}

if __name__ == '__main__':
    missing = missing_built_tools()
    if missing:
        print(f'FAIL: built tools not found: {", ".join(missing)}')
        sys.exit(1)
    sys.exit(main(TESTS))
