"""Hypothesis strategies for the engine tests: shapes, broadcasting pairs, axis/keepdims.

Values come from a numpy generator seeded by hypothesis (HIPS autograd draws random inputs
the same way); hypothesis explores the shapes and axes, where the bugs of an engine live.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_engine import Tensor
from op_catalogue import Axis, Sampler, Shape

#: Modest example counts: the whole folder must stay well under a minute on two busy cores.
#: ENGINE_TEST_EXAMPLES=500 explores more deeply (a nightly run, or after changing an op).
EXAMPLES = int(os.environ.get("ENGINE_TEST_EXAMPLES", "25"))
#: CI draws the same examples every run (a red CI run must mean a change broke something);
#: local runs draw new ones each time, to keep exploring.
FAST = settings(max_examples=EXAMPLES, deadline=None,
                derandomize=os.environ.get("CI") == "true",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: For the costlier second-order checks.
FEWER = settings(FAST, max_examples=max(1, EXAMPLES // 2))

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def shapes(min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy[Shape]:
    """Small shapes, 0-d included, sides 1 to 3 (so size-1 axes are common)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3)


def broadcastable_pairs() -> st.SearchStrategy[tuple[Shape, Shape]]:
    """Two shapes numpy broadcasts together: 0-d, size-1 axes and missing leading axes."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3
    ).map(lambda drawn: drawn.input_shapes)


def axes_for(shape: Shape) -> st.SearchStrategy[Axis]:
    """Every way to name axes: None, one int (negative too) or a tuple of distinct axes."""
    ndim = len(shape)
    if ndim == 0:
        return st.none()
    one_axis = st.integers(min_value=-ndim, max_value=ndim - 1)
    several = st.lists(one_axis, min_size=1, max_size=ndim,
                       unique_by=lambda a: a % ndim).map(tuple)
    return st.one_of(st.none(), one_axis, several)


@st.composite
def shape_axis_keepdims(draw: st.DrawFn) -> tuple[Shape, Axis, bool]:
    """A shape with an axis argument that fits it and a keepdims flag."""
    shape = draw(shapes())
    return shape, draw(axes_for(shape)), draw(st.booleans())


@st.composite
def shape_and_single_axis(draw: st.DrawFn) -> tuple[Shape, int, bool]:
    """A shape of at least one axis and one int axis of it (softmax, log_softmax); keepdims
    is False, as these ops keep the input's shape anyway."""
    shape = draw(shapes(min_dims=1))
    return shape, draw(st.integers(min_value=-len(shape), max_value=len(shape) - 1)), False


#: Reduction calls that must always be among the draws: several axes with negatives and
#: keepdims, one negative axis, and a 0-d input.
EDGE_REDUCTION_CALLS: list[tuple[Shape, Axis, bool]] = [
    ((2, 3, 2), (0, -1), True), ((2, 3, 2), (-2,), False), ((3,), -1, False), ((), None, True),
]


def reduction_calls(single_axis: bool) -> st.SearchStrategy[tuple[Shape, Axis, bool]]:
    """(shape, axis, keepdims) for a reduction; `single_axis` ops take one int axis."""
    if single_axis:
        return shape_and_single_axis()
    return st.one_of(st.sampled_from(EDGE_REDUCTION_CALLS), shape_axis_keepdims())


def make_inputs(domains: Sequence[Sampler], shapes_: Sequence[Shape], seed: int,
                dtype: type = np.float64) -> list[Tensor]:
    """One tensor requiring grad per domain, drawn with the given shapes and seed."""
    rng = np.random.default_rng(seed)
    return [Tensor(np.asarray(domain(rng, shape), dtype=dtype), requires_grad=True)
            for domain, shape in zip(domains, shapes_)]
