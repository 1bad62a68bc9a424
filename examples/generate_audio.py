"""Make the example templates' WAV files: run it again after changing the examples.

    python examples/generate_audio.py

The good template's segments are soft chord pads near -16 LUFS; the broken template's
files carry deliberate mistakes (a clipped intro far too loud, a wrong sample rate, an MP3
posing as WAV, an unlisted take).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile

HERE = Path(__file__).parent
TARGET_LUFS = -16.0


def pad(
    seconds: float, rate: int, root_hz: float, *, fade_in: float, fade_out: float
) -> np.ndarray:
    """A major-chord pad whose partials complete whole cycles, so it loops without a click."""
    frames = int(seconds * rate)
    t = np.arange(frames) / rate
    signal = np.zeros(frames)
    for ratio, gain in ((1.0, 1.0), (1.25, 0.6), (1.5, 0.5), (2.0, 0.3), (3.0, 0.15)):
        cycles = round(root_hz * ratio * seconds)
        signal += gain * np.sin(2 * np.pi * cycles / seconds * t)
    envelope = np.ones(frames)
    if fade_in:
        envelope[: int(fade_in * rate)] = np.linspace(0.0, 1.0, int(fade_in * rate))
    if fade_out:
        envelope[-int(fade_out * rate) :] = np.linspace(1.0, 0.0, int(fade_out * rate))
    return signal * envelope


def normalised(signal: np.ndarray, rate: int, lufs: float) -> np.ndarray:
    loudness = pyloudnorm.Meter(rate).integrated_loudness(signal)
    return signal * 10 ** ((lufs - loudness) / 20)


def write(path: Path, signal: np.ndarray, rate: int, lufs: float = TARGET_LUFS) -> None:
    """Write at ``lufs`` integrated loudness; what goes past full scale is clipped."""
    samples = np.clip(normalised(signal, rate, lufs), -1.0, 1.0)
    soundfile.write(path, samples, rate, subtype="PCM_16")
    print(f"wrote {path.relative_to(HERE)} ({path.stat().st_size // 1024} KiB)")


def main() -> None:
    sunrise = HERE / "templates" / "sunrise"
    write(sunrise / "sunrise_intro.wav", pad(1.5, 48000, 220.0, fade_in=0.01, fade_out=0.0), 48000)
    write(sunrise / "sunrise_main.wav", pad(3.0, 48000, 220.0, fade_in=0.0, fade_out=0.0), 48000)
    write(sunrise / "sunrise_outro.wav", pad(1.5, 48000, 220.0, fade_in=0.0, fade_out=1.0), 48000)

    night = HERE / "templates" / "night-drive"
    # Mastered far too hot: clipped, and 10 LU above the target.
    write(night / "intro.wav", pad(1.0, 48000, 146.8, fade_in=0.01, fade_out=0.0), 48000, -4.0)
    write(night / "main.wav", pad(2.0, 44100, 146.8, fade_in=0.0, fade_out=0.0), 44100)
    write(night / "alt_take.wav", pad(0.5, 48000, 146.8, fade_in=0.01, fade_out=0.2), 48000)
    # An MP3 frame header behind a .wav name: what a hurried export often leaves.
    (night / "outro.wav").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" * 64)
    print("wrote templates/night-drive/outro.wav (an MP3 in disguise)")


if __name__ == "__main__":
    main()
