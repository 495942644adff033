"""`autograd-engine demo`: the story end to end on each data set, and its accuracy claims."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd_engine.cli import main
from autograd_engine.cli.demo import DemoSettings, explain, run_demo, write_outputs
from autograd_engine.cli.demo_text import _loss_advice


@pytest.mark.parametrize("dataset", ["breast-cancer", "digits", "moons"])
def test_demo_runs_end_to_end(dataset: str, tmp_path: Path,
                              capsys: pytest.CaptureFixture) -> None:
    code = main(["demo", "--dataset", dataset, "--epochs", "3", "--out", str(tmp_path),
                 "--no-progress", "--seed", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Architecture:\n[{'input_dim':" in out and "Init: naive" in out
    assert out.count("precision    recall  f1-score") == 2
    assert "plain gradient descent, raw inputs" in out and "Adam, standardised inputs" in out
    png = tmp_path / f"{dataset}-training.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / f"{dataset}-graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ET.parse(tmp_path / f"{dataset}-graph.svg")  # well-formed SVG
    report = (tmp_path / "report.html").read_text()
    assert report.count("precision    recall  f1-score") == 2 and "<svg" in report
    assert "http://" not in report.replace("http://www.w3.org", "")  # offline: no fetches
    assert "Prev" in (tmp_path / "backprop.html").read_text()
    weights = sorted(tmp_path.glob("*.npz"))
    assert len(weights) == 2
    model = nn.MLP.from_architecture(_architecture(out))
    model.load_state_dict(nn.load(weights[0]))


def _architecture(printed: str) -> list:
    """The architecture list exactly as the demo printed it."""
    import ast

    text = printed.split("Architecture:\n", 1)[1]
    return ast.literal_eval(text[:text.index("]") + 1])


@pytest.mark.parametrize("dataset, test_accuracy, train_accuracy", [
    ("breast-cancer", 0.97, None), ("digits", 0.95, None), ("moons", None, 1.0)])
def test_default_settings_reach_the_documented_accuracy(dataset: str, test_accuracy: float,
                                                        train_accuracy: float) -> None:
    settings = DemoSettings.for_dataset(dataset, progress=False)
    result = run_demo(settings, echo=lambda _: None)
    baseline, tuned = result.runs
    if test_accuracy is not None:
        assert tuned.test_accuracy >= test_accuracy
    if train_accuracy is not None:
        assert tuned.history["accuracy"][-1] == train_accuracy
    assert baseline.test_accuracy < tuned.test_accuracy  # the point of the story


def test_result_keeps_everything_and_is_reproducible(tmp_path: Path) -> None:
    settings = DemoSettings.for_dataset("moons", epochs=5, progress=False)
    first = run_demo(settings, echo=lambda _: None)
    second = run_demo(settings, echo=lambda _: None)
    for a, b in zip(first.runs, second.runs):
        np.testing.assert_array_equal(a.test_outputs, b.test_outputs)
        assert a.history.train == b.history.train
        assert a.report == b.report and a.test_predictions.shape == (20,)
    files = write_outputs(first, tmp_path / "new")
    assert set(files) == {"plot", "baseline_weights", "weights", "graph", "graph_png",
                          "backprop", "decision_boundary", "report"} and first.files == files
    assert all(path.is_file() for path in files.values())


def test_both_runs_start_from_the_seeded_naive_init() -> None:
    settings = DemoSettings.for_dataset("moons", epochs=1, progress=False)
    result = run_demo(settings, echo=lambda _: None)
    untrained = nn.MLP.from_architecture(result.architecture, init="naive",
                                         generator=np.random.default_rng(settings.seed))
    for name, value in untrained.state_dict().items():
        np.testing.assert_array_equal(result.initial_state[name], value)
        assert not np.array_equal(result.runs[1].model.state_dict()[name], value)


def test_options_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    main(["demo", "--dataset", "moons", "--epochs", "2", "--optimizer", "rmsprop", "--lr", "0.05",
          "--out", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert "RMSprop, standardised inputs (RMSprop, lr 0.05" in out
    with pytest.raises(SystemExit):
        main(["demo", "--dataset", "iris"])
    with pytest.raises(SystemExit):
        main(["demo", "--epochs", "0"])
    with pytest.raises(ValueError, match="unknown data set 'iris'"):
        DemoSettings.for_dataset("iris")
    capsys.readouterr()
    for option, value, message in [("--seed", "-1", "from 0 to 4294967295"),
                                   ("--seed", "4294967296", "from 0 to 4294967295"),
                                   ("--lr", "-1", "positive number"),
                                   ("--lr", "nan", "positive number"),
                                   ("--lr", "abc", "must be a positive number, got abc"),
                                   ("--seed", "1.5", "from 0 to 4294967295, got 1.5"),
                                   ("--epochs", "x", "must be a positive integer, got x")]:
        with pytest.raises(SystemExit):  # at once: nothing trained, no folder made
            main(["demo", option, value, "--out", str(tmp_path / "never")])
        assert message in capsys.readouterr().err
        assert not (tmp_path / "never").exists()


def test_a_run_that_diverges_is_reported_and_the_files_are_written(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture
                                                                   ) -> None:
    """A learning rate that blows up in the first epoch leaves that run with no finished epoch:
    the demo reports it and writes every file, as it promises, not a plotting error. (Huge
    finite losses are plot_history's test.)"""
    with np.errstate(all="ignore"):
        code = main(["demo", "--dataset", "digits", "--optimizer", "sgd", "--lr", "1e6",
                     "--epochs", "3", "--out", str(tmp_path), "--no-progress"])
    assert code == 0 and "diverged: fit: the loss became nan at epoch 1" in capsys.readouterr().out
    assert (tmp_path / "digits-training.png").exists() and (tmp_path / "report.html").exists()


def test_python_dash_m_runs_the_demo(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "autograd_engine", "demo", "--dataset", "moons", "--epochs", "2",
         "--out", str(tmp_path), "--no-progress"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "test accuracy" in completed.stdout and (tmp_path / "moons-training.png").is_file()


@pytest.mark.parametrize("losses, advice", [
    ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5], "still falling: try more --epochs"),
    ([0.6949, 0.6946, 0.6943, 0.6940, 0.6937], "falling only slowly: try a larger --lr"),
    ([0.5, 0.4, 0.4, 0.41, 0.42], "had stopped falling: try another --lr"),
])
def test_the_advice_reads_the_loss_curve(losses: list, advice: str) -> None:
    """A loss that still falls, but by under 5% in the second half, is not 'stopped'."""
    assert advice in _loss_advice(losses)


def test_help_lists_each_data_set_s_defaults(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "100 for breast-cancer, 50 for digits, 300 for moons" in text
    assert "0.01 (0.3 with sgd) for moons" in text


def test_the_explanation_follows_the_outcome() -> None:
    """The closing paragraph names the optimizer actually used, and owns up to a worse run."""
    sgd = run_demo(DemoSettings.for_dataset("moons", optimizer="sgd", progress=False),
                   echo=lambda _: None)
    text = explain(sgd)
    assert "Adam" not in text and "learning rate is 0.3 against 0.01" in text
    assert "barely moved" in text  # read off the plain run's loss curve, not assumed
    bad = run_demo(DemoSettings.for_dataset("breast-cancer", epochs=3, lr=10.0,
                                            progress=False), echo=lambda _: None)
    if bad.runs[1].test_accuracy < bad.runs[0].test_accuracy - 0.01:
        assert explain(bad).startswith("The second run did worse")


def test_an_unwritable_out_folder_fails_before_training(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["demo", "--out", str(blocker / "out"), "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert "cannot write to --out" in captured.err and "Training" not in captured.out


def test_graph_and_demo_refuse_an_unwritable_output_at_once(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["graph", "x*2", "--values", "x=1", "-o", str(blocker / "q.svg")]) == 2
    assert main(["demo", "--out", str(blocker), "--no-progress"]) == 2
    assert capsys.readouterr().err.count("it is a file, not a folder") == 2
