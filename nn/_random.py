"""The random generator shared by `nn.init` and `nn.Dropout`, seeded by `nn.manual_seed`."""

from __future__ import annotations

from typing import Optional, Union

import numpy as np

from ._checks import whole_number

#: What a `generator` argument may be: numpy's Generator, or its legacy RandomState (a
#: RandomState(0) in older code), since nn draws only with methods both have (uniform,
#: normal, random, shuffle).
RandomGenerator = Union[np.random.Generator, np.random.RandomState]

_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the generator that init functions and Dropout use when given none, for a run that
    repeats exactly (PyTorch's `torch.manual_seed`). Returns that generator."""
    global _default
    _default = np.random.default_rng(whole_number(seed, "manual_seed: seed", minimum=0))
    return _default


def resolve(generator: Optional[RandomGenerator]) -> RandomGenerator:
    """The generator to draw from: the one passed in, else the shared default."""
    if generator is None:
        return _default
    if not isinstance(generator, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"generator must be a numpy.random.Generator (np.random.default_rng("
                        f"seed)) or RandomState, got {type(generator).__name__}")
    return generator
