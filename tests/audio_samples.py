"""Audio files as recorders write them (their headers and framing), for upload tests: no
encoder is needed to tell them apart, since only their first bytes are read."""

import struct


def _ogg_crc(data: bytes) -> int:
    """The CRC-32 of an Ogg page (polynomial 0x04C11DB7, no reflection)."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(payload: bytes, sequence: int, first: bool = False) -> bytes:
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, 2 if first else 0, 0, 0x4F52, sequence, 0, 1) + bytes([len(payload)])
    crc = _ogg_crc(header + payload)
    return header[:22] + struct.pack("<I", crc) + header[26:] + payload


def ogg_opus(seconds: int = 2) -> bytes:
    """An Ogg stream with an Opus identification header, comments and silent frames."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 7) + b"Orienta" + struct.pack("<I", 0)
    frames = [_ogg_page(b"\xf8\xff\xfe", 2 + n) for n in range(seconds * 50)]
    return _ogg_page(head, 0, first=True) + _ogg_page(tags, 1) + b"".join(frames)


def ogg_vorbis() -> bytes:
    """Ogg with Vorbis, which WhatsApp does not play."""
    return _ogg_page(b"\x01vorbis" + b"\0" * 23, 0, first=True) + _ogg_page(b"\x03vorbis" + b"\0" * 40, 1)


def mp3() -> bytes:
    """An ID3v2 tag, then MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz)."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + b"\0" * 413) * 20


def m4a() -> bytes:
    """An MPEG-4 audio file's first box (brand M4A)."""
    return struct.pack(">I", 24) + b"ftypM4A \x00\x00\x02\x00M4A isom" + b"\0" * 200


def amr() -> bytes:
    return b"#!AMR\n" + b"\x3c" + b"\0" * 31 * 50
