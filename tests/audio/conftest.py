"""Run a test module through each implementation of the meter's kernel (C and numpy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soundlint.audio import kernel


@pytest.fixture(params=["c", "numpy"])
def kernel_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Make the meter use one implementation; the C one is skipped when it is not built (and
    ``test_kernel.py::test_the_extension_is_built`` fails)."""
    name = request.param
    if name not in kernel.BACKENDS:
        pytest.skip("soundlint.audio._kernel is not built")
    monkeypatch.setattr(kernel, "_backend", kernel.BACKENDS[name])
    yield name
