"""autograd_engine: a Tensor that records every operation and backpropagates through it.

    >>> from autograd_engine import Tensor
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad.item()
    7.0
"""

from .function import Function, ModifiedInPlaceError
from .grad_mode import (detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled,
                        no_grad, set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import grad, reverse_topological_order, run_backward, topological_order
from .ops.elementwise import maximum, minimum, where
from .ops.fused import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                        linear)
from .ops.reductions import log_softmax, softmax
from .ops.shape import concatenate, stack
from .replay import CompileError, compile
from .tensor import Tensor

__all__ = [
    "CompileError", "Function", "GradcheckError", "ModifiedInPlaceError", "Tensor",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "compile", "concatenate",
    "cross_entropy", "detect_anomaly", "enable_grad", "grad", "gradcheck", "gradgradcheck",
    "is_anomaly_enabled", "is_grad_enabled", "linear", "log_softmax", "maximum", "minimum",
    "no_grad", "reverse_topological_order", "run_backward", "set_grad_enabled", "softmax",
    "stack", "topological_order", "where",
]
