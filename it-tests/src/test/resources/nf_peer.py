"""TCP ends for NetfilterIT, run inside a test namespace.

serve PORT         accept forever; print "listening" once, then "peer ADDR PORT mss MSS" for each
                   connection (MSS: what it may send, TCP_MAXSEG), which gets "hello" and is closed
connect HOST PORT  print "hello" (what the server said), "refused", "timeout" or the error, then
                   "elapsed SECONDS" for the attempt
sink PORT          accept forever; print "listening" once, then "got BYTES" for each connection read to its end
send HOST PORT N   send N zero bytes, then wait for the server to close; print "sent N"
"""
import socket
import sys
import time


def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    print("listening", flush=True)
    while True:
        c, (addr, peer_port) = s.accept()
        mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
        print("peer %s %d mss %d" % (addr, peer_port, mss), flush=True)
        c.sendall(b"hello\n")
        c.close()


def connect(host, port):
    start = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=5) as c:
            print(c.recv(100).decode().strip())
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print("error %s" % e)
    print("elapsed %.3f" % (time.monotonic() - start))


def sink(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    print("listening", flush=True)
    while True:
        c, _ = s.accept()
        got = 0
        while True:
            data = c.recv(1 << 16)
            if not data:
                break
            got += len(data)
        print("got %d" % got, flush=True)  # before the close the sender waits for
        c.close()


def send(host, port, n):
    chunk = bytes(1 << 16)
    with socket.create_connection((host, port), timeout=30) as c:
        left = n
        while left > 0:
            left -= c.send(chunk[:min(left, len(chunk))])
        c.shutdown(socket.SHUT_WR)
        c.recv(1)
    print("sent %d" % n)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif sys.argv[1] == "sink":
        sink(int(sys.argv[2]))
    elif sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        connect(sys.argv[2], int(sys.argv[3]))
