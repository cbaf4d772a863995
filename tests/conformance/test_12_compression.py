"""Autobahn section 12 shapes: messages of many sizes and kinds, compressed by the client and
echoed compressed by the server (inflated on both sides and compared); with context takeover on
the client's side, as most clients use it."""
import pytest

from deflate_peer import BINARY, TEXT, Compressor, open_deflate, payload, send_compressed

SIZES = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072]
KINDS = ["text", "random_text", "json", "binary"]
MESSAGES = 10  # per case (Autobahn sends up to 1000; ten already cross the context's reuse)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", SIZES)
def test_12_x_compressed_echo(server, kind, size):
    client = open_deflate(server.port)
    try:
        compressor = Compressor()
        opcode = BINARY if kind == "binary" else TEXT
        for i in range(MESSAGES):
            data = payload(kind, size, seed=i)
            send_compressed(client, opcode, data, compressor)
            client.expect_message(opcode, data)
            if kind != "binary" and size >= 256:  # short or random data may not shrink: sent plain
                assert client.last_compressed, "the echo was not compressed"
        client.send_close(1000)
        client.expect_close(1000)
    finally:
        client.close()


@pytest.mark.parametrize("size", [256, 4096, 65536])
def test_12_x_fragmented_compressed_echo(server, size):
    """The compressed body split into frames of 100 bytes, interleaved with nothing else."""
    client = open_deflate(server.port)
    try:
        compressor = Compressor()
        for i in range(3):
            data = payload("random_text", size, seed=i)
            send_compressed(client, TEXT, data, compressor, fragment=100)
            client.expect_message(TEXT, data)
    finally:
        client.close()


def test_12_x_compressed_and_plain_messages_mix(server):
    """RSV1 is per message: a client may send some messages plain."""
    client = open_deflate(server.port)
    try:
        compressor = Compressor()
        for i in range(6):
            data = payload("json", 2000, seed=i)
            if i % 2:
                client.send_text(data)
            else:
                send_compressed(client, TEXT, data, compressor)
            client.expect_message(TEXT, data)
    finally:
        client.close()
