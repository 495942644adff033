"""The demo's words: how its runs are named, and what their outcome says (`explain`).

Every claim `explain` makes is checked against the runs (their loss curves, predictions and
settings), so the closing paragraph never praises an optimizer that was not used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .demo import DemoResult, DemoSettings, RunResult

BASELINE_LR = 0.01  # the from-scratch original's learning rate


def explain(result: DemoResult) -> str:
    """What the two runs' outcome says, in the terms of this data set and these settings:
    each claim is checked against the runs (the loss curves, the predictions, the settings)."""
    baseline, tuned = result.runs
    settings = result.settings
    if tuned.diverged:
        return (f"The second run diverged (its loss became nan): lr {settings.lr:g} is too "
                "large for it. Try a smaller --lr.")
    gap = tuned.test_accuracy - baseline.test_accuracy
    if gap < 0.01:
        outcome = "did no better" if gap > -0.01 else "did worse"
        advice = _loss_advice(tuned.history["loss"])
        return (f"The second run {outcome} this time ({tuned.test_accuracy:.1%} against "
                f"{baseline.test_accuracy:.1%}) with {run_name(settings)} at lr "
                f"{settings.lr:g} for {_count(settings.epochs, 'epoch')}; {advice}.")
    reasons = [_baseline_story(baseline)] + _what_the_second_run_changed(result)
    return "Why the second run does better: " + "; ".join(r for r in reasons if r) + "."


def _loss_advice(losses: list[float]) -> str:
    """What to try next, read off the second half of the loss curve."""
    halfway, last = losses[len(losses) // 2], losses[-1]
    if len(losses) < 5 or last < 0.95 * halfway:
        return "its loss was still falling: try more --epochs"
    if last < halfway:
        return "its loss was falling only slowly: try a larger --lr, or more --epochs"
    return "its loss had stopped falling: try another --lr"


def _baseline_story(baseline: RunResult) -> str:
    """What plain gradient descent on the raw inputs did, read off its loss and predictions."""
    losses = baseline.history["loss"]
    one_class = len(set(np.ravel(baseline.test_predictions).tolist())) == 1
    ending = ", and it ended predicting one class for every sample" if one_class else ""
    early_peak = max(losses[:3]) if losses else 0.0
    if losses and early_peak > 2 * losses[0]:
        return (f"plain gradient descent took steps too big for the raw inputs: its loss jumped "
                f"from {losses[0]:.3g} to {early_peak:.3g} in the first epochs{ending}")
    if losses and losses[-1] > 0.9 * losses[0]:
        return (f"plain gradient descent barely moved: its loss went from {losses[0]:.3g} to "
                f"{losses[-1]:.3g}{ending}")
    return ""


def _what_the_second_run_changed(result: DemoResult) -> list[str]:
    """The differences between the runs that plausibly explain the gap, and only those."""
    settings = result.settings
    changes = []
    spread = result.dataset.X_train.std(axis=0)
    constant = int(np.sum(spread == 0))
    spread = spread[spread > 0]
    if spread.max() > 10 * spread.min():
        aside = f" ({_count(constant, 'constant feature')} aside)" if constant else ""
        changes.append(f"the raw features' standard deviations range from {spread.min():.3g} "
                       f"to {spread.max():.3g}{aside}, so no one learning rate suits every "
                       "weight; standardising gives every feature mean 0 and std 1")
    if settings.optimizer != "sgd":
        changes.append(f"{_optimizer_name(settings.optimizer)} moves each weight by about lr "
                       "per step whatever the size of its gradient")
    elif settings.lr != BASELINE_LR:
        changes.append(f"the second run's learning rate is {settings.lr:g} against "
                       f"{BASELINE_LR:g}")
    if settings.batch_size is not None:
        changes.append(f"it takes a step every {settings.batch_size} samples instead of one "
                       "per epoch")
    return changes


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _optimizer_name(name: str) -> str:
    return {"sgd": "plain gradient descent", "adam": "Adam", "adamw": "AdamW",
            "rmsprop": "RMSprop"}[name]


def run_name(settings: DemoSettings) -> str:
    """The second run's optimizer as a reader knows it: SGD on mini-batches is not 'plain'."""
    if settings.optimizer == "sgd" and settings.batch_size is not None:
        return "mini-batch gradient descent"
    return _optimizer_name(settings.optimizer)
