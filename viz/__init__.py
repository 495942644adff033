"""viz: pictures of the forward and backward graph, a step-through of backprop, and plots.

    >>> import viz
    >>> viz.draw_graph(loss, view="backward").render("loss.svg")
    >>> viz.save_backprop(loss, "backprop.html")
"""

from .draw import DEFAULT_MAX_NODES, Graph, draw_graph
from .plots import plot_decision_boundary, plot_grad_flow, plot_history, plot_weights
from .render import RenderError
from .report import write_report
from .steps import BackpropStep, backprop_steps
from .stepthrough import save_backprop

__all__ = [
    "DEFAULT_MAX_NODES", "BackpropStep", "Graph", "RenderError", "backprop_steps", "draw_graph",
    "plot_decision_boundary", "plot_grad_flow", "plot_history", "plot_weights", "save_backprop",
    "write_report",
]
