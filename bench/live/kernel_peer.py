#!/usr/bin/python3
"""The kernel's side of the live benchmark (scripts/bench-live.sh).

The same two small programs face every stack under test -- minternet, lwIP
and the kernel itself -- so the figures differ only by the stack:

  kernel_peer.py discard ADDRESS PORT [--sha256]
      listens, takes one connection, reads it to the end with 1 MiB reads,
      closes, and prints one JSON line: bytes, seconds from accept to the
      end of the stream, Mbit/s (and the SHA-256 of what came, if asked).
      Prints "listening" on stderr once it is.
  kernel_peer.py send ADDRESS PORT BYTES
      connects (retrying for 10 s while nobody listens yet), sends BYTES of
      the pattern `minternet live --send` sends (byte i is 'a' + i mod 26) in
      1 MiB writes, shuts its side down and waits for the peer to close;
      prints one JSON line: bytes, seconds from the handshake to the peer's
      FIN (so every byte was read), Mbit/s.
  kernel_peer.py pattern-sha256 BYTES
      the SHA-256 of the first BYTES of that pattern.
  kernel_peer.py sha256
      the byte count and SHA-256 of standard input (OpenSSL's, through
      hashlib: several times sha256sum's speed here).

Python does little here: each call moves a megabyte inside the kernel, so a
single core keeps well above 10 Gbit/s (measured kernel to kernel over veth).
"""

import hashlib
import json
import socket
import sys
import time

ALPHABET = bytes(range(ord("a"), ord("z") + 1))
# A megabyte of the pattern, a whole number of alphabets long, so every write
# starts at 'a'; the last one is cut short.
BLOCK = ALPHABET * ((1 << 20) // len(ALPHABET))


def discard(address, port, want_sha):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(1)
    print("listening", file=sys.stderr, flush=True)
    conn, peer = listener.accept()
    start = time.monotonic()
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    sha = hashlib.sha256() if want_sha else None
    total = 0
    while True:
        n = conn.recv_into(buffer)
        if n == 0:
            break
        total += n
        if sha is not None:
            sha.update(view[:n])
    seconds = time.monotonic() - start
    conn.close()
    listener.close()
    report = {"mode": "discard", "peer": f"{peer[0]}:{peer[1]}", "bytes": total,
              "seconds": round(seconds, 6), "mbit_s": round(total * 8 / seconds / 1e6, 1)}
    if sha is not None:
        report["sha256"] = sha.hexdigest()
    print(json.dumps(report), flush=True)


def connect(address, port, patience_s=10.0):
    give_up = time.monotonic() + patience_s
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect((address, port))
            return s
        except (ConnectionRefusedError, OSError):
            s.close()
            if time.monotonic() >= give_up:
                raise
            time.sleep(0.05)


def send(address, port, amount):
    s = connect(address, port)
    start = time.monotonic()
    block = memoryview(BLOCK)
    left = amount
    while left > 0:
        n = min(left, len(block))
        s.sendall(block[:n])
        left -= n
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    seconds = time.monotonic() - start
    s.close()
    print(json.dumps({"mode": "send", "bytes": amount, "seconds": round(seconds, 6),
                      "mbit_s": round(amount * 8 / seconds / 1e6, 1)}), flush=True)


def pattern_sha256(amount):
    """The SHA-256 of the first `amount` bytes of the pattern."""
    sha = hashlib.sha256()
    left = amount
    while left > 0:
        n = min(left, len(BLOCK))
        sha.update(BLOCK[:n])
        left -= n
    return sha.hexdigest()


def stdin_sha256():
    sha = hashlib.sha256()
    total = 0
    stream = sys.stdin.buffer
    while True:
        chunk = stream.read1(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        sha.update(chunk)
    return total, sha.hexdigest()


def main(argv):
    if len(argv) >= 4 and argv[1] == "discard":
        discard(argv[2], int(argv[3]), "--sha256" in argv[4:])
    elif len(argv) == 5 and argv[1] == "send":
        send(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 3 and argv[1] == "pattern-sha256":
        print(pattern_sha256(int(argv[2])))
    elif len(argv) == 2 and argv[1] == "sha256":
        print("%d %s" % stdin_sha256())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
