#!/usr/bin/env python3
"""Opens COUNT TCP connections to ADDR:PORT and keeps them idle until stdin closes; prints "open N".

usage: idle_conns.py ADDR PORT COUNT
"""
import resource
import socket
import sys

addr, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_NOFILE, (count + 100, count + 100))
socks = []
for _ in range(count):
    socks.append(socket.create_connection((addr, port), timeout=30))
print("open", len(socks), flush=True)
sys.stdin.read()
