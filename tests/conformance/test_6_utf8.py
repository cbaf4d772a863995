"""Autobahn section 6: UTF-8 handling (Markus Kuhn's UTF-8 decoder stress test, scaled down).

Valid text is echoed byte for byte; invalid text fails the connection with 1007, also when the
bad sequence is split across fragments, and as soon as a fragment makes the text impossible.
"""
import pytest

from rawws import CONT, TEXT, build_frame

KOSME = "κόσμε".encode()

VALID = {
    "ascii": b"Hello-World!",
    "kosme": KOSME,
    "hello-utf8": "Hello-µ@ßöäüàá-UTF-8!!".encode(),
    "2-byte": "é".encode(),
    "3-byte": "€".encode(),
    "4-byte": "😀".encode(),
    "cjk": "日本語のテキスト".encode(),
    "nul": b"\x00",
    # first possible sequence of each length
    "first-1": b"\x00\x01",
    "first-2": b"\xc2\x80",
    "first-3": b"\xe0\xa0\x80",
    "first-4": b"\xf0\x90\x80\x80",
    # last possible sequence of each length (within Unicode)
    "last-1": b"\x7f",
    "last-2": b"\xdf\xbf",
    "last-3-U+FFFF": b"\xef\xbf\xbf",
    "last-4-U+10FFFF": b"\xf4\x8f\xbf\xbf",
    # other boundary conditions
    "U+D7FF": b"\xed\x9f\xbf",
    "U+E000": b"\xee\x80\x80",
    "U+FFFD": b"\xef\xbf\xbd",
    # noncharacters are valid UTF-8
    "U+FFFE": b"\xef\xbf\xbe",
    "U+FDD0-U+FDEF": "\ufdd0\ufdef".encode(),
    "U+1FFFE-U+1FFFF": "\U0001fffe\U0001ffff".encode(),
    "U+10FFFE": "\U0010fffe".encode(),
    "mixed": "a\u00e9\u20ac\U0001f600z".encode() * 10,
    "kuhn-greek-sample": "Σὲ γνωρίζω ἀπὸ τὴν κόψη".encode(),
    "all-bmp-edges": "".join(chr(c) for c in (0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0x10000, 0x10FFFF)).encode(),
}

INVALID = {
    # unexpected continuation bytes
    "lone-cont-80": b"\x80",
    "lone-cont-bf": b"\xbf",
    "lone-cont-80bf": b"\x80\xbf",
    "lone-cont-in-text": b"abc\x80def",
    "all-64-cont-bytes": bytes(range(0x80, 0xC0)),
    # lonely start characters (followed by a space)
    "lonely-c0": b"\xc0 ",
    "lonely-df": b"\xdf ",
    "lonely-e0": b"\xe0 ",
    "lonely-ef": b"\xef ",
    "lonely-f0": b"\xf0 ",
    "lonely-f4": b"\xf4 ",
    # overlong encodings
    "overlong-c080": b"\xc0\x80",
    "overlong-c0af": b"\xc0\xaf",
    "overlong-c1bf": b"\xc1\xbf",
    "overlong-e08080": b"\xe0\x80\x80",
    "overlong-e09fbf": b"\xe0\x9f\xbf",
    "overlong-f0808080": b"\xf0\x80\x80\x80",
    "overlong-f08fbfbf": b"\xf0\x8f\xbf\xbf",
    # UTF-16 surrogates
    "surrogate-eda080": b"\xed\xa0\x80",
    "surrogate-edadbf": b"\xed\xad\xbf",
    "surrogate-edb080": b"\xed\xb0\x80",
    "surrogate-edbfbf": b"\xed\xbf\xbf",
    "surrogate-pair": b"\xed\xa0\x80\xed\xb0\x80",
    "surrogate-after-kosme": KOSME + b"\xed\xa0\x80edited",
    # above U+10FFFF
    "above-10ffff-f4908080": b"\xf4\x90\x80\x80",
    "above-10ffff-f7bfbfbf": b"\xf7\xbf\xbf\xbf",
    # lead bytes F5..FF are never valid
    "lead-f5": b"\xf5\x80\x80\x80",
    "lead-f8-5byte": b"\xf8\x88\x80\x80\x80",
    "lead-fc-6byte": b"\xfc\x84\x80\x80\x80\x80",
    "lead-fe": b"\xfe",
    "lead-ff": b"\xff",
    "fe-fe-ff-ff": b"\xfe\xfe\xff\xff",
    # sequences truncated at the end of the message
    "truncated-c2": b"\xc2",
    "truncated-kosme-ce": KOSME + b"\xce",
    "truncated-e0a0": b"\xe0\xa0",
    "truncated-efbf": b"abc\xef\xbf",
    "truncated-f09080": b"\xf0\x90\x80",
    "truncated-f48fbf": b"abc\xf4\x8f\xbf",
    # a truncated sequence followed by more text
    "truncated-then-ascii": b"\xe2\x82 euro",
}


@pytest.mark.parametrize("name", list(VALID))
def test_6_x_valid_utf8_echoed(ws, name):
    ws.send_frame(TEXT, VALID[name])
    ws.expect_message(TEXT, VALID[name])


@pytest.mark.parametrize("name", list(INVALID))
def test_6_x_invalid_utf8(ws, name):
    ws.send_frame(TEXT, INVALID[name])
    ws.expect_close(1007)


def test_6_x_invalid_utf8_after_valid_message(ws):
    ws.send_raw(build_frame(TEXT, KOSME) + build_frame(TEXT, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"))
    ws.expect_message(TEXT, KOSME)
    ws.expect_close(1007)


def test_6_x_valid_utf8_one_byte_fragments(ws):
    """Every byte of a multi-byte text in its own fragment (Autobahn 6.6.x style)."""
    text = KOSME + "😀€".encode()
    frames = b"".join(build_frame(TEXT if i == 0 else CONT, text[i:i + 1], fin=(i == len(text) - 1)) for i in range(len(text)))
    ws.send_raw(frames)
    ws.expect_message(TEXT, text)


def test_6_x_valid_utf8_chopped_frame(ws):
    text = KOSME * 20
    ws.send_frame(TEXT, text, chop=1)
    ws.expect_message(TEXT, text)


# ---- sequences split across fragments -------------------------------------------------------

def fragmented(parts):
    return b"".join(build_frame(TEXT if i == 0 else CONT, p, fin=(i == len(parts) - 1)) for i, p in enumerate(parts))


VALID_SPLITS = {
    "2byte-1+1": [b"a\xc3", b"\xa9b"],
    "3byte-1+2": [b"a\xe2", b"\x82\xacb"],
    "3byte-2+1": [b"a\xe2\x82", b"\xacb"],
    "4byte-1+3": [b"a\xf0", b"\x9f\x98\x80b"],
    "4byte-2+2": [b"a\xf0\x9f", b"\x98\x80b"],
    "4byte-3+1": [b"a\xf0\x9f\x98", b"\x80b"],
    "4byte-1+1+1+1": [b"\xf0", b"\x9f", b"\x98", b"\x80"],
    "4byte-2+empty+2": [b"\xf4\x8f", b"", b"\xbf\xbf"],
    "U+10FFFF-2+2": [b"\xf4\x8f", b"\xbf\xbf"],
    "kosme-split-everywhere": [KOSME[:1], KOSME[1:4], KOSME[4:9], KOSME[9:]],
}


@pytest.mark.parametrize("name", list(VALID_SPLITS))
def test_6_x_valid_utf8_split_across_fragments(ws, name):
    parts = VALID_SPLITS[name]
    ws.send_raw(fragmented(parts))
    ws.expect_message(TEXT, b"".join(parts))


def invalid_splits():
    cases = {}
    for seq in (b"\xc0\x80", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80"):
        for k in range(1, len(seq)):
            cases[f"{seq.hex()}-{k}+{len(seq) - k}"] = [b"ab" + seq[:k], seq[k:] + b"cd"]
    # valid prefix in one fragment, wrong continuation in the next
    cases["f09f-then-ascii"] = [b"ab\xf0\x9f", b"xy"]
    cases["e282-then-lead"] = [b"ab\xe2\x82", b"\xe2\x82\xac"]
    # incomplete sequence at the end of the final fragment
    cases["truncated-at-end-f090+80"] = [b"ab\xf0\x90", b"\x80"]
    cases["truncated-final-empty"] = [b"ab\xf0\x9f\x98", b""]
    cases["kosme-truncated-at-end"] = [KOSME, b"\xce"]
    return cases


INVALID_SPLITS = invalid_splits()


@pytest.mark.parametrize("name", list(INVALID_SPLITS))
def test_6_x_invalid_utf8_split_across_fragments(ws, name):
    ws.send_raw(fragmented(INVALID_SPLITS[name]), tolerate_close=True)
    ws.expect_close(1007)


# ---- fail fast: the server must not wait for the rest of the message ------------------------

FAIL_FAST = {
    "overlong-c080": b"ab\xc0\x80",
    "lead-ff": b"\xff",
    "lone-cont-80": b"\x80",
    "surrogate-eda080": b"ab\xed\xa0\x80cd",
    "above-10ffff-f4908080": b"\xf4\x90\x80\x80",
    "lead-f5": b"ab\xf5",
    "overlong-e08080": b"\xe0\x80\x80",
    "5byte-f888808080": b"hello\xf8\x88\x80\x80\x80",
    "kosme-then-surrogate": KOSME + b"\xed\xa0\x80edited",
    # impossible as soon as the second byte is seen, even though the sequence is cut off
    "prefix-f490": b"ab\xf4\x90",
    "prefix-e080": b"ab\xe0\x80",
    "prefix-eda0": b"ab\xed\xa0",
    "prefix-c1": b"ab\xc1",
}


@pytest.mark.parametrize("name", list(FAIL_FAST))
def test_6_x_fail_fast_first_fragment(ws, name):
    """Only the first fragment (FIN=0) is sent; close 1007 must arrive without further fragments."""
    ws.send_frame(TEXT, FAIL_FAST[name], fin=False)
    ws.expect_close(1007)


def test_6_x_fail_fast_middle_fragment(ws):
    ws.send_raw(build_frame(TEXT, KOSME, fin=False) + build_frame(CONT, b"\xf4\x90\x80\x80", fin=False))
    ws.expect_close(1007)


def test_6_x_fail_fast_prefix_completed_wrongly(ws):
    """First fragment ends in a valid prefix; the second (FIN=0) completes it impossibly."""
    ws.send_raw(build_frame(TEXT, KOSME + b"\xf4", fin=False) + build_frame(CONT, b"\x90", fin=False))
    ws.expect_close(1007)


@pytest.mark.parametrize("name", list(FAIL_FAST))
def test_6_x_fail_fast_inside_one_unfinished_frame(ws, name):
    """Autobahn 6.4.3/6.4.4 strict: only part of one (FIN=1) text frame is sent, and that part is
    already invalid; close 1007 must come before the rest of the frame arrives."""
    bad = FAIL_FAST[name]
    frame = build_frame(TEXT, bad + b"x" * 200)
    ws.send_raw(frame[: len(frame) - 200])
    ws.expect_close(1007)


def test_6_x_valid_text_frame_arriving_in_pieces_is_echoed_intact(ws):
    """The same in-frame checking must not disturb a valid frame that arrives in many pieces."""
    text = ("κόσμε 🎉 " * 300).encode()
    ws.send_raw(build_frame(TEXT, text), chop=7)
    ws.expect_message(TEXT, text)
