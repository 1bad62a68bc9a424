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
    ) -> None: ...

def feed(state: State, samples: NDArray[np.floating]) -> list[float]: ...
def peaks(state: State) -> tuple[float, float]: ...
