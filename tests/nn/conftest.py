"""Shared fixtures for the nn tests: PyTorch's reference numbers (see make_torch_reference.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nn


@pytest.fixture(scope="session")
def torch_reference() -> dict:
    """Numbers computed once with PyTorch 2.13 (inputs included), so no test needs torch."""
    return json.loads((Path(__file__).parent / "torch_reference.json").read_text())


@pytest.fixture(autouse=True)
def seeded() -> None:
    """Every test starts from the same nn generator, so random layers repeat."""
    nn.manual_seed(1234)
