"""`autograd-engine demo`: the classic from-scratch story, end to end.

A small network, given as the from-scratch architecture list and the naive `randn * 0.1`
init, is trained twice from the same starting weights: first as the original tutorials did
(plain full-batch gradient descent on the raw measurements), then with standardised inputs
and Adam on mini-batches. Both are scored on a held-out test split; the training curves go
to a PNG and the trained weights to `.npz` files under `--out`.

Under `--out` it also writes what viz draws of it: the graph of the trained model on a few
test samples, the step-through of backprop on the lecture's one-neuron example, and
report.html, one offline page with all of it.
"""

from __future__ import annotations

import argparse
import math
import pprint
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from .demo_text import BASELINE_LR, explain, run_name
from .files import unwritable_folder

if TYPE_CHECKING:  # nn is imported only when the command runs (the engine never needs it)
    from nn import History, Module
    from nn.data import Dataset

DATASETS = ("breast-cancer", "digits", "moons")
OPTIMIZERS = ("adam", "adamw", "rmsprop", "sgd")


@dataclass(frozen=True)
class DemoSettings:
    """What one demo run does; `for_dataset` fills in each data set's defaults."""

    dataset: str = "breast-cancer"
    epochs: int = 100
    lr: float = 1e-3
    optimizer: str = "adam"
    batch_size: Optional[int] = 32  # None: full batch
    seed: int = 0
    init: str = "naive"
    progress: bool = True

    @classmethod
    def for_dataset(cls, dataset: str, **overrides: Any) -> "DemoSettings":
        """Defaults that reach the documented accuracy on `dataset` in about a second;
        `overrides` with value None keep the default."""
        if dataset not in DATASETS:
            raise ValueError(f"demo: unknown data set {dataset!r}; choose one of "
                             f"{', '.join(DATASETS)}")
        defaults = dict(DATASET_DEFAULTS[dataset])
        defaults.update({k: v for k, v in overrides.items() if v is not None})
        if overrides.get("lr") is None:
            kind = "sgd" if defaults.get("optimizer") == "sgd" else "adaptive"
            defaults["lr"] = DEFAULT_LR[dataset][kind]
        return cls(dataset=dataset, **defaults)


#: Each data set's epochs and batch size (None: the full batch).
DATASET_DEFAULTS = {"breast-cancer": dict(epochs=100, batch_size=32),
                    "digits": dict(epochs=50, batch_size=32),
                    "moons": dict(epochs=300, batch_size=None)}

#: The second run's learning rate when none is given: Adam-like optimizers move each weight
#: by about lr per step; plain SGD moves by lr times the gradient, so it wants a larger one.
DEFAULT_LR = {"breast-cancer": {"adaptive": 1e-3, "sgd": 0.05},
              "digits": {"adaptive": 1e-3, "sgd": 0.05},
              "moons": {"adaptive": 1e-2, "sgd": 0.3}}


@dataclass
class RunResult:
    """One training run: the trained model, its History and its test-set results."""

    title: str
    model: "Module"
    history: "History"
    test_outputs: np.ndarray
    test_predictions: np.ndarray
    test_accuracy: float
    report: str
    seconds: float
    diverged: Optional[str] = None  # the error message if the loss became nan


@dataclass
class DemoResult:
    """Everything the demo made, for printing, writing files, or drawing."""

    settings: DemoSettings
    architecture: list[dict[str, Any]]
    dataset: "Dataset"  # the raw split; runs[1] trained on dataset.standardized()
    initial_state: dict[str, np.ndarray]  # the weights both runs started from
    runs: list[RunResult]
    files: dict[str, Path] = field(default_factory=dict)


def architecture_for(dataset: "Dataset") -> list[dict[str, Any]]:
    """The from-scratch layer list: two hidden ReLU layers for a binary problem ending in a
    sigmoid (trained with BCELoss); one hidden layer and raw scores for digits' 10 classes
    (CrossEntropyLoss applies the softmax itself)."""
    n = dataset.n_features
    if dataset.n_classes > 2:
        return [{"input_dim": n, "output_dim": 32, "activation": "relu"},
                {"input_dim": 32, "output_dim": dataset.n_classes, "activation": "none"}]
    hidden = 16
    return [{"input_dim": n, "output_dim": hidden, "activation": "relu"},
            {"input_dim": hidden, "output_dim": 8, "activation": "relu"},
            {"input_dim": 8, "output_dim": 1, "activation": "sigmoid"}]


def run_demo(settings: DemoSettings, echo: Callable[[str], None] = print) -> DemoResult:
    """Load the data, build the model, train both runs and score them; `echo` tells the
    story as it goes (pass `lambda _: None` for silence)."""
    import nn

    dataset = nn.data.load_dataset(settings.dataset, seed=settings.seed)
    architecture = architecture_for(dataset)
    print_setup(settings, dataset, architecture, echo)
    model = nn.MLP.from_architecture(architecture, init=settings.init,
                                     generator=np.random.default_rng(settings.seed))
    echo(f"{model}\n{model.num_parameters()} parameters; both runs start from these weights.\n")
    start = model.state_dict()
    baseline = train_run("plain gradient descent, raw inputs", model, dataset, "sgd",
                         BASELINE_LR, None, settings, echo)
    model = nn.MLP.from_architecture(architecture, init=settings.init)
    model.load_state_dict(start)
    tuned = train_run(f"{run_name(settings)}, standardised inputs", model,
                      dataset.standardized(), settings.optimizer, settings.lr,
                      settings.batch_size, settings, echo)
    return DemoResult(settings, architecture, dataset, start, [baseline, tuned])


def print_setup(settings: DemoSettings, dataset: "Dataset",
                architecture: list[dict[str, Any]], echo: Callable[[str], None]) -> None:
    """The data, the architecture list and the init, as the from-scratch original shows them."""
    X = dataset.X_train
    echo(f"Data: {settings.dataset}, {len(X)} training and {len(dataset.X_test)} test samples, "
         f"{dataset.n_features} features (raw values from {X.min():.3g} to {X.max():.3g}), "
         f"classes {dataset.target_names}.")
    echo("Architecture:\n" + pprint.pformat(architecture, sort_dicts=False, width=96))
    init = ("naive: every weight and bias drawn as randn * 0.1, whatever the layer's width"
            if settings.init == "naive" else settings.init)
    echo(f"Init: {init} (seed {settings.seed}).")


def train_run(title: str, model: "Module", dataset: "Dataset", optimizer_name: str,
              lr: float, batch_size: Optional[int], settings: DemoSettings,
              echo: Callable[[str], None]) -> RunResult:
    """Train one model and score it on the test split; a diverging run is reported, not fatal."""
    import nn

    loss_fn = loss_for(dataset)
    optimizer = make_optimizer(optimizer_name, model, lr)
    batches = "full batch" if batch_size is None else f"batches of {batch_size}"
    echo(f"Training: {title} ({type(optimizer).__name__}, lr {lr:g}, {batches}, "
         f"{settings.epochs} epochs)")
    started = time.perf_counter()
    diverged = None
    try:
        history = nn.fit(model, dataset.X_train, dataset.y_train, loss_fn, optimizer,
                         settings.epochs, batch_size=batch_size,
                         validation=(dataset.X_test, dataset.y_test),
                         progress=settings.progress, seed=settings.seed)
    except nn.TrainingDiverged as error:
        history, diverged = error.history, str(error)
        echo(f"  diverged: {error}")
    outputs = nn.predict(model, dataset.X_test)
    predictions = np.ravel(loss_fn.predict(outputs)) if np.isfinite(outputs).all() \
        else np.full(len(outputs), -1)  # a diverged model predicts no class
    report = nn.metrics.classification_report(dataset.y_test, predictions,
                                              target_names=dataset.target_names)
    return RunResult(title, model, history, outputs, predictions,
                     nn.metrics.accuracy(dataset.y_test, predictions), report,
                     time.perf_counter() - started, diverged)


def loss_for(dataset: "Dataset") -> "Module":
    """Cross-entropy on raw scores for several classes; BCE on the sigmoid output for two."""
    import nn

    return nn.CrossEntropyLoss() if dataset.n_classes > 2 else nn.BCELoss()


def make_optimizer(name: str, model: "Module", lr: float) -> Any:
    """An optimizer by its lower-case name (sgd is plain gradient descent: no momentum)."""
    from nn import optim

    classes = {"sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW,
               "rmsprop": optim.RMSprop}
    if name not in classes:
        raise ValueError(f"demo: unknown optimizer {name!r}; choose one of {', '.join(classes)}")
    return classes[name](model.parameters(), lr=lr)


def print_results(result: DemoResult, echo: Callable[[str], None] = print) -> None:
    """Both runs side by side at a few epochs, then each one's test classification report."""
    runs = result.runs
    width = max(38, *(len(r.title) for r in runs))
    header = f"{'epoch':>6}" + "".join(f" | {r.title:<{width}}" for r in runs)
    columns = f"{'':>6}" + f" | {'train loss  train acc  test acc':<{width}}" * len(runs)
    echo("\n" + header.rstrip() + "\n" + columns.rstrip())
    longest = max(len(r.history.epochs) for r in runs)
    for epoch in sorted({1, *np.linspace(1, longest, 6).astype(int).tolist()}):
        cells = []
        for run in runs:
            h = run.history
            if epoch <= len(h.epochs):
                numbers = (f"{h['loss'][epoch - 1]:10.4f}  {h['accuracy'][epoch - 1]:9.3f}  "
                           f"{h['val_accuracy'][epoch - 1]:8.3f}")
                cells.append(f"{numbers:<{width}}")
            else:
                cells.append(f"{'(stopped)':<{width}}")
        echo((f"{epoch:>6} | " + " | ".join(cells)).rstrip())
    echo("(train loss and accuracy: averaged over the epoch's batches as the weights moved; "
         "test accuracy: at the epoch's end)")
    for run in runs:
        echo(f"\n{run.title}: test accuracy {run.test_accuracy:.1%} "
             f"({run.seconds:.2f} s)\n{run.report}")
    echo(textwrap.fill(explain(result), width=96) + "\n")


def write_outputs(result: DemoResult, out: Path) -> dict[str, Path]:
    """Under `out`: both runs' training curves (PNG), each run's weights (.npz), the graph of
    the trained model on a few test samples (SVG and PNG), the backprop step-through of the
    lecture's neuron (HTML), and report.html with all of it."""
    import nn
    import viz

    out.mkdir(parents=True, exist_ok=True)
    name = result.settings.dataset
    histories = {run.title: run.history for run in result.runs}
    files = {"plot": viz.plot_history(histories, out / f"{name}-training.png",
                                      title=f"{name}: the same network, two ways of training it",
                                      validation_label="test")}
    for key, run in zip(("baseline_weights", "weights"), result.runs):
        files[key] = nn.save(run.model.state_dict(), out / f"{name}-{_slug(run.title)}.npz")
    tuned, data = result.runs[-1], result.dataset.standardized()
    loss = sample_loss(tuned.model, data)
    tuned.model.zero_grad()  # so the parameters' .grad is this pass's, as the graph shows it
    loss.backward()
    graph = viz.draw_graph(loss, view="backward", model=tuned.model)
    files["graph"] = graph.render(out / f"{name}-graph.svg")
    files["graph_png"] = graph.render(out / f"{name}-graph.png")
    neuron = lecture_neuron()
    files["backprop"] = viz.save_backprop(neuron, out / "backprop.html")
    figures = {}
    if data.n_features == 2:
        caption = "Decision boundary, with the training points (micrograd's moons figure)"
        figures[caption] = files["decision_boundary"] = viz.plot_decision_boundary(
            tuned.model, data.X_train, data.y_train, out / f"{name}-decision-boundary.png")
    files["report"] = viz.write_report(
        out, title=f"autograd-engine demo: {name}",
        intro=f"{explain(result)} The graph is one "
              f"forward and backward pass of the trained model ({tuned.title}) on "
              f"{SAMPLE_SIZE} test samples.",
        reports={f"{run.title}: test accuracy {run.test_accuracy:.1%}": run.report
                 for run in result.runs},
        histories={"both runs": histories}, validation_label="test", model=tuned.model,
        graph_root=loss, backprop_root=neuron,
        figures=figures)
    result.files.update(files)
    return files


SAMPLE_SIZE = 4  # test samples in the model graph: enough to see batching, small to read


def sample_loss(model: "Module", dataset: "Dataset") -> Any:
    """The loss of `model` on the first test samples: a graph small enough to draw."""
    from autograd_engine import Tensor

    targets = dataset.y_test[:SAMPLE_SIZE]
    if dataset.n_classes <= 2:
        targets = targets.reshape(-1, 1).astype(np.float64)
    return loss_for(dataset)(model(Tensor(dataset.X_test[:SAMPLE_SIZE])), targets)


def lecture_neuron() -> Any:
    """micrograd lecture's neuron, tanh(x1*w1 + x2*w2 + b), with its numbers (output 0.7071)."""
    from autograd_engine import Tensor

    x1, x2 = Tensor(2.0, name="x1"), Tensor(0.0, name="x2")
    w1 = Tensor(-3.0, requires_grad=True, name="w1")
    w2 = Tensor(1.0, requires_grad=True, name="w2")
    b = Tensor(6.8813735870195432, requires_grad=True, name="b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def _slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "demo", help="train a network two ways on a real data set and compare",
        description="The classic from-scratch story: an architecture list, naive init, plain "
                    "gradient descent on raw inputs, then standardised inputs with Adam, side "
                    "by side, scored on a held-out test split.")
    parser.add_argument("--dataset", choices=DATASETS, default="breast-cancer",
                        help="scikit-learn's bundled data set (default: breast-cancer)")
    epochs = ", ".join(f"{d['epochs']} for {name}" for name, d in DATASET_DEFAULTS.items())
    rates = ", ".join(f"{lr['adaptive']:g} ({lr['sgd']:g} with sgd) for {name}"
                      for name, lr in DEFAULT_LR.items())
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help=f"epochs for both runs (default: {epochs})")
    parser.add_argument("--lr", type=_positive_float, default=None,
                        help=f"learning rate of the second run (default: {rates}; the first "
                             f"run keeps the original's {BASELINE_LR})")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                        help="optimizer of the second run (default: adam)")
    parser.add_argument("--seed", type=_seed, default=0,
                        help="seed for split, init and shuffling (default: 0)")
    parser.add_argument("--out", type=Path, default=Path("out"),
                        help="folder for the plot, weights, graph pictures, backprop.html and "
                             "report.html (default: out/)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(run=run)


def _number_option(kind: type, accepts: Callable[[Any], bool], what: str) -> Callable[[str], Any]:
    """An argparse type: `kind(text)` if `accepts` it, else an error saying `what` it must be."""
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not accepts(value):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
        return value
    return convert


_positive_int = _number_option(int, lambda n: n >= 1, "a positive integer")
_positive_float = _number_option(float, lambda x: 0 < x < math.inf, "a positive number")
# a seed scikit-learn's split accepts as well as numpy
_seed = _number_option(int, lambda n: 0 <= n < 2**32, "an integer from 0 to 4294967295")


def run(args: argparse.Namespace) -> int:
    settings = DemoSettings.for_dataset(args.dataset, epochs=args.epochs, lr=args.lr,
                                        optimizer=args.optimizer, seed=args.seed,
                                        progress=not args.no_progress)
    problem = unwritable_folder(args.out)
    if problem:  # say so now, not after training
        print(f"autograd-engine demo: cannot write to --out {args.out}: {problem}",
              file=sys.stderr)
        return 2
    result = run_demo(settings)
    print_results(result)
    files = write_outputs(result, args.out)
    print("Wrote " + ", ".join(str(path) for path in files.values()))
    return 0
