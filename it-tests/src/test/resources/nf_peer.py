"""TCP ends for NetfilterIT, run inside a test namespace.

serve PORT         accept forever; print "listening" once, then "peer ADDR PORT" for each connection,
                   which gets "hello" and is closed
connect HOST PORT  print "hello" (what the server said), "refused", "timeout" or the error, then
                   "elapsed SECONDS" for the attempt
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
        print("peer %s %d" % (addr, peer_port), flush=True)
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


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        connect(sys.argv[2], int(sys.argv[3]))
