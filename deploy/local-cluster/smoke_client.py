#!/usr/bin/env python3
"""End-to-end smoke test of a running Switchboard cluster through its load balancer, Python stdlib only.

Two WebSocket clients (JSON subprotocol, RFC 6455 framing written here: the stdlib has no WebSocket client)
connect through the load balancer and must land on different gateways; both subscribe to one fresh room;
alice publishes N messages with acks (pipelined) and bob, on the other gateway, must receive each of them once,
in position order, at the acknowledged positions (so the publish crossed gateway -> router -> Kafka -> the other gateway's
fan-out); then bob publishes one message back. With --presence (the presence service runs): alice's PresenceQuery
must list both users (gateways report to presence), and bob's DirectMessage to alice must be acked with
devices >= 1 and arrive on alice's gateway (router -> presence lookup -> control topic -> the other gateway).
Tokens are HS256 JWTs minted with the cluster's secret; they grant every verb in the smoke's rooms (smoke:*) and
nothing else, and the smoke checks that a room outside the grant is refused (gateways deny by default).

A wss:// URL (a cluster started with `cluster.sh up --tls`) is checked against the CA of --ca-file.

usage: smoke_client.py [--presence] [--ca-file CA_PEM] URL HS256_SECRET [MESSAGES]      exit 0 = pass, 1 = fail
"""
import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import struct
import sys
import time
import urllib.parse

TIMEOUT = 15.0
CA_FILE = None  # --ca-file: the CA a wss:// URL's certificate must chain to (None: the system's trust store)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


ALL_VERBS = ["subscribe", "publish", "history", "presence", "ephemeral"]


def mint_token(secret: str, user: str, ttl_seconds: int = 600) -> str:
    """An HS256 JWT with sub, iat, exp (what the gateway requires) and a rooms claim granting the smoke's rooms."""
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = b64url(json.dumps({"sub": user, "iat": now, "exp": now + ttl_seconds, "rooms": {"smoke:*": ALL_VERBS}},
                               separators=(",", ":")).encode())
    signing_input = f"{header}.{claims}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{claims}.{b64url(signature)}"


class WebSocket:
    """A minimal client: one text frame per message, answers pings, reports closes."""

    def __init__(self, url: str, subprotocol: str = "switchboard.v1.json"):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError(f"url: {url} (expected: ws://host:port/path or wss://...)")
        secure = parts.scheme == "wss"
        self.sock = socket.create_connection((parts.hostname, parts.port or (443 if secure else 80)), timeout=TIMEOUT)
        if secure:  # certificate and host name checked against the CA of --ca-file (else the system's)
            self.sock = ssl.create_default_context(cafile=CA_FILE).wrap_socket(self.sock, server_hostname=parts.hostname)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Sec-WebSocket-Protocol: {subprotocol}\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed during the handshake")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise ConnectionError(f"handshake refused: {lines[0]}")
        self.headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        if self.headers.get("sec-websocket-accept", "").encode() != expected:
            raise ConnectionError("bad Sec-WebSocket-Accept")

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, frame: dict) -> None:
        self._send_frame(0x1, json.dumps(frame, separators=(",", ":")).encode())

    def recv(self) -> dict:
        """The next data message as JSON; raises ConnectionError on a close frame."""
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)  # server frames are not masked
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise ConnectionError(f"closed by the server: {code} {payload[2:].decode(errors='replace')}")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            message += payload
            if b0 & 0x80:
                return json.loads(message)

    def recv_until(self, predicate, what: str, deadline: float, sink=None) -> dict:
        """Reads until a frame satisfies predicate; other frames go to sink (or are checked for errors)."""
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            frame = self.recv()
            if predicate(frame):
                return frame
            if "error" in frame:
                raise AssertionError(f"while waiting for {what}: {frame}")
            if sink is not None:
                sink(frame)
        raise TimeoutError(f"no {what} within {TIMEOUT}s")

    def close(self) -> None:
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        finally:
            self.sock.close()


def connect(url: str, secret: str, user: str):
    ws = WebSocket(url)
    ws.send({"connect": {"token": mint_token(secret, user), "client": "switchboard-smoke/1"}})
    connected = ws.recv_until(lambda f: "connected" in f, "connected", time.monotonic() + TIMEOUT)["connected"]
    print(f"  {user}: connected to {connected['gatewayId']} (LB header X-Switchboard-Server: "
          f"{ws.headers.get('x-switchboard-server', '-')})")
    return ws, connected["gatewayId"]


def check_presence(alice, bob, room: str, run: str) -> None:
    """PresenceQuery lists both users; a DirectMessage from bob reaches alice on her gateway."""
    deadline = time.monotonic() + TIMEOUT
    members = []
    while True:  # reports reach presence every gateway.presence.report-interval (0.2 s): poll, bounded
        alice.send({"presence": {"requestId": 300, "room": room}})
        page = alice.recv_until(lambda f: "presencePage" in f, "presence page", deadline)["presencePage"]
        members = sorted(m["userId"] for m in page.get("members", []))
        if members == ["alice", "bob"]:
            break
        if time.monotonic() >= deadline:
            raise AssertionError(f"presence of {room}: members {members} (expected: ['alice', 'bob'])")
        time.sleep(0.5)
    print(f"  presence: {room} lists {members} ({page.get('connections', '?')} connections)")

    dm = f"dm-{run}"
    bob.send({"direct": {"requestId": 301, "userId": "alice", "id": dm,
                         "payload": base64.b64encode(b"psst").decode(), "contentType": "text/plain"}})
    ack = bob.recv_until(lambda f: "ack" in f and f["ack"].get("requestId") == 301, "direct message ack",
                         time.monotonic() + TIMEOUT)["ack"]
    if int(ack.get("devices", 0)) < 1:
        raise AssertionError(f"direct message to alice: ack {ack} (expected: devices >= 1, alice is connected)")
    got = alice.recv_until(lambda f: "userMessage" in f and f["userMessage"].get("id") == dm,
                           "bob's direct message on alice", time.monotonic() + TIMEOUT)["userMessage"]
    if got.get("sender") != "bob":
        raise AssertionError(f"direct message: sender {got.get('sender')} (expected: bob)")
    print(f"  direct message bob -> alice: acked with devices={ack['devices']}, delivered on alice's gateway")


def main() -> int:
    args = sys.argv[1:]
    presence = "--presence" in args
    args = [a for a in args if a != "--presence"]
    global CA_FILE
    if "--ca-file" in args:
        i = args.index("--ca-file")
        CA_FILE = args[i + 1]
        del args[i:i + 2]
    if len(args) not in (2, 3):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    url, secret = args[0], args[1]
    count = int(args[2]) if len(args) == 3 else 20
    run = f"{int(time.time())}-{os.getpid()}"
    room = f"smoke:room-{run}"  # ids are deduplicated per (user, id) for minutes: both are fresh per run
    alice, gw_a = connect(url, secret, "alice")
    bob, gw_b = connect(url, secret, "bob")
    try:
        if gw_a == gw_b:
            raise AssertionError(f"both clients landed on {gw_a}: the load balancer did not spread connections")
        for ws, rid in ((alice, 1), (bob, 1)):
            ws.send({"subscribe": {"requestId": rid, "room": room}})
        bob_messages, alice_messages = [], []
        alice.recv_until(lambda f: "subscribed" in f, "alice subscribed", time.monotonic() + TIMEOUT,
                         alice_messages.append)
        bob.recv_until(lambda f: "subscribed" in f, "bob subscribed", time.monotonic() + TIMEOUT,
                       bob_messages.append)
        print(f"  both subscribed to {room}")
        alice.send({"subscribe": {"requestId": 3, "room": f"private:{run}"}})
        refused = alice.recv_until(lambda f: "error" in f and f["error"].get("requestId") == 3, "refused subscribe",
                                   time.monotonic() + TIMEOUT, alice_messages.append)["error"]
        if refused.get("code") != "PERMISSION_DENIED":
            raise AssertionError(f"subscribe to a room the token does not grant: {refused} (expected PERMISSION_DENIED)")
        print(f"  alice: private:{run} refused with PERMISSION_DENIED (not granted by the token)")

        acks = {}
        for i in range(count):
            payload = base64.b64encode(f"hello {i}".encode()).decode()
            alice.send({"publish": {"requestId": 100 + i, "room": room, "id": f"alice-{run}-{i}", "payload": payload,
                                    "contentType": "text/plain", "ack": True}})
        deadline = time.monotonic() + TIMEOUT
        while len(acks) < count:
            frame = alice.recv_until(lambda f: "ack" in f, "acks", deadline, alice_messages.append)["ack"]
            acks[frame["id"]] = int(frame.get("position", "0"))
        print(f"  alice: {count} publishes acknowledged (positions {min(acks.values())}..{max(acks.values())})")

        deadline = time.monotonic() + TIMEOUT
        while len([m for m in bob_messages if "message" in m]) < count:
            bob_messages.append(bob.recv_until(lambda f: "message" in f, "messages on bob", deadline))
        received = [m["message"] for m in bob_messages if "message" in m]
        ids = [m["id"] for m in received]
        if sorted(ids) != sorted(acks):
            raise AssertionError(f"bob received {ids} (expected each of the {count} acked ids once)")
        # Pipelined publishes may be stored in any order; delivery must follow the stored order (positions).
        positions = [int(m.get("position", "0")) for m in received]
        if positions != sorted(positions):
            raise AssertionError(f"bob received positions {positions} out of order")
        for m in received:
            if int(m.get("position", "0")) != acks[m["id"]]:
                raise AssertionError(f"{m['id']}: delivered at {m.get('position')}, acknowledged at {acks[m['id']]}")
            if m.get("sender") != "alice" and m.get("sender", {}).get("userId") not in (None, "alice"):
                raise AssertionError(f"{m['id']}: sender {m.get('sender')}")
        print(f"  bob ({gw_b}): received all {count} messages from alice ({gw_a}) once, in position order, at the acked positions")

        bob.send({"publish": {"requestId": 2, "room": room, "id": f"bob-{run}",
                              "payload": base64.b64encode(b"hi alice").decode(), "ack": True}})
        deadline = time.monotonic() + TIMEOUT
        while not any("message" in m and m["message"]["id"] == f"bob-{run}" for m in alice_messages):
            alice_messages.append(alice.recv_until(lambda f: "message" in f, "bob's message on alice", deadline))
        print(f"  alice ({gw_a}): received bob's reply")
        if presence:
            check_presence(alice, bob, room, run)
        return 0
    finally:
        alice.close()
        bob.close()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, ConnectionError, TimeoutError, OSError) as e:
        print(f"SMOKE FAILED: {e}", file=sys.stderr)
        sys.exit(1)
