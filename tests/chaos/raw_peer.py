"""Hand-made HTTP and WebSocket traffic for the chaos test's misbehaving clients: exactly the bytes
asked for, from a chosen loopback source address (Linux routes all of 127.0.0.0/8 to lo, so each
client can be its own "IP" for the server's per-address limits).

Not a test file. Every read has a timeout; nothing sleeps to synchronise.
"""
import asyncio
import base64
import os
import socket
import struct

from parley_client import OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, read_frame
from parley_client import encode_frame as frame


class Peer:
    """One TCP connection to the server, opened from `source_ip`."""

    def __init__(self, reader, writer, host, port):
        self.reader = reader
        self.writer = writer
        self.host = host
        self.port = port
        self.answer_pings = True  # as every WebSocket client does by itself

    @classmethod
    async def open(cls, port, source_ip, timeout, receive_buffer=None):
        host = "127.0.0.1"
        if receive_buffer is None:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, local_addr=(source_ip, 0)), timeout)
        else:
            # A small receive window set before connecting (the window scale is fixed in the SYN),
            # so a client that stops reading stops the server's output quickly.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.bind((source_ip, 0))
            sock.setblocking(False)
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)),
                                   timeout)
            reader, writer = await asyncio.open_connection(sock=sock)
        return cls(reader, writer, host, port)

    def write(self, data):
        self.writer.write(data)

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    def upgrade_request(self, path, headers=None):
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def response_status(self, timeout):
        """The status code of the server's response head; None if it closed without one."""
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            return None
        return int(head.split(b" ", 2)[1])

    async def upgrade(self, path, timeout, headers=None):
        """Sends an upgrade request; returns the response's status code (101 when upgraded)."""
        await self.send(self.upgrade_request(path, headers))
        return await self.response_status(timeout)

    async def recv_frame(self, timeout):
        """(opcode, payload) of the server's next frame; raises EOFError at the end of the stream.
        Pings are answered and skipped, unless answer_pings is False."""
        while True:
            b0, _, payload = await asyncio.wait_for(read_frame(self.reader), timeout)
            opcode = b0 & 0x0F
            if opcode != OP_PING or not self.answer_pings:
                return opcode, payload
            self.writer.write(frame(OP_PONG, payload))

    async def close_frame(self, timeout):
        """Reads frames up to the server's close frame; returns "code reason" ("1005" for one
        without a code, None when the connection ended without a close frame)."""
        while True:
            try:
                opcode, payload = await self.recv_frame(timeout)
            except EOFError:
                return None
            if opcode == OP_CLOSE:
                if len(payload) < 2:
                    return "1005"
                code = struct.unpack("!H", payload[:2])[0]
                return f"{code} {payload[2:].decode()}".rstrip()

    async def eof(self, timeout):
        """Reads (and discards) until the server ends the connection; returns every opcode seen."""
        opcodes = set()
        while True:
            try:
                opcode, _ = await self.recv_frame(timeout)
            except EOFError:
                return opcodes
            opcodes.add(opcode)

    def abort(self):
        """Drops the connection with an RST, as a crashed client or a vanished network does."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    def close(self):
        self.writer.close()
