#!/usr/bin/env python3
"""The Temporal server's presence on the cluster tier's test network: listens on addresses inside
a network namespace the test created (the "server host" end of each veth pair) and relays every
connection to the server's frontend on this machine's loopback. The listening sockets are made
inside that namespace (setns), the outgoing ones in the namespace this process started in, so the
test's addresses exist only inside its own namespaces.

  netns-forward.py NETNS TARGET_HOST:PORT LISTEN_HOST:PORT [LISTEN_HOST:PORT ...]

Stops by itself when its standard input closes (the test that started it is gone) or after
--max-seconds (default 1800)."""
import ctypes
import os
import socket
import sys
import threading
import time

CLONE_NEWNET = 0x40000000


def setns(fd):
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def serve(listener, target):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        try:
            upstream = socket.create_connection(target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            a.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


def main():
    args = sys.argv[1:]
    max_seconds = 1800.0
    if "--max-seconds" in args:
        i = args.index("--max-seconds")
        max_seconds = float(args[i + 1])
        del args[i : i + 2]
    netns, target, listens = args[0], hostport(args[1]), [hostport(a) for a in args[2:]]
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    inside = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    setns(inside)
    listeners = []
    for addr in listens:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(addr)
        s.listen(128)
        listeners.append(s)
    setns(home)
    for s in listeners:
        threading.Thread(target=serve, args=(s, target), daemon=True).start()
    print("ready", flush=True)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    time.sleep(max_seconds)
    os._exit(0)


if __name__ == "__main__":
    main()
