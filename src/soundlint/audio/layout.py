"""Speaker layouts: BS.1770 channel weights from a WAVE_FORMAT_EXTENSIBLE channel mask.

The channels of a file with a mask sit at the mask's speaker positions in ascending bit
order. The LFE weighs 0 (BS.1770 leaves it out) and the surround positions 1.41, the rest
1.0. Surround are the side and back pairs: 5.1 files name their Ls/Rs (110 degrees) either
way (``0x3F`` back, ``0x60F`` side), and 7.1 files (``0x63F``) disagree among writers
about which pair is which, so all four weigh 1.41 as in ffmpeg's ebur128 and in
BS.1770's 60-120 degree band for the side pair. The back centre (180 degrees), the
front-of-centre pair and the height channels weigh 1.0.

Without a mask (plain PCM headers, non-WAV files, or a mask of 0, "not assigned"), the
layout follows the channel count as libsndfile, FLAC and ffmpeg assume it; channels past
those the mask or the default layout place weigh 1.0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from soundlint.audio.riff.report import FmtChunk

FRONT_LEFT = 0x1
FRONT_RIGHT = 0x2
FRONT_CENTER = 0x4
LOW_FREQUENCY = 0x8
BACK_LEFT = 0x10
BACK_RIGHT = 0x20
BACK_CENTER = 0x100
SIDE_LEFT = 0x200
SIDE_RIGHT = 0x400
SURROUND = BACK_LEFT | BACK_RIGHT | SIDE_LEFT | SIDE_RIGHT
SURROUND_WEIGHT = 1.41

_STEREO = FRONT_LEFT | FRONT_RIGHT
_FIVE_ONE = _STEREO | FRONT_CENTER | LOW_FREQUENCY | BACK_LEFT | BACK_RIGHT
_SEVEN_ONE = _FIVE_ONE | SIDE_LEFT | SIDE_RIGHT
DEFAULT_MASKS = {
    1: FRONT_CENTER,
    2: _STEREO,
    3: _STEREO | FRONT_CENTER,
    4: _STEREO | BACK_LEFT | BACK_RIGHT,
    5: _STEREO | FRONT_CENTER | BACK_LEFT | BACK_RIGHT,
    6: _FIVE_ONE,
    7: _STEREO | FRONT_CENTER | LOW_FREQUENCY | BACK_CENTER | SIDE_LEFT | SIDE_RIGHT,
    8: _SEVEN_ONE,
}
"""Layouts by channel count when a file has no mask: mono C, stereo, 3.0, quad, 5.0, 5.1,
6.1 and 7.1 (L R C LFE Ls Rs Lb Rb); more channels start with the 7.1 bed."""
_EXTENSIBLE = 0xFFFE


def speaker_positions(channels: int, mask: int | None) -> list[int]:
    """The speaker bit of each channel, in order; 0 for channels no position is given to."""
    if not mask:
        mask = DEFAULT_MASKS.get(channels, _SEVEN_ONE)
    bits = [1 << bit for bit in range(32) if mask >> bit & 1]
    return (bits + [0] * channels)[:channels]


def _weight(position: int) -> float:
    if position == LOW_FREQUENCY:
        return 0.0
    return SURROUND_WEIGHT if position & SURROUND else 1.0


def channel_weights(channels: int, mask: int | None = None) -> np.ndarray:
    """BS.1770 weight of each channel: 0 for the LFE, 1.41 for surround, else 1.0."""
    return np.array([_weight(position) for position in speaker_positions(channels, mask)])


def channel_mask(fmt: FmtChunk | None) -> int | None:
    """The channel mask of a WAVE_FORMAT_EXTENSIBLE fmt chunk; None for any other."""
    if fmt is None or fmt.format_tag != _EXTENSIBLE:
        return None
    return fmt.channel_mask
