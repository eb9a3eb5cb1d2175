#!/usr/bin/env python3
"""The prober of DiffProbeIT: one battery of probes sent to one target, every answer written down normalised.

usage: diff_probe.py IFACE NET TARGET_IP OUT [ONLY]
  IFACE      the probe side's interface (it carries no IP address: its kernel never answers what comes back)
  NET        the first three octets of the /24 both ends share, e.g. 10.203.1
  TARGET_IP  the target's address (NET.2)
  OUT        where to write the JSON report: {"probes": [{"name", "answers": [...], "late": [...]}]}
  ONLY       optionally, a comma-separated list of probe names to run alone

The prober answers ARP for its own addresses itself. Every probe comes from an address of its own (NET.10
upwards) and, for TCP and UDP, a source port of its own, so an answer is attributed to the probe whose
address it is sent to, even when it comes late, and no ICMP rate limit (per destination in Linux) links one
probe to the next. What is random per run (initial sequence numbers, timestamp values, random IP IDs, MAC
addresses) is masked; checksums are written as valid or not.
"""
import hashlib
import json
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_CSUMNOTREADY = 1 << 3
BCAST_MAC = b"\xff" * 6

WINDOW = 1.2        # how long a probe listens for answers it cannot count on
ANSWER_WAIT = 4.0   # how long a probe waits for answers it expects, before giving up
GRACE = 0.25        # after the expected answers, how long to listen for more


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def aton(a):
    return socket.inet_aton(a)


def ntoa(b):
    return socket.inet_ntoa(b)


def payload(n, seed=0):
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


# ---------------------------------------------------------------------------------------------------- building

def ip_packet(src, dst, proto, data, tos=0, ident=0x1234, flags=0, frag=0, ttl=64, options=b"", ihl=None,
              total=None, version=4, bad_csum=False, csum_value=None):
    opts = options + b"\0" * (-len(options) % 4)
    hl = 20 + len(opts)
    ihl = hl // 4 if ihl is None else ihl
    total = hl + len(data) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, tos, total, ident, (flags << 13) | frag, ttl, proto, 0,
                    src, dst) + opts
    c = csum(h) if csum_value is None else csum_value
    if bad_csum:
        c ^= 0x5A5A
    return h[:10] + struct.pack("!H", c) + h[12:] + data


def icmp(typ, code=0, rest=b"\0\0\0\0", data=b"", bad_csum=False):
    body = struct.pack("!BBH", typ, code, 0) + rest + data
    c = csum(body)
    if bad_csum:
        c ^= 0x5A5A
    return body[:2] + struct.pack("!H", c) + body[4:]


def echo(ident, seq=1, data=payload(56), code=0, bad_csum=False, typ=8):
    return icmp(typ, code, struct.pack("!HH", ident, seq), data, bad_csum)


def udp(src, dst, sport, dport, data, csum_mode="ok", length=None):
    length = 8 + len(data) if length is None else length
    h = struct.pack("!HHHH", sport, dport, length, 0)
    if csum_mode == "zero":
        return h + data
    pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + len(data))
    c = csum(pseudo + h + data) or 0xFFFF
    if csum_mode == "bad":
        c ^= 0x5A5A
    return h[:6] + struct.pack("!H", c) + data


def tcp(src, dst, sport, dport, seq, ack, flags, win=64240, opts=b"", data=b"", urg=0, bad_csum=False):
    opts = opts + b"\0" * (-len(opts) % 4)
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, win, 0,
                    urg) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(pseudo + h + data)
    if bad_csum:
        c ^= 0x5A5A
    return h[:16] + struct.pack("!H", c) + h[18:] + data


FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 1, 2, 4, 8, 16, 32, 64, 128


def mss(v):
    return struct.pack("!BBH", 2, 4, v)


def ws(v):
    return struct.pack("!BBB", 3, 3, v)


SACKOK = b"\x04\x02"
NOP = b"\x01"


def ts(val, ecr=0):
    return struct.pack("!BBII", 8, 10, val, ecr)


TS0 = 1000          # the prober's first timestamp value
LINUX_SYN_OPTS = mss(1460) + SACKOK + ts(TS0) + NOP + ws(7)


def arp(op, sha, spa, tha, tpa, hlen=6, plen=4, htype=1, ptype=0x0800):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


# ---------------------------------------------------------------------------------------------------- parsing

def flag_str(f):
    return "".join(c for c, b in (("F", FIN), ("S", SYN), ("R", RST), ("P", PSH), ("A", ACK), ("U", URG),
                                  ("E", ECE), ("C", CWR)) if f & b) or "0"


class Prober:
    def __init__(self, iface, net, target):
        self.iface, self.net, self.target = iface, net, aton(target)
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.bind((iface, ETH_P_ALL))
        self.s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        self.mac = self.s.getsockname()[4]
        self.tmac = None
        self.frames = []          # (time, frame, checksum not ready)
        self.cond = threading.Condition()
        self.mine = {aton("%s.%d" % (net, n)) for n in list(range(10, 250)) + [1]}
        self.silent = set()       # our addresses whose ARP requests go unanswered
        threading.Thread(target=self.receive, daemon=True).start()

    def send(self, frame):
        self.s.send(frame)

    def eth(self, dst_mac, ethertype, body):
        return dst_mac + self.mac + struct.pack("!H", ethertype) + body

    def receive(self):
        while True:
            data, anc, _, addr = self.s.recvmsg(70000, socket.CMSG_SPACE(32))
            if addr[2] == PACKET_OUTGOING:
                continue
            notready = False
            for level, typ, cdata in anc:
                if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 4:
                    notready = bool(struct.unpack("I", cdata[:4])[0] & TP_STATUS_CSUMNOTREADY)
            if len(data) >= 42 and data[12:14] == b"\x08\x06":
                op = struct.unpack("!H", data[20:22])[0]
                tpa = data[38:42]
                if op == 1 and tpa in self.mine and tpa not in self.silent and data[28:32] == self.target:
                    # a request for one of our addresses: answer it, as a host would
                    self.send(self.eth(data[6:12], ETH_P_ARP, arp(2, self.mac, tpa, data[22:28], data[28:32])))
            with self.cond:
                self.frames.append((time.monotonic(), data, notready))
                self.cond.notify_all()

    def resolve(self):
        src = aton("%s.1" % self.net)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            start = len(self.frames)
            self.send(self.eth(BCAST_MAC, ETH_P_ARP, arp(1, self.mac, src, b"\0" * 6, self.target)))
            end = time.monotonic() + 1
            while time.monotonic() < end:
                with self.cond:
                    self.cond.wait(0.1)
                    for _, f, _ in self.frames[start:]:
                        if f[12:14] == b"\x08\x06" and f[20:22] == b"\0\x02" and f[28:32] == self.target:
                            self.tmac = f[22:28]
                            return
        raise SystemExit("the target %s never answered ARP" % ntoa(self.target))


class Probe:
    """One probe's context: its own address and port, what it sent, and its answers."""

    def __init__(self, p, index, name):
        self.p, self.name = p, name
        self.ip = aton("%s.%d" % (p.net, 10 + index))
        self.sport = 20000 + index * 8
        self.tgt = p.target
        self.bcast = aton("%s.255" % p.net)
        self.sent = []            # IP packets sent, for matching quotes
        self.start = len(p.frames)
        self.seen = self.start
        self.answers = []
        self.isn = None
        self.seq0 = 1_000_000
        self.tsval = TS0
        self.peer_ts = 0
        self.arp_probe = False
        self.igmp_probe = False

    # sending
    def ip_frame(self, pkt, dst_mac=None):
        self.sent.append(pkt)
        self.p.send(self.p.eth(self.p.tmac if dst_mac is None else dst_mac, ETH_P_IP, pkt))

    def ip_send(self, proto, data, dst=None, src=None, dst_mac=None, **kw):
        if "ipflags" in kw:
            kw["flags"] = kw.pop("ipflags")
        self.ip_frame(ip_packet(self.ip if src is None else src, self.tgt if dst is None else dst, proto, data,
                                **kw), dst_mac)

    def icmp_send(self, body, **kw):
        self.ip_send(1, body, **kw)

    def udp_send(self, dport, data, csum_mode="ok", length=None, sport=None, **kw):
        dst = kw.get("dst", self.tgt)
        self.ip_send(17, udp(self.ip, dst, self.sport if sport is None else sport, dport, data, csum_mode, length),
                     **kw)

    def tcp_send(self, dport, seq, ack, flags, win=64240, opts=b"", data=b"", urg=0, bad_csum=False, **kw):
        dst = kw.get("dst", self.tgt)
        self.ip_send(6, tcp(self.ip, dst, self.sport, dport, seq, ack, flags, win, opts, data, urg, bad_csum), **kw)

    def arp_send(self, op, sha=None, spa=None, tha=b"\0" * 6, tpa=None, dst_mac=BCAST_MAC, **kw):
        self.arp_probe = True
        body = arp(op, self.p.mac if sha is None else sha, self.ip if spa is None else spa, tha,
                   self.tgt if tpa is None else tpa, **kw)
        self.p.send(self.p.eth(dst_mac, ETH_P_ARP, body))

    # receiving
    def mine(self, f):
        if len(f) < 14:
            return False
        et = f[12:14]
        if et == b"\x08\x00" and len(f) >= 34:
            if f[30:34] == self.ip:
                return True
            return self.igmp_probe and f[23] == 2
        if et == b"\x08\x06" and len(f) >= 42:
            # the target asking who we are, or (in an ARP probe) anything it says
            return f[38:42] == self.ip or (self.arp_probe and f[28:32] == self.tgt and f[38:42] not in self.p.mine)
        return False

    def collect(self, count=0, window=None):
        """Waits for `count` more IP answers (ARP does not count), then GRACE; with none expected, a window."""
        if count == 0:
            deadline = time.monotonic() + (WINDOW if window is None else window)
        else:
            deadline = time.monotonic() + (ANSWER_WAIT if window is None else window)
        got = 0
        new = []
        while True:
            with self.p.cond:
                while self.seen < len(self.p.frames):
                    t, f, nr = self.p.frames[self.seen]
                    self.seen += 1
                    if self.mine(f):
                        new.append((f, nr))
                        if f[12:14] == b"\x08\x00":
                            got += 1
                            if count and got == count:
                                deadline = min(deadline, time.monotonic() + GRACE)
                            self.learn(f)
                now = time.monotonic()
                if now >= deadline:
                    break
                self.p.cond.wait(min(0.05, deadline - now))
        for f, nr in new:
            self.answers.append(self.norm(f, nr))
        return [f for f, _ in new]

    def learn(self, f):
        ihl = (f[14] & 15) * 4
        if f[23] == 6:
            t = f[14 + ihl:]
            if len(t) >= 14 and t[13] & SYN and t[13] & ACK and self.isn is None:
                self.isn = struct.unpack("!I", t[4:8])[0]
            hl = (t[12] >> 4) * 4 if len(t) >= 13 else 0
            o = t[20:hl]
            i = 0
            while i < len(o) and o[i] != 0:
                if o[i] == 1:
                    i += 1
                    continue
                if i + 1 >= len(o) or o[i + 1] < 2:
                    break
                if o[i] == 8 and o[i + 1] == 10:
                    self.peer_ts = struct.unpack("!I", o[i + 2:i + 6])[0]
                i += o[i + 1]

    def tso(self, step):
        """NOP NOP and a timestamp `step` after the first, echoing the target's latest."""
        return NOP + NOP + ts(self.tsval + step, self.peer_ts)

    def last_tcp(self, frames):
        for f in reversed(frames):
            if f[12:14] == b"\x08\x00" and f[23] == 6:
                return f[14 + (f[14] & 15) * 4:]
        return None

    # normalising
    def macname(self, m):
        if m == self.p.mac:
            return "me"
        if m == self.p.tmac:
            return "tgt"
        if m == BCAST_MAC:
            return "bcast"
        if m == b"\0" * 6:
            return "zero"
        return "other"

    def ipname(self, a):
        if a == self.ip:
            return "me"
        if a == self.tgt:
            return "tgt"
        if a in self.p.mine:
            return "net.%d" % a[3]
        return ntoa(a)

    def norm(self, f, notready):
        et = f[12:14]
        head = "eth %s>%s " % (self.macname(f[6:12]), self.macname(f[0:6]))
        if et == b"\x08\x06":
            htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", f[14:22])
            return head + "ARP op=%d hw=%d/%d proto=%#x/%d sha=%s spa=%s tha=%s tpa=%s" % (
                op, htype, hlen, ptype, plen, self.macname(f[22:28]), self.ipname(f[28:32]),
                self.macname(f[32:38]), self.ipname(f[38:42]))
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        ident = struct.unpack("!H", ip[4:6])[0]
        fl = struct.unpack("!H", ip[6:8])[0]
        ttl, proto = ip[8], ip[9]
        sent_ids = {struct.unpack("!H", s[4:6])[0] for s in self.sent}
        if proto == 17 and len(ip) >= ihl + 2 and ip[ihl:ihl + 2] == b"\x00\x13":
            total = -1   # chargen: a random length
        idn = "0" if ident == 0 else ("probe" if ident in sent_ids else "x")
        opts = self.norm_opts(ip[20:ihl])
        s = head + "IP v=%d hl=%d tos=%#x len=%d id=%s df=%d mf=%d off=%d ttl=%d p=%d csum=%s %s>%s%s" % (
            ip[0] >> 4, ihl, ip[1], total, idn, fl >> 14 & 1, fl >> 13 & 1, fl & 0x1FFF, ttl, proto,
            "ok" if csum(ip[:ihl]) == 0 else "bad", self.ipname(ip[12:16]), self.ipname(ip[16:20]),
            " opts=" + opts if opts else "")
        body = ip[ihl:] if total < 0 else ip[ihl:total]
        if fl & 0x3FFF and (fl & 0x1FFF):
            return s + " fragment"
        if proto == 1:
            return s + " | " + self.norm_icmp(body)
        if proto == 6:
            return s + " | " + self.norm_tcp(body, ip, notready)
        if proto == 17:
            return s + " | " + self.norm_udp(body, ip, notready)
        if proto == 2:
            return s + " | IGMP " + body[:8].hex()
        return s + " | proto %d %d bytes" % (proto, len(body))

    def norm_opts(self, o):
        out = []
        i = 0
        while i < len(o):
            k = o[i]
            if k in (0, 1):
                out.append({0: "eol", 1: "nop"}[k])
                i += 1
                continue
            if i + 1 >= len(o):
                out.append("%d:trunc" % k)
                break
            ln = o[i + 1]
            v = o[i:i + ln] if ln >= 2 else o[i:]
            if k == 68 and ln >= 4:
                ptr, ofl = v[2], v[3]
                flag = ofl & 15
                # the timestamps are times of day: keep which slots were filled and the addresses
                cells = []
                step = 4 if flag == 0 else 8
                for j in range(4, ln, step):
                    cell = v[j:j + step]
                    if flag == 0:
                        cells.append("t" if j < ptr - 1 else "-")
                    else:
                        cells.append("%s/%s" % (self.ipname(cell[:4]) if len(cell) >= 4 else "?",
                                                "t" if j < ptr - 1 else "-"))
                out.append("ts(len=%d,ptr=%d,oflw=%d,fl=%d,%s)" % (ln, ptr, ofl >> 4, flag, ",".join(cells)))
            elif k in (7, 131, 137) and ln >= 3:
                addrs = [self.ipname(v[j:j + 4]) for j in range(3, ln - 3, 4)]
                out.append("%d(len=%d,ptr=%d,%s)" % (k, ln, v[2], ",".join(addrs)))
            else:
                out.append("%d(%s)" % (k, v.hex()))
            if ln < 2:
                break
            i += ln
        return " ".join(out)

    @staticmethod
    def fold_timestamp_fields(q, diffs):
        """Offsets that fall in the 4-byte entries of a quoted IP Timestamp option count as each entry's first."""
        ihl = (q[0] & 0x0f) * 4
        fields = []
        i = 20
        while i < min(ihl, len(q)):
            kind = q[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= len(q):
                break
            ln = q[i + 1]
            if ln < 2:
                break
            if kind == 68:  # IPOPT_TIMESTAMP: type, length, pointer, oflw/flag, then 4-byte entries
                j = i + 4
                while j + 4 <= min(i + ln, len(q)):
                    fields.append(j)
                    j += 4
            i += ln
        out = []
        for d in diffs:
            start = next((f for f in fields if f <= d < f + 4), None)
            key = start if start is not None else d
            if key not in out:
                out.append(key)
        return out

    def quote(self, q):
        """An ICMP error's quoted bytes, against the packet they quote."""
        if len(q) < 20:
            return "quote=%d bytes" % len(q)
        for s in reversed(self.sent):
            if s[4:6] == q[4:6] and s[12:20] == q[12:20]:
                n = min(len(q), len(s))
                diffs = [i for i in range(n) if q[i] != s[i]]
                # a timestamp the router or target wrote into a quoted IP option (ms since midnight UT) differs
                # from the zero sent in as many bytes as its value has non-zero bytes: whole 4-byte fields count
                # once, by their first offset, so the comparison does not hang on the clock
                diffs = self.fold_timestamp_fields(q, diffs)
                return "quote=%d of %d%s" % (len(q), len(s), " differs@" + ",".join(map(str, diffs[:12]))
                                             if diffs else " same")
        return "quote=%d unknown %s" % (len(q), q[:28].hex())

    def norm_icmp(self, b):
        if len(b) < 8:
            return "ICMP short %s" % b.hex()
        typ, code = b[0], b[1]
        s = "ICMP %d/%d csum=%s len=%d" % (typ, code, "ok" if csum(b) == 0 else "bad", len(b))
        if typ in (0, 8):
            ident, seq = struct.unpack("!HH", b[4:8])
            req = None
            for p in reversed(self.sent):
                if p[9] == 1 and not struct.unpack("!H", p[6:8])[0] & 0x3FFF:
                    req = p[(p[0] & 15) * 4:]
                    break
            data = b[8:]
            same = req is not None and data == req[8:8 + len(data)]
            return s + " id=%s seq=%d data=%d%s" % ("probe" if req is not None and b[4:6] == req[4:6] else ident,
                                                     seq, len(data), " same" if same else " other")
        if typ == 14:
            return s + " id/seq=%s orig=%s times=%d" % (b[4:8].hex(), "same" if self.sent and b[8:12] ==
                                                        self.sent[-1][(self.sent[-1][0] & 15) * 4 + 8:][:4]
                                                        else "other", len(b) - 12)
        if typ in (16, 18):
            return s + " rest=%s" % b[4:].hex()
        if typ in (3, 4, 5, 11, 12):
            rest = b[4:8].hex()
            return s + " rest=%s %s" % (rest, self.quote(b[8:]))
        return s + " rest=%s" % b[4:24].hex()

    def rel_seq(self, v):
        if self.isn is not None:
            d = (v - self.isn) & 0xFFFFFFFF
            # a number near the ISN is the connection's own; anywhere else only 0 means something (a reset for
            # a SYN, numbered 0 whatever the ISN), and a random distance from a random ISN would never compare
            if d < 1_000_000 or d > 0xFFFFFFFF - 1_000_000 or v != 0:
                return "isn+%d" % d
            return "0"
        return "0" if v == 0 else "x"

    def rel_ack(self, v):
        d = (v - self.seq0) & 0xFFFFFFFF
        if d < 1_000_000 or d > 0xFFFFFFFF - 1_000_000:
            return "mine%+d" % (d if d < 0x80000000 else d - 0x100000000)
        return "0" if v == 0 else "x"

    def tcp_opts(self, o):
        out = []
        i = 0
        while i < len(o):
            k = o[i]
            if k == 0:
                out.append("eol")
                break
            if k == 1:
                out.append("nop")
                i += 1
                continue
            if i + 1 >= len(o) or o[i + 1] < 2:
                out.append("bad")
                break
            ln = o[i + 1]
            v = o[i + 2:i + ln]
            if k == 2:
                out.append("mss%d" % struct.unpack("!H", v)[0])
            elif k == 3:
                out.append("ws%d" % v[0])
            elif k == 4:
                out.append("sackOK")
            elif k == 8 and len(v) == 8:
                tsv, ecr = struct.unpack("!II", v)
                d = (ecr - TS0) & 0xFFFFFFFF
                out.append("ts(ecr=%s)" % ("0" if ecr == 0 else "me+%d" % d if d < 100000 else "x"))
            else:
                out.append("%d:%s" % (k, v.hex()))
            i += ln
        return ",".join(out)

    def l4csum(self, seg, ip, proto, notready):
        if notready:
            return "ok"    # left for the device to finish (CHECKSUM_PARTIAL): as good as valid
        pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(seg))
        return "ok" if csum(pseudo + seg) == 0 else "bad"

    def norm_tcp(self, t, ip, notready):
        if len(t) < 20:
            return "TCP short"
        sport, dport, seq, ack, off, flags, win, _, urg = struct.unpack("!HHIIBBHHH", t[:20])
        hl = (off >> 4) * 4
        data = t[hl:]
        return "TCP %d>%s %s seq=%s ack=%s win=%d urg=%d opts=[%s] data=%d%s csum=%s" % (
            sport, "me" if dport == self.sport else dport, flag_str(flags), self.rel_seq(seq),
            self.rel_ack(ack) if flags & ACK or ack else "-", win, urg, self.tcp_opts(t[20:hl]), len(data),
            (" " + hashlib.sha1(data).hexdigest()[:8]) if data and sport != 19 else "",
            self.l4csum(t, ip, 6, notready))

    def norm_udp(self, u, ip, notready):
        if len(u) < 8:
            return "UDP short"
        sport, dport, ln, c = struct.unpack("!HHHH", u[:8])
        data = u[8:]
        if sport == 19:   # chargen: a random length
            return "UDP 19>%s chargen csum=%s" % ("me" if dport == self.sport else dport,
                                                  "zero" if c == 0 else self.l4csum(u, ip, 17, notready))
        return "UDP %d>%s len=%d data=%d %s csum=%s" % (sport, "me" if dport == self.sport else dport, ln, len(data),
                                                         hashlib.sha1(data).hexdigest()[:8],
                                                         "zero" if c == 0 else self.l4csum(u, ip, 17, notready))

    # TCP helpers
    def handshake(self, port, opts=LINUX_SYN_OPTS):
        self.tcp_send(port, self.seq0, 0, SYN, opts=opts)
        fr = self.collect(1)
        t = self.last_tcp(fr)
        if t is None or self.isn is None:
            return False
        self.tcp_send(port, self.seq0 + 1, self.isn + 1, ACK, win=502, opts=self.tso(1))
        self.collect(0, 0.3)
        return True

    def abort(self, port, seq=None):
        """A reset that ends what a probe left open, so nothing from it is retransmitted later."""
        self.tcp_send(port, self.seq0 + 1 if seq is None else seq, 0, RST)


# ---------------------------------------------------------------------------------------------------- battery

CLOSED_TCP = 4444
CLOSED_UDP = 4445
LISTEN = 9        # discard
ECHO = 7

PROBES = []


def probe(name):
    def register(fn):
        PROBES.append((name, fn))
        return fn
    return register


def ping(c, **kw):
    c.icmp_send(echo(c.sport, **{k: kw.pop(k) for k in ("data", "code", "bad_csum", "seq") if k in kw}), **kw)


def ping_expect(count):
    return lambda c: c.collect(count)


# ---- ICMP echo
def simple_echo(name, count, **kw):
    @probe(name)
    def _(c):
        ping(c, **kw)
        c.collect(count)


simple_echo("echo", 1)
simple_echo("echo-code-1", 1, code=1)
simple_echo("echo-code-255", 1, code=255)
simple_echo("echo-empty", 1, data=b"")
simple_echo("echo-odd-1-byte", 1, data=b"\x5a")
simple_echo("echo-1472", 1, data=payload(1472))
simple_echo("echo-bad-checksum", 0, bad_csum=True)
simple_echo("echo-tos-0x10", 1, tos=0x10)
simple_echo("echo-tos-ce", 1, tos=0x03)
simple_echo("echo-tos-0xb8", 1, tos=0xB8)
simple_echo("echo-df", 1, flags=2)
simple_echo("echo-ttl-1", 1, ttl=1)
simple_echo("echo-ttl-0", 1, ttl=0)
simple_echo("echo-ip-id-0", 1, ident=0)
simple_echo("echo-evil-bit", 1, flags=4)
simple_echo("echo-eth-broadcast", 1, dst_mac=BCAST_MAC)
simple_echo("echo-eth-multicast", 1, dst_mac=b"\x01\x00\x5e\x00\x00\x01")
simple_echo("echo-eth-other-host", 0, dst_mac=b"\x02\x11\x22\x33\x44\x55")
simple_echo("echo-seq-65535", 1, seq=65535)


@probe("echo-to-subnet-broadcast")
def _(c):
    ping(c, dst=c.bcast, dst_mac=BCAST_MAC)
    c.collect(0)


@probe("echo-to-limited-broadcast")
def _(c):
    ping(c, dst=aton("255.255.255.255"), dst_mac=BCAST_MAC)
    c.collect(0)


@probe("echo-to-multicast-all-hosts")
def _(c):
    ping(c, dst=aton("224.0.0.1"), dst_mac=b"\x01\x00\x5e\x00\x00\x01")
    c.collect(0)


@probe("echo-from-zero-source")
def _(c):
    ping(c, src=aton("0.0.0.0"))
    c.collect(0)


@probe("echo-from-own-address")
def _(c):
    ping(c, src=c.tgt)
    c.collect(0)


@probe("echo-from-loopback-source")
def _(c):
    ping(c, src=aton("127.0.0.1"))
    c.collect(0)


@probe("echo-to-other-address")
def _(c):
    ping(c, dst=aton("%s.77" % c.p.net))
    c.collect(0)


@probe("echo-trailing-garbage")
def _(c):
    body = echo(c.sport)
    pkt = ip_packet(c.ip, c.tgt, 1, body) + b"GARBAGE!" * 4
    c.ip_frame(pkt)
    c.collect(1)


# ---- other ICMP
def icmp_probe(name, count, typ, code=0, rest=b"\0\0\0\0", data=b"", **kw):
    @probe(name)
    def _(c):
        r = struct.pack("!HH", c.sport, 7) if rest is None else rest
        c.icmp_send(icmp(typ, code, r, data), **kw)
        c.collect(count)


icmp_probe("icmp-timestamp", 1, 13, rest=None, data=struct.pack("!III", 1234, 0, 0))
icmp_probe("icmp-timestamp-short", 0, 13, rest=None, data=struct.pack("!I", 1234))
icmp_probe("icmp-timestamp-long", 1, 13, rest=None, data=struct.pack("!III", 1234, 0, 0) + b"\0" * 8)
icmp_probe("icmp-info-request", 0, 15, rest=None)
icmp_probe("icmp-address-mask", 0, 17, rest=None, data=b"\0\0\0\0")
icmp_probe("icmp-extended-echo", 0, 42, rest=None, data=b"\x20\x00\x00\x00")
icmp_probe("icmp-type-100", 0, 100)
icmp_probe("icmp-echo-reply-unsolicited", 0, 0, rest=None, data=payload(8))
icmp_probe("icmp-redirect", 0, 5, rest=b"\x0a\x00\x00\x63", data=ip_packet(b"\x0a\0\0\1", b"\x0a\0\0\2", 17,
                                                                             b"\0" * 8))
icmp_probe("icmp-source-quench", 0, 4, data=b"\0" * 28)
icmp_probe("icmp-too-short", 0, 8, rest=b"")
icmp_probe("icmp-router-solicitation", 0, 10)
icmp_probe("icmp-router-advertisement", 0, 9, rest=b"\x01\x02\x07\x08", data=b"\x0a\0\0\1\0\0\0\0")


@probe("icmp-timestamp-to-broadcast")
def _(c):
    c.icmp_send(icmp(13, 0, struct.pack("!HH", c.sport, 1), b"\0" * 12), dst=c.bcast, dst_mac=BCAST_MAC)
    c.collect(0)


@probe("icmp-unreachable-quoting-our-udp")
def _(c):
    inner = ip_packet(c.tgt, c.ip, 17, udp(c.tgt, c.ip, 33000, 53, b""))
    c.icmp_send(icmp(3, 3, b"\0\0\0\0", inner))
    c.collect(0)


# ---- IP header oddities
def ip_odd(name, count, **kw):
    @probe(name)
    def _(c):
        ping(c, **kw)
        c.collect(count)


ip_odd("ip-version-6", 0, version=6)
ip_odd("ip-version-5", 0, version=5)
ip_odd("ip-ihl-4", 0, ihl=4)
ip_odd("ip-ihl-15-short-packet", 0, ihl=15)
ip_odd("ip-total-below-header", 0, total=16)
ip_odd("ip-total-beyond-frame", 0, total=1400)
ip_odd("ip-bad-header-checksum", 0, bad_csum=True)
ip_odd("ip-checksum-zero", 0, csum_value=0)
ip_odd("ip-last-fragment-alone", 0, frag=100)


def proto_probe(name, count, proto, data=b"\0" * 8, **kw):
    @probe(name)
    def _(c):
        c.ip_send(proto, data, **kw)
        c.collect(count)


proto_probe("ip-proto-253", 1, 253)
proto_probe("ip-proto-0", 1, 0)
proto_probe("ip-proto-gre-47", 1, 47, data=b"\0\0\x08\0" + b"\0" * 20)
proto_probe("ip-proto-ipip-4", 1, 4, data=ip_packet(b"\x0a\0\0\1", b"\x0a\0\0\2", 1, echo(1)))
proto_probe("tcp-truncated-header", 0, 6, data=b"\0" * 10)
proto_probe("udp-truncated-header", 0, 17, data=b"\0" * 4)
proto_probe("icmp-empty", 0, 1, data=b"")


def igmp(typ, code, group, extra=b""):
    body = struct.pack("!BBH4s", typ, code, 0, group) + extra
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


RA = b"\x94\x04\x00\x00"


@probe("igmp-general-query")
def _(c):
    c.igmp_probe = True
    c.ip_send(2, igmp(0x11, 100, b"\0\0\0\0"), dst=aton("224.0.0.1"), dst_mac=b"\x01\x00\x5e\x00\x00\x01", ttl=1,
              options=RA)
    c.collect(0)


@probe("igmpv3-general-query")
def _(c):
    c.igmp_probe = True
    c.ip_send(2, igmp(0x11, 100, b"\0\0\0\0", b"\x02\x7d\x00\x00"), dst=aton("224.0.0.1"),
              dst_mac=b"\x01\x00\x5e\x00\x00\x01", ttl=1, options=RA)
    c.collect(0)


@probe("igmp-query-unicast")
def _(c):
    c.igmp_probe = True
    c.ip_send(2, igmp(0x11, 100, b"\0\0\0\0"), ttl=1, options=RA)
    c.collect(0)


@probe("igmp-report-unicast")
def _(c):
    c.igmp_probe = True
    c.ip_send(2, igmp(0x16, 0, aton("239.1.2.3")), ttl=1)
    c.collect(0)


# ---- IP options (on an echo request unless said)
def opt_probe(name, count, options, proto="echo", **kw):
    @probe(name)
    def _(c):
        o = options(c) if callable(options) else options
        if proto == "echo":
            ping(c, options=o, **kw)
        elif proto == "udp-closed":
            c.udp_send(CLOSED_UDP, payload(16), options=o, **kw)
        elif proto == "tcp-closed":
            c.tcp_send(CLOSED_TCP, 5000, 0, SYN, options=o, **kw)
        elif proto == "tcp-listen":
            c.tcp_send(LISTEN, c.seq0, 0, SYN, opts=mss(1460), options=o, **kw)
        elif proto == "proto-253":
            c.ip_send(253, b"\0" * 8, options=o, **kw)
        fr = c.collect(count)
        if proto == "tcp-listen":
            c.abort(LISTEN)
            c.collect(0, 0.2)


def rr(slots, ptr=4, filled=()):
    body = b"".join(filled) + b"\0" * 4 * (slots - len(filled))
    return bytes([7, 3 + 4 * slots, ptr]) + body


def tsopt(flag, slots, ptr=5, oflw=0, addrs=None):
    step = 4 if flag == 0 else 8
    body = b""
    for i in range(slots):
        body += (addrs[i] if addrs else b"\0" * 4) + b"\0" * 4 if flag else b"\0" * 4
    return bytes([68, 4 + step * slots, ptr, (oflw << 4) | flag]) + body


opt_probe("opt-nop-x4", 1, b"\x01\x01\x01\x01")
opt_probe("opt-eol", 1, b"\x00\x00\x00\x00")
opt_probe("opt-nop-then-eol-then-junk", 1, b"\x01\x00\x99\x99")
opt_probe("opt-record-route-2", 1, rr(2))
opt_probe("opt-record-route-9", 1, rr(9))
opt_probe("opt-record-route-full", 1, lambda c: rr(2, ptr=12, filled=(aton("10.9.9.9"), aton("10.9.9.8"))))
opt_probe("opt-record-route-ptr-3", 1, rr(2, ptr=3))
opt_probe("opt-record-route-ptr-odd", 1, rr(2, ptr=6))
opt_probe("opt-timestamp-only", 1, tsopt(0, 3))
opt_probe("opt-timestamp-addr", 1, tsopt(1, 2, ptr=5))
opt_probe("opt-timestamp-prespec-us", 1, lambda c: tsopt(3, 2, ptr=5, addrs=[c.tgt, aton("10.9.9.9")]))
opt_probe("opt-timestamp-prespec-other", 1, lambda c: tsopt(3, 2, ptr=5, addrs=[aton("10.9.9.9"), c.tgt]))
opt_probe("opt-timestamp-full", 1, bytes([68, 8, 9, 0]) + b"\0" * 4)
opt_probe("opt-timestamp-full-overflow-15", 1, bytes([68, 8, 9, 0xF0]) + b"\0" * 4)
opt_probe("opt-timestamp-bad-flag", 1, bytes([68, 8, 5, 2]) + b"\0" * 4)
opt_probe("opt-timestamp-ptr-low", 1, bytes([68, 8, 4, 0]) + b"\0" * 4)
opt_probe("opt-lsrr-via-target", 0, lambda c: bytes([131, 7, 4]) + aton("10.9.9.9"))
opt_probe("opt-lsrr-exhausted", 0, lambda c: bytes([131, 7, 8]) + aton("10.9.9.9"))
opt_probe("opt-ssrr", 0, lambda c: bytes([137, 7, 4]) + aton("10.9.9.9"))
opt_probe("opt-router-alert", 1, RA)
opt_probe("opt-router-alert-bad-len", 1, b"\x94\x03\x00\x01")
opt_probe("opt-len-1", 1, b"\x07\x01\x00\x00")
opt_probe("opt-len-0", 1, b"\x44\x00\x00\x00")
opt_probe("opt-len-past-header", 1, b"\x07\x20\x04\x00")
opt_probe("opt-unknown-0x99", 1, b"\x99\x04\x00\x00")
opt_probe("opt-unknown-copied-0xde", 1, b"\xde\x04\x00\x00")
opt_probe("opt-security", 1, b"\x82\x0b" + b"\0" * 9 + b"\x01")
opt_probe("opt-stream-id", 1, b"\x88\x04\x12\x34")
opt_probe("opt-commercial-security", 1, b"\x86\x06\0\0\0\0")
opt_probe("opt-rr-on-udp-closed", 1, rr(2), proto="udp-closed")
opt_probe("opt-ts-on-udp-closed", 1, tsopt(0, 2), proto="udp-closed")
opt_probe("opt-rr-on-proto-253", 1, rr(2), proto="proto-253")
opt_probe("opt-rr-on-tcp-closed", 1, rr(2), proto="tcp-closed")
opt_probe("opt-rr-on-tcp-syn", 1, rr(2), proto="tcp-listen")
opt_probe("opt-bad-len-on-udp-closed", 1, b"\x07\x01\x00\x00", proto="udp-closed")


# ---- fragments: a 1000-byte echo request cut into pieces
def frag_pieces(c, data_len=1000, cut=(0, 504), ident=None, proto=1, body=None):
    body = echo(c.sport, data=payload(data_len)) if body is None else body
    ident = 0x4000 + c.sport % 1000 if ident is None else ident
    bounds = list(cut) + [len(body)]
    out = []
    for i in range(len(cut)):
        a, b = bounds[i], bounds[i + 1]
        mf = 1 if b < len(body) else 0
        out.append(ip_packet(c.ip, c.tgt, proto, body[a:b], ident=ident, flags=mf, frag=a // 8))
    return out


def frag_probe(name, count, arrange, **kw):
    @probe(name)
    def _(c):
        pieces = frag_pieces(c, **kw)
        c.sent.append(ip_packet(c.ip, c.tgt, 1, echo(c.sport, data=payload(1000)), ident=0x4000 + c.sport % 1000))
        for p in arrange(c, pieces):
            c.ip_frame(p)
        c.collect(count)


frag_probe("frag-in-order", 1, lambda c, p: p)
frag_probe("frag-reversed", 1, lambda c, p: p[::-1])
frag_probe("frag-tiny-8-bytes", 1, lambda c, p: p, cut=tuple(range(0, 1008, 8)))
frag_probe("frag-three-shuffled", 1, lambda c, p: [p[1], p[2], p[0]], cut=(0, 304, 704))
frag_probe("frag-duplicate", 1, lambda c, p: [p[0], p[0], p[1]])
frag_probe("frag-overlap-same-data", 0, lambda c, p: [p[0], p[1]], cut=(0, 504, 496))


@probe("frag-overlap-tail")
def _(c):
    body = echo(c.sport, data=payload(1000))
    ident = 0x4000 + c.sport % 1000
    a = ip_packet(c.ip, c.tgt, 1, body[:504], ident=ident, flags=1, frag=0)
    b = ip_packet(c.ip, c.tgt, 1, body[496:], ident=ident, flags=0, frag=62)
    c.ip_frame(a)
    c.ip_frame(b)
    c.collect(0)


@probe("frag-mf-odd-length")
def _(c):
    body = echo(c.sport, data=payload(1000))
    ident = 0x4000 + c.sport % 1000
    c.ip_frame(ip_packet(c.ip, c.tgt, 1, body[:500], ident=ident, flags=1, frag=0))
    c.ip_frame(ip_packet(c.ip, c.tgt, 1, body[504:], ident=ident, flags=0, frag=63))
    c.collect(0)


@probe("frag-df-and-mf")
def _(c):
    for p in frag_pieces(c):
        b = bytearray(p)
        b[6] |= 0x40
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", csum(bytes(b[:20])))
        c.ip_frame(bytes(b))
    c.collect(1)


@probe("frag-with-record-route")
def _(c):
    body = echo(c.sport, data=payload(1000))
    ident = 0x4000 + c.sport % 1000
    c.sent.append(ip_packet(c.ip, c.tgt, 1, body, ident=ident, options=rr(2)))
    c.ip_frame(ip_packet(c.ip, c.tgt, 1, body[:504], ident=ident, flags=1, frag=0, options=rr(2)))
    c.ip_frame(ip_packet(c.ip, c.tgt, 1, body[504:], ident=ident, flags=0, frag=63))
    c.collect(1)


@probe("frag-beyond-65535")
def _(c):
    body = echo(c.sport, data=payload(100))
    c.ip_frame(ip_packet(c.ip, c.tgt, 1, body, ident=0x5000, flags=0, frag=8189))
    c.collect(0)


@probe("frag-udp-closed-port")
def _(c):
    body = udp(c.ip, c.tgt, c.sport, CLOSED_UDP, payload(1200))
    whole = ip_packet(c.ip, c.tgt, 17, body, ident=0x4321)
    c.sent.append(whole)
    for p in frag_pieces(c, body=body, ident=0x4321, proto=17, cut=(0, 600)):
        c.ip_frame(p)
    c.collect(1)


@probe("frag-udp-echo")
def _(c):
    body = udp(c.ip, c.tgt, c.sport, ECHO, payload(3000))
    for p in frag_pieces(c, body=body, ident=0x4322, proto=17, cut=(0, 1480)):
        c.ip_frame(p)
    c.collect(3)


# ---- UDP
def udp_probe(name, count, dport, data=payload(32), **kw):
    @probe(name)
    def _(c):
        c.udp_send(dport, data, **kw)
        c.collect(count)


udp_probe("udp-closed", 1, CLOSED_UDP)
udp_probe("udp-closed-empty", 1, CLOSED_UDP, data=b"")
udp_probe("udp-closed-1000", 1, CLOSED_UDP, data=payload(1000))
udp_probe("udp-closed-1472", 1, CLOSED_UDP, data=payload(1472))
udp_probe("udp-closed-tos-0x10", 1, CLOSED_UDP, tos=0x10)
udp_probe("udp-closed-df", 1, CLOSED_UDP, flags=2)
udp_probe("udp-closed-zero-checksum", 1, CLOSED_UDP, csum_mode="zero")
udp_probe("udp-closed-bad-checksum", 0, CLOSED_UDP, csum_mode="bad")
udp_probe("udp-closed-to-broadcast", 0, CLOSED_UDP, dst=aton("255.255.255.255"), dst_mac=BCAST_MAC)
udp_probe("udp-closed-eth-broadcast", 1, CLOSED_UDP, dst_mac=BCAST_MAC)
udp_probe("udp-echo", 1, ECHO)
udp_probe("udp-echo-empty", 1, ECHO, data=b"")
udp_probe("udp-echo-1472", 1, ECHO, data=payload(1472))
udp_probe("udp-echo-tos-0x10", 1, ECHO, tos=0x10)
udp_probe("udp-echo-zero-checksum", 1, ECHO, csum_mode="zero")
udp_probe("udp-echo-bad-checksum", 0, ECHO, csum_mode="bad")
udp_probe("udp-echo-length-beyond-ip", 0, ECHO, length=200)
udp_probe("udp-echo-length-below-8", 0, ECHO, length=4)
udp_probe("udp-discard", 0, 9)
udp_probe("udp-chargen", 1, 19)
udp_probe("udp-sport-0-to-closed", 1, CLOSED_UDP, sport=0)


@probe("udp-echo-length-short-of-ip")
def _(c):
    data = payload(32)
    seg = udp(c.ip, c.tgt, c.sport, ECHO, data[:16])
    seg = seg[:4] + struct.pack("!H", 24) + seg[6:] + data[16:]
    c.ip_send(17, seg)
    c.collect(1)


# ---- TCP to a closed port
def tcp_closed(name, count, flags, seq=5000, ack=0, data=b"", opts=b"", **kw):
    @probe(name)
    def _(c):
        c.tcp_send(CLOSED_TCP, seq, ack, flags, opts=opts, data=data, **kw)
        c.collect(count)


tcp_closed("tcp-closed-syn", 1, SYN, opts=LINUX_SYN_OPTS)
tcp_closed("tcp-closed-syn-fin", 1, SYN | FIN)
tcp_closed("tcp-closed-fin", 1, FIN)
tcp_closed("tcp-closed-null", 1, 0)
tcp_closed("tcp-closed-xmas", 1, FIN | PSH | URG, urg=1)
tcp_closed("tcp-closed-ack", 1, ACK, ack=777777)
tcp_closed("tcp-closed-rst", 0, RST)
tcp_closed("tcp-closed-rst-ack", 0, RST | ACK, ack=777)
tcp_closed("tcp-closed-syn-rst", 0, SYN | RST)
tcp_closed("tcp-closed-syn-ack", 1, SYN | ACK, ack=777777)
tcp_closed("tcp-closed-ack-data", 1, ACK | PSH, ack=777777, data=payload(10))
tcp_closed("tcp-closed-fin-ack", 1, FIN | ACK, ack=777777)
tcp_closed("tcp-closed-syn-data", 1, SYN, data=payload(10))
tcp_closed("tcp-closed-syn-bad-checksum", 0, SYN, bad_csum=True)
tcp_closed("tcp-closed-syn-eth-broadcast", 0, SYN, dst_mac=BCAST_MAC)
tcp_closed("tcp-closed-syn-to-broadcast", 0, SYN, dst=aton("255.255.255.255"), dst_mac=BCAST_MAC)


# ---- TCP to a listening port
def tcp_listen(name, count, flags, opts=b"", data=b"", port=LISTEN, ack=0, win=64240, **kw):
    @probe(name)
    def _(c):
        c.tcp_send(port, c.seq0, ack, flags, opts=opts, data=data, win=win, **kw)
        c.collect(count)
        if c.isn is not None:
            c.abort(port)
            c.collect(0, 0.2)


tcp_listen("tcp-listen-syn-no-options", 1, SYN)
tcp_listen("tcp-listen-syn-mss", 1, SYN, opts=mss(1460))
tcp_listen("tcp-listen-syn-linux", 1, SYN, opts=LINUX_SYN_OPTS)
tcp_listen("tcp-listen-syn-linux-echo-port", 1, SYN, opts=LINUX_SYN_OPTS, port=ECHO)
tcp_listen("tcp-listen-syn-ws-14", 1, SYN, opts=mss(1460) + NOP + ws(14))
tcp_listen("tcp-listen-syn-ws-15", 1, SYN, opts=mss(1460) + NOP + ws(15))
tcp_listen("tcp-listen-syn-ws-0", 1, SYN, opts=mss(1460) + NOP + ws(0))
tcp_listen("tcp-listen-syn-mss-0", 1, SYN, opts=mss(0))
tcp_listen("tcp-listen-syn-mss-100", 1, SYN, opts=mss(100))
tcp_listen("tcp-listen-syn-mss-65535", 1, SYN, opts=mss(65535))
tcp_listen("tcp-listen-syn-ts-only", 1, SYN, opts=NOP + NOP + ts(1000))
tcp_listen("tcp-listen-syn-sackok-only", 1, SYN, opts=NOP + NOP + SACKOK)
tcp_listen("tcp-listen-syn-ws-only", 1, SYN, opts=NOP + ws(7))
tcp_listen("tcp-listen-syn-ts-nonzero-ecr", 1, SYN, opts=NOP + NOP + ts(1000, 99))
tcp_listen("tcp-listen-syn-md5", 0, SYN, opts=mss(1460) + b"\x13\x12" + b"\xab" * 16 + NOP + NOP)
tcp_listen("tcp-listen-syn-fastopen-request", 1, SYN, opts=mss(1460) + b"\x22\x02" + NOP + NOP)
tcp_listen("tcp-listen-syn-unknown-option", 1, SYN, opts=mss(1460) + b"\xc8\x04\x00\x00")
tcp_listen("tcp-listen-syn-option-len-1", 1, SYN, opts=mss(1460) + b"\x08\x01\x00\x00")
tcp_listen("tcp-listen-syn-option-past-end", 1, SYN, opts=b"\x02\x08\x05\xb4")
tcp_listen("tcp-listen-syn-eol-first", 1, SYN, opts=b"\x00" + mss(1460)[:3])
tcp_listen("tcp-listen-syn-mss-twice", 1, SYN, opts=mss(1000) + mss(500))
tcp_listen("tcp-listen-syn-data", 1, SYN, opts=mss(1460), data=payload(20))
tcp_listen("tcp-listen-syn-fin", 0, SYN | FIN, opts=mss(1460))
tcp_listen("tcp-listen-fin", 0, FIN)
tcp_listen("tcp-listen-null", 0, 0)
tcp_listen("tcp-listen-xmas", 0, FIN | PSH | URG, urg=1)
tcp_listen("tcp-listen-ack", 1, ACK, ack=777777)
tcp_listen("tcp-listen-rst", 0, RST)
tcp_listen("tcp-listen-syn-ack", 1, SYN | ACK, ack=777777)
tcp_listen("tcp-listen-syn-rst", 0, SYN | RST)
tcp_listen("tcp-listen-syn-ecn", 1, SYN | ECE | CWR, opts=mss(1460))
tcp_listen("tcp-listen-syn-ece-only", 1, SYN | ECE, opts=mss(1460))
tcp_listen("tcp-listen-syn-urg", 1, SYN | URG, opts=mss(1460), urg=5)
tcp_listen("tcp-listen-syn-psh", 1, SYN | PSH, opts=mss(1460))
tcp_listen("tcp-listen-syn-window-0", 1, SYN, opts=mss(1460), win=0)
tcp_listen("tcp-listen-syn-bad-checksum", 0, SYN, opts=mss(1460), bad_csum=True)
tcp_listen("tcp-listen-syn-eth-broadcast", 0, SYN, opts=mss(1460), dst_mac=BCAST_MAC)
tcp_listen("tcp-listen-syn-eth-multicast", 0, SYN, opts=mss(1460), dst_mac=b"\x01\x00\x5e\x00\x00\x01")
tcp_listen("tcp-listen-syn-ttl-1", 1, SYN, opts=mss(1460), ttl=1)
tcp_listen("tcp-listen-syn-tos-0x10", 1, SYN, opts=mss(1460), tos=0x10)
tcp_listen("tcp-listen-syn-df", 1, SYN, opts=mss(1460), ipflags=2)
tcp_listen("tcp-listen-syn-from-broadcast", 0, SYN, opts=mss(1460), src=aton("255.255.255.255"))
tcp_listen("tcp-listen-syn-from-multicast", 0, SYN, opts=mss(1460), src=aton("224.1.1.1"))
tcp_listen("tcp-listen-syn-ack-number-set", 1, SYN, opts=mss(1460), ack=12345)


@probe("tcp-listen-syn-twice")
def _(c):
    c.tcp_send(LISTEN, c.seq0, 0, SYN, opts=mss(1460))
    c.collect(1)
    c.tcp_send(LISTEN, c.seq0, 0, SYN, opts=mss(1460))
    c.collect(1)
    c.abort(LISTEN)
    c.collect(0, 0.2)


@probe("tcp-listen-syn-then-other-seq")
def _(c):
    c.tcp_send(LISTEN, c.seq0, 0, SYN, opts=mss(1460))
    c.collect(1)
    c.tcp_send(LISTEN, c.seq0 + 5000, 0, SYN, opts=mss(1460))
    c.collect(1)
    c.abort(LISTEN)
    c.collect(0, 0.2)


@probe("tcp-syn-recv-bad-ack")
def _(c):
    c.tcp_send(LISTEN, c.seq0, 0, SYN, opts=mss(1460))
    c.collect(1)
    if c.isn is not None:
        c.tcp_send(LISTEN, c.seq0 + 1, c.isn + 100, ACK)
        c.collect(1)
    c.abort(LISTEN)
    c.collect(0, 0.2)


@probe("tcp-syn-recv-rst")
def _(c):
    c.tcp_send(LISTEN, c.seq0, 0, SYN, opts=mss(1460))
    c.collect(1)
    c.abort(LISTEN)
    c.collect(0)


# ---- TCP beyond LISTEN (the echo service)
def established(name, action, port=ECHO):
    @probe(name)
    def _(c):
        if not c.handshake(port):
            return
        action(c, port)
        c.abort(port, c.seq0 + 1 + getattr(c, "sent_bytes", 0))
        c.collect(0, 0.3)


def est_data(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH, win=502, opts=c.tso(2),
               data=b"hello\n")
    c.sent_bytes = 6
    c.collect(2)


def est_data_no_ts(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH, win=502, data=b"hello\n")
    c.sent_bytes = 6
    c.collect(1)


def est_oow_data(c, port):
    c.tcp_send(port, c.seq0 + 1 + 10_000_000, c.isn + 1, ACK, win=502, opts=c.tso(2),
               data=b"far")
    c.collect(1)


def est_old_ack_data(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn - 100_000, ACK, win=502, opts=c.tso(2), data=b"old")
    c.collect(1)


def est_future_ack(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 100_000, ACK, win=502, opts=c.tso(2))
    c.collect(1)


def est_rst_in_window(c, port):
    c.tcp_send(port, c.seq0 + 10, 0, RST)
    c.collect(1)


def est_rst_exact(c, port):
    c.tcp_send(port, c.seq0 + 1, 0, RST)
    c.collect(0)
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK, win=502, data=b"x")
    c.collect(1)


def est_rst_out_of_window(c, port):
    c.tcp_send(port, c.seq0 + 10_000_000, 0, RST)
    c.collect(0)


def est_syn(c, port):
    c.tcp_send(port, c.seq0 + 50, 0, SYN, opts=mss(1460))
    c.collect(1)


def est_fin(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, FIN | ACK, win=502, opts=c.tso(2))
    c.sent_bytes = 1
    c.collect(1)
    c.collect(0, 0.5)
    c.tcp_send(port, c.seq0 + 2, c.isn + 2, ACK, win=502, opts=c.tso(3))
    c.collect(0, 0.3)
    # TIME_WAIT on our side, LAST_ACK done on theirs: a segment now meets a closed socket
    c.tcp_send(port, c.seq0 + 2, c.isn + 2, ACK, win=502, data=b"late")
    c.collect(1)


def est_data_no_ack_flag(c, port):
    c.tcp_send(port, c.seq0 + 1, 0, PSH, win=502, data=b"noack")
    c.collect(0)


def est_zero_window_probe(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH, win=0, opts=c.tso(2), data=b"ab")
    c.sent_bytes = 2
    c.collect(1)


def est_urgent(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH | URG, win=502, opts=c.tso(2),
               data=b"urgent", urg=3)
    c.sent_bytes = 6
    c.collect(2)


def est_paws_old_ts(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH, win=502, opts=c.tso(-500),
               data=b"paws")
    c.collect(1)


def est_dup_data(c, port):
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH, win=502, opts=c.tso(2), data=b"ab")
    c.sent_bytes = 2
    c.collect(2)
    c.tcp_send(port, c.seq0 + 1, c.isn + 1, ACK | PSH, win=502, opts=c.tso(3), data=b"ab")
    c.collect(1)


def est_out_of_order(c, port):
    c.tcp_send(port, c.seq0 + 11, c.isn + 1, ACK | PSH, win=502, opts=c.tso(2), data=b"later")
    c.collect(1)


established("tcp-est-data", est_data)
established("tcp-est-data-without-timestamps", est_data_no_ts)
established("tcp-est-out-of-window-data", est_oow_data)
established("tcp-est-old-ack-with-data", est_old_ack_data)
established("tcp-est-ack-of-unsent-data", est_future_ack)
established("tcp-est-rst-in-window", est_rst_in_window)
established("tcp-est-rst-exact", est_rst_exact)
established("tcp-est-rst-out-of-window", est_rst_out_of_window)
established("tcp-est-syn", est_syn)
established("tcp-est-fin-then-late-data", est_fin)
established("tcp-est-data-without-ack-flag", est_data_no_ack_flag)
established("tcp-est-zero-window-data", est_zero_window_probe)
established("tcp-est-urgent", est_urgent)
established("tcp-est-paws-old-timestamp", est_paws_old_ts)
established("tcp-est-duplicate-data", est_dup_data)
established("tcp-est-out-of-order", est_out_of_order)


# ---- path MTU: an ICMP "fragmentation needed" about what the target sent us, then something bigger
def frag_needed(c, mtu, proto, sport, dport):
    if proto == 1:
        inner = ip_packet(c.tgt, c.ip, 1, echo(c.sport, typ=0, data=payload(1400))[:8], total=1428)
    else:
        inner = ip_packet(c.tgt, c.ip, 17, udp(c.tgt, c.ip, sport, dport, payload(1400))[:8], total=1428, flags=2)
    c.icmp_send(icmp(3, 4, struct.pack("!HH", 0, mtu), inner))


def pmtu_probe(name, mtu, proto, size):
    @probe(name)
    def _(c):
        frag_needed(c, mtu, proto, ECHO, c.sport)
        c.collect(0, 0.5)
        if proto == 1:
            ping(c, data=payload(size))
        else:
            c.udp_send(ECHO, payload(size))
        c.collect(2 if size + 28 > max(mtu, 552) else 1)


pmtu_probe("pmtu-echo-after-frag-needed-1000", 1000, 1, 1400)
pmtu_probe("pmtu-echo-after-frag-needed-400", 400, 1, 1000)
pmtu_probe("pmtu-echo-after-frag-needed-0", 0, 1, 1000)
pmtu_probe("pmtu-echo-after-frag-needed-9000", 9000, 1, 1400)
pmtu_probe("pmtu-udp-echo-after-frag-needed-1000", 1000, 17, 1400)
pmtu_probe("pmtu-udp-echo-small-after-frag-needed-1000", 1000, 17, 500)


# ---- ARP
def arp_probe(name, **kw):
    @probe(name)
    def _(c):
        args = {k: (v(c) if callable(v) else v) for k, v in kw.items()}
        c.arp_send(**args)
        c.collect(0)


arp_probe("arp-request", op=1)
arp_probe("arp-request-unicast", op=1, dst_mac=lambda c: c.p.tmac)
arp_probe("arp-request-other-address", op=1, tpa=lambda c: aton("%s.77" % c.p.net))
arp_probe("arp-request-sender-is-target", op=1, spa=lambda c: c.tgt)
arp_probe("arp-request-from-zero-dad", op=1, spa=b"\0\0\0\0")
arp_probe("arp-request-gratuitous", op=1, tpa=lambda c: c.ip)
arp_probe("arp-reply-gratuitous", op=2, tha=BCAST_MAC, tpa=lambda c: c.ip)
arp_probe("arp-reply-unsolicited", op=2, tha=lambda c: c.p.tmac, dst_mac=lambda c: c.p.tmac)
arp_probe("arp-request-for-broadcast", op=1, tpa=lambda c: c.bcast)
arp_probe("arp-request-bad-hlen", op=1, hlen=8)
arp_probe("arp-request-op-3", op=3)
arp_probe("arp-request-from-broadcast-sender", op=1, spa=lambda c: c.bcast)
arp_probe("arp-request-from-multicast-sender", op=1, spa=aton("224.0.0.5"))
arp_probe("arp-request-sender-mac-broadcast", op=1, sha=BCAST_MAC)
arp_probe("arp-request-for-loopback", op=1, tpa=aton("127.0.0.1"))


@probe("arp-unanswered-while-a-reply-waits")
def _(c):
    # the target's echo reply waits for an ARP answer that never comes: how often, and how, does it ask?
    c.p.silent.add(c.ip)
    c.arp_probe = True
    ping(c)
    c.collect(0, 5.0)


@probe("arp-request-then-echo")
def _(c):
    # learnt from the request: no ARP of its own before answering the echo
    c.arp_send(op=1)
    c.collect(0, 0.3)
    ping(c)
    c.collect(1)


# a fragment whose datagram never completes: ICMP time exceeded (reassembly) about 30 s later, collected as late
@probe("frag-missing-middle")
def _(c):
    pieces = frag_pieces(c, cut=(0, 304, 704))
    c.sent.append(ip_packet(c.ip, c.tgt, 1, echo(c.sport, data=payload(1000)), ident=0x4000 + c.sport % 1000))
    c.ip_frame(pieces[0])
    c.ip_frame(pieces[2])
    c.collect(0)


# ---------------------------------------------------------------------------------------------------- main

# probes whose datagram never completes: the target owes an ICMP time exceeded 30 s later (a late answer)
INCOMPLETE_DATAGRAMS = {"frag-missing-middle", "frag-mf-odd-length"}


def main():
    iface, net, target, out = sys.argv[1:5]
    only = set(sys.argv[5].split(",")) if len(sys.argv) > 5 and sys.argv[5] else None
    p = Prober(iface, net, target)
    p.resolve()
    # the missing fragment first: its answer comes after the reassembly timeout, while the rest runs
    order = sorted(enumerate(PROBES), key=lambda e: 0 if e[1][0] == "frag-missing-middle" else 1)
    results = {}
    contexts = []
    incomplete = []
    for index, (name, fn) in order:
        if only and name not in only:
            continue
        c = Probe(p, index, name)
        if name in INCOMPLETE_DATAGRAMS:
            incomplete.append(time.monotonic())
        try:
            fn(c)
        except Exception as e:   # noqa: a broken probe is reported, not fatal
            c.answers.append("prober error: %r" % e)
        contexts.append(c)
        results[name] = c
    # late answers: wait until the reassembly timeout (30 s) has surely passed for every probe that left an
    # incomplete datagram behind
    while any(time.monotonic() - t < 36 for t in incomplete):
        time.sleep(0.5)
    with p.cond:
        frames = list(p.frames)
    report = []
    for index, (name, _) in enumerate(PROBES):
        c = results.get(name)
        if c is None:
            continue
        late = set()
        for _, f, nr in frames[c.seen:]:
            if c.mine(f) and f[12:14] == b"\x08\x00":
                late.add(c.norm(f, nr))
        report.append({"name": name, "answers": c.answers, "late": sorted(late)})
    with open(out, "w") as fh:
        json.dump({"probes": report}, fh, indent=1)


if __name__ == "__main__":
    main()
