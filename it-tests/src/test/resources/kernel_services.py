#!/usr/bin/env python3
"""The Linux target's services for DiffProbeIT, on the ports where ustack's built-in ones listen: echo (7),
discard (9) and chargen (19) on TCP and UDP, and bare listeners on 80 and 5201. Prints "ready" once all listen.

usage: kernel_services.py ADDR
"""
import socket
import sys
import threading

CHARGEN = bytes(range(32, 127)) * 6


def tcp_conn(conn, port):
    try:
        if port == 19:
            conn.settimeout(5)
            try:
                while True:
                    conn.sendall(CHARGEN[:512])
            except OSError:
                return
        while True:
            data = conn.recv(65536)
            if not data:
                return
            if port == 7:
                conn.sendall(data)
    except OSError:
        pass
    finally:
        conn.close()


def tcp_serve(s, port):
    while True:
        conn, _ = s.accept()
        threading.Thread(target=tcp_conn, args=(conn, port), daemon=True).start()


def udp_serve(s, port):
    while True:
        data, peer = s.recvfrom(65536)
        if port == 7:
            s.sendto(data, peer)
        elif port == 19:
            s.sendto(CHARGEN[:len(data) % 512], peer)


def main():
    addr = sys.argv[1]
    for port in (7, 9, 19, 80, 5201):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(128)
        threading.Thread(target=tcp_serve, args=(s, port), daemon=True).start()
    for port in (7, 9, 19):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        threading.Thread(target=udp_serve, args=(s, port), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
