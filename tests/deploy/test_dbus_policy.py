#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The D-Bus policy for kcs-uiod, read and then loaded into a real bus.

Read: only the service user may own the channel names (by prefix) and call
the IPMI service's execute; every rule for anybody else names one channel's
bus name exactly (dbus-broker drops send_destination_prefix and would keep
such a rule with no destination at all); root (and the configured group)
may call the SMS methods of each configured channel, everybody may read its
properties, introspect and ping it.

Loaded: a private dbus-daemon with the system bus defaults (deny owning,
deny method calls) accepts the policy; with a copy naming "nobody" as the
service user, nobody may own channel names and nothing else, and root may
not own them.
"""

import argparse
import os
import pwd
import select
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# Keep the source tree free of __pycache__ when importing the helpers.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Failure, run_test  # noqa: E402

PREFIX = "xyz.openbmc_project.Ipmi.Channel"
SMS = "xyz.openbmc_project.Ipmi.Channel.SMS"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <!-- The system bus defaults: services punch their own holes. -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
  </policy>
  <include>{policy}</include>
  <include>{test_policy}</include>
</busconfig>
"""


def rules(policy):
    return [r for r in policy if r.tag in ("allow", "deny")]


def has_rule(policy, **attrs):
    return any(r.tag == "allow" and r.attrib == attrs for r in rules(policy))


def check_static(path, user, names, sms_group):
    root = ET.parse(path).getroot()
    if root.tag != "busconfig":
        raise Failure("%s: root element <%s>, expected <busconfig>" % (path, root.tag))
    dests = {"%s.%s" % (PREFIX, n) for n in names}
    policies = {}
    for p in root.iter("policy"):
        selectors = [(k, v) for k, v in p.attrib.items() if k in ("user", "group", "context")]
        if len(selectors) != 1:
            raise Failure("<policy %s>: expected exactly one of user/group/context" % p.attrib)
        policies.setdefault(selectors[0], []).append(p)

    for (kind, who), plist in policies.items():
        for p in plist:
            for r in rules(p):
                for attr in r.attrib:
                    if attr.endswith("_prefix") and not (attr == "own_prefix" and (kind, who) == ("user", user)):
                        raise Failure("<policy %s=%s>: %s is not allowed here (%s)"
                                      % (kind, who, attr, r.attrib))
                if (kind, who) == ("user", user):
                    continue
                if r.attrib.get("send_destination") not in dests:
                    raise Failure("<policy %s=%s>: rule %s does not name a configured channel exactly"
                                  % (kind, who, r.attrib))

    service = policies.get(("user", user), [])
    if len(service) != 1:
        raise Failure("expected one <policy user=\"%s\">, found %d" % (user, len(service)))
    if not has_rule(service[0], own_prefix=PREFIX):
        raise Failure("the service user may not own %s.*" % PREFIX)
    if not has_rule(service[0], send_destination="xyz.openbmc_project.Ipmi.Host",
                    send_interface="xyz.openbmc_project.Ipmi.Server", send_member="execute"):
        raise Failure("the service user may not call xyz.openbmc_project.Ipmi.Server.execute")

    callers = [("user", "root")] + ([("group", sms_group)] if sms_group else [])
    for sel in callers:
        for d in sorted(dests):
            if not any(has_rule(p, send_destination=d, send_interface=SMS) for p in policies.get(sel, [])):
                raise Failure("%s=%s may not call the SMS methods of %s" % (sel[0], sel[1], d))
    for sel in policies:
        if sel not in callers + [("user", user)] and any(
                r.attrib.get("send_interface") == SMS for p in policies[sel] for r in rules(p)):
            raise Failure("%s=%s may call the SMS methods but is not root or the SMS group" % sel)

    default = policies.get(("context", "default"), [])
    for d in sorted(dests):
        for attrs in ({"send_interface": "org.freedesktop.DBus.Properties", "send_member": "Get"},
                      {"send_interface": "org.freedesktop.DBus.Properties", "send_member": "GetAll"},
                      {"send_interface": "org.freedesktop.DBus.Introspectable"},
                      {"send_interface": "org.freedesktop.DBus.Peer"}):
            if not any(has_rule(p, send_destination=d, **attrs) for p in default):
                raise Failure("everybody should be allowed %s on %s" % (attrs, d))
    print("ok %s: owning by %s only, exact destinations for %s, SMS for %s"
          % (os.path.basename(path), user, ", ".join(sorted(names)),
             " and ".join("%s=%s" % c for c in callers)))


def start_bus(dbus_daemon, tmp, policy, test_policy):
    config = os.path.join(tmp, "bus.conf")
    socket = os.path.join(tmp, "bus")
    with open(config, "w") as f:
        f.write(BUS_CONFIG.format(socket=socket, policy=os.path.abspath(policy),
                                  test_policy=os.path.abspath(test_policy)))
    proc = subprocess.Popen([dbus_daemon, "--config-file=" + config, "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    line = proc.stdout.readline().strip() if ready else ""
    if not line:
        proc.kill()
        _, err = proc.communicate()
        raise Failure("dbus-daemon did not start with the policy:\n%s" % err)
    return proc, line


def request_name(dbus_send, address, name, as_user=None):
    cmd = [dbus_send, "--bus=" + address, "--print-reply", "--dest=org.freedesktop.DBus",
           "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName", "string:" + name, "uint32:4"]
    if as_user:
        pw = pwd.getpwnam(as_user)
        cmd = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if p.returncode == 0 and "uint32 1" in p.stdout:
        return "granted"
    if "AccessDenied" in p.stderr:
        return "denied"
    raise Failure("RequestName %s as %s: unexpected result (exit %d):\n%s%s"
                  % (name, as_user or "root", p.returncode, p.stdout, p.stderr))


def check_live(args):
    if not args.channel_names:
        print("NOTE: no channel names configured, bus ownership not tested")
        return
    if os.geteuid() != 0:
        print("NOTE: not root: cannot act as another user, bus ownership not tested")
        return
    if not os.access(args.dbus_daemon, os.X_OK) or not os.access(args.dbus_send, os.X_OK) \
            or not shutil.which("setpriv"):
        print("NOTE: dbus-daemon, dbus-send or setpriv not available, bus ownership not tested")
        return
    with tempfile.TemporaryDirectory(prefix="kcs-dbus-") as tmp:
        os.chmod(tmp, 0o755)  # the socket must be reachable for "nobody"
        proc, address = start_bus(args.dbus_daemon, tmp, args.policy, args.test_policy)
        try:
            first = "%s.%s" % (PREFIX, args.channel_names[0])
            cases = [
                (first, args.test_user, "granted"),
                (PREFIX + ".any_other_channel", args.test_user, "granted"),
                ("org.example.NotAChannel", args.test_user, "denied"),
                (first, None, "denied"),
            ]
            for name, user, expected in cases:
                got = request_name(args.dbus_send, address, name, user)
                if got != expected:
                    raise Failure("RequestName %s as %s was %s, expected %s"
                                  % (name, user or "root", got, expected))
                print("ok RequestName %s as %s: %s" % (name, user or "root", got))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dbus-daemon", required=True)
    ap.add_argument("--dbus-send", required=True)
    ap.add_argument("--policy", required=True, help="the policy as installed")
    ap.add_argument("--test-policy", required=True, help="the same policy for --test-user")
    ap.add_argument("--user", required=True, help="the service user in --policy")
    ap.add_argument("--test-user", default="nobody")
    ap.add_argument("--sms-group", default="")
    ap.add_argument("--channel-names", required=True, help="comma-separated")
    args = ap.parse_args()
    args.channel_names = [n for n in args.channel_names.split(",") if n]

    check_static(args.policy, args.user, args.channel_names, args.sms_group)
    check_static(args.test_policy, args.test_user, args.channel_names, args.sms_group)
    check_live(args)
    return 0


if __name__ == "__main__":
    run_test(main)
