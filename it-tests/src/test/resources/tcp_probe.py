#!/usr/bin/env python3
"""TCP probes the integration tests run inside a test namespace.

usage: tcp_probe.py echo ADDR PORT BYTES        random bytes through an echo server; prints "same" or what differed
       tcp_probe.py many ADDR PORT COUNT        COUNT connections open at once, each echoing 1 KiB; prints "ok N"
       tcp_probe.py steady ADDR PORT SECONDS    one connection echoing 64 bytes every 50 ms for SECONDS or until
                                                SIGTERM; prints "connected" once it is, then
                                                "ok ROUNDS max_ms SLOWEST" or what broke
"""
import hashlib
import os
import signal
import socket
import sys
import threading
import time


def echo(addr, port, size):
    data = os.urandom(size)
    s = socket.create_connection((addr, port), timeout=60)
    got = hashlib.sha256()
    received = [0]

    def reader():
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return
            got.update(chunk)
            received[0] += len(chunk)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(120)
    s.close()
    same = received[0] == size and got.hexdigest() == hashlib.sha256(data).hexdigest()
    print("same" if same else "different: %d of %d bytes back" % (received[0], size))


def many(addr, port, count):
    socks = [socket.create_connection((addr, port), timeout=30) for _ in range(count)]
    payload = os.urandom(1024)
    for s in socks:
        s.sendall(payload)
    ok = 0
    for s in socks:
        buf = b""
        while len(buf) < len(payload):
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        ok += buf == payload
        s.close()
    print("ok", ok)


class Stop(Exception):
    pass


def stop(signum, frame):
    raise Stop()


def steady(addr, port, seconds):
    s = socket.create_connection((addr, port), timeout=5)
    s.settimeout(30)
    # SIGTERM ends the run at once, a round under way counting as long as it has waited so far, so a test
    # can stop it when its other work is done
    signal.signal(signal.SIGTERM, stop)
    print("connected", flush=True)
    rounds, slowest = 0, 0.0
    end = time.monotonic() + seconds
    start = None
    try:
        while time.monotonic() < end:
            data = os.urandom(64)
            start = time.monotonic()
            s.sendall(data)
            buf = b""
            while len(buf) < len(data):
                chunk = s.recv(len(data) - len(buf))
                if not chunk:
                    print("broken: closed after %d rounds" % rounds)
                    return
                buf += chunk
            if buf != data:
                print("broken: different bytes after %d rounds" % rounds)
                return
            rounds += 1
            slowest = max(slowest, time.monotonic() - start)
            start = None
            time.sleep(0.05)
    except Stop:
        if start is not None:
            slowest = max(slowest, time.monotonic() - start)
    s.close()
    print("ok %d max_ms %d" % (rounds, slowest * 1000))


if __name__ == "__main__":
    kind, addr, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    {"echo": echo, "many": many, "steady": steady}[kind](addr, port, n)
