from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

class State:
    def __init__(
        self,
        sample_rate: int,
        weights: Sequence[float],
        sos: Sequence[float] | None,
        window_weights: Sequence[float],
        safe_bound: float,
        *,
        clip_level: float = 1.0,
        silence_level: float = 0.001,
        true_peak: bool = True,
        steps: bool = True,
    ) -> None: ...

def feed(state: State, samples: NDArray[np.floating]) -> list[float]: ...
def peaks(state: State) -> tuple[float, float]: ...
def take_runs(state: State) -> tuple[list[int], list[int]]: ...
def scans(
    state: State,
) -> tuple[list[float], int, int | None, int | None, list[float] | None, list[float], bytes]: ...
def decode_pcm(raw: bytes, out: NDArray[np.float32], container: int, shift: int) -> None: ...
