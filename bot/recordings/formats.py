"""What an uploaded recording is, read from its first bytes (never from its name or from the
type the browser declared): the audio formats WhatsApp plays, within a size limit.

WhatsApp takes OGG only with the Opus codec, AMR, MP3 (audio/mpeg), AAC (ADTS) and MPEG-4
audio (audio/mp4, .m4a), 16 MB at most; Twilio checks that the Content-Type it is served
matches the file. Anything else is refused with the reason, in the words the staff page shows.
"""

from dataclasses import dataclass
from typing import Optional

MAX_BYTES = 5 * 1024 * 1024  # a minute of speech is well under 1 MB in any of these formats
MIN_BYTES = 64  # shorter cannot hold a second of audio
MP4_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash"})


@dataclass(frozen=True)
class AudioFormat:
    content_type: str
    extension: str


OGG_OPUS = AudioFormat("audio/ogg", "ogg")
AMR = AudioFormat("audio/amr", "amr")
MP3 = AudioFormat("audio/mpeg", "mp3")
AAC = AudioFormat("audio/aac", "aac")
M4A = AudioFormat("audio/mp4", "m4a")
BY_CONTENT_TYPE = {audio.content_type: audio for audio in (OGG_OPUS, AMR, MP3, AAC, M4A)}


class Refused(ValueError):
    """An upload that is not a recording WhatsApp can play; the message says why."""


def _is_mp3_frame(head: bytes) -> bool:
    """An MPEG audio frame header of Layer III (the sync bits, a version, not a reserved rate)."""
    return (len(head) >= 3 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 3) & 3 != 1
            and (head[1] >> 1) & 3 == 1 and head[2] >> 4 not in (0, 15) and (head[2] >> 2) & 3 != 3)


def _is_adts(head: bytes) -> bool:
    """An AAC ADTS frame header (sync bits, layer 0)."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def sniff(data: bytes) -> Optional[AudioFormat]:
    """The audio format the bytes are in, if WhatsApp plays it."""
    if data.startswith(b"OggS"):
        return OGG_OPUS if b"OpusHead" in data[:512] else None  # Vorbis or video in OGG: not for WhatsApp
    if data.startswith(b"#!AMR\n"):
        return AMR
    if data[4:8] == b"ftyp":
        return M4A if data[8:12] in MP4_AUDIO_BRANDS else None
    if data.startswith(b"ID3") or _is_mp3_frame(data):
        return MP3
    if _is_adts(data):
        return AAC
    return None


def checked(data: bytes) -> AudioFormat:
    """The format of an upload that may be stored; Refused otherwise."""
    if len(data) > MAX_BYTES:
        raise Refused(f"El archivo pesa más de {MAX_BYTES // (1024 * 1024)} MB.")
    if len(data) < MIN_BYTES:
        raise Refused("El archivo está vacío o es demasiado corto para ser una grabación.")
    audio = sniff(data)
    if audio is None:
        raise Refused("El archivo no es una grabación que WhatsApp reproduzca: sube OGG (Opus), MP3, M4A, AAC o AMR.")
    return audio
