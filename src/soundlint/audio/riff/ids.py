"""Chunk IDs: which are plausible, which are well known, and how messages name them."""

_KNOWN_IDS = frozenset(
    b"fmt |data|fact|LIST|bext|ds64|JUNK|junk|PAD |FLLR|iXML|axml|cue |smpl|inst|"
    b"plst|labl|id3 |ID3 |PEAK|levl|chna|cart|umid|minf|elm1|regn|ovwf|acid|strc|"
    b"afsp|DISP|MD5 |fake|filr|wavl|slnt|list|akai".split(b"|")
)


def _plausible_id(raw: bytes) -> bool:
    """A chunk ID is four printable ASCII characters."""
    return len(raw) == 4 and all(0x20 <= b <= 0x7E for b in raw)


def _label(cid: str) -> str:
    """A chunk ID for messages: well-known IDs bare ('fmt ' as fmt), others quoted."""
    if cid.encode("latin-1") in _KNOWN_IDS:
        return cid.rstrip(" ")
    return repr(cid)
