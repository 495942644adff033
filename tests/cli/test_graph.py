"""`autograd-engine graph "EXPR"`: draws svg/png/html/gv and refuses anything but known ops."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_engine.cli import main

NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)", "--values",
          "x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432"]


def test_svg_of_the_neuron(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "neuron.svg"
    assert main(NEURON + ["-o", str(out)]) == 0
    ET.parse(out)
    printed = capsys.readouterr().out
    assert "= 0.707107" in printed and "d out / d w1 = 1" in printed
    assert "d out / d x1 = -1.5" in printed and f"wrote {out}" in printed


@pytest.mark.parametrize("suffix, check", [
    (".png", lambda p: p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"),
    (".html", lambda p: "backpropStepThrough" in p.read_text(encoding="utf-8")),
    (".gv", lambda p: p.read_text(encoding="utf-8").startswith("digraph autograd {")),
])
def test_other_formats(tmp_path: Path, suffix: str, check) -> None:
    out = tmp_path / f"neuron{suffix}"
    assert main(NEURON + ["-o", str(out), "--view", "backward", "--rankdir", "TB"]) == 0
    assert check(out)


@pytest.mark.parametrize("argv, message", [
    (["graph", "x.__class__", "--values", "x=1"], "attribute access is not allowed"),
    (["graph", "__import__('os')"], "__import__() is not one of the ops: an expression may "
                                    "call only the ops abs, exp"),
    (["graph", "__import__('os').system('ls')"], "attribute access (.system) is not allowed: "
                                                 "an expression may call only the ops"),
    (["graph", "9**9**9**9"], "the result overflows"),
    (["graph", "x**9**9**9", "--values", "x=2"], "the result overflows"),
    (["graph", "0" + "-" * 500 + "x", "--values", "x=1"], "more than 100 levels deep"),
    (["graph", "x * w", "--values", "x=1"], "no value for w"),
    (["graph", "x", "--values", "x=1,y=2"], "names y, which the expression does not use"),
    (["graph", "2 * 3"], "has no variables"),
    (["graph", "x", "--values", "x=1", "-o", "g.pdf"], "must end in .svg, .png, .html or .gv"),
    (["graph", "tanh(x", "--values", "x=1"], "is not valid"),
    (["graph", "tanh(x", "--values", "x=1", "-o", "new/sub/g.svg"], "is not valid"),  # no folder
])
def test_errors_are_clear(argv: list[str], message: str, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as error:
        main(argv)
    assert message in str(error.value)
    assert not list(tmp_path.iterdir())


def test_command_line_entry_point(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    done = subprocess.run([sys.executable, "-m", "autograd_engine", "graph", "relu(a) * 2",
                           "--values", "a=-1", "-o", str(out)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "d out / d a = 0" in done.stdout and out.exists()


def test_infinite_and_nan_gradients_are_drawn(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "div.svg"
    assert main(["graph", "x/y", "--values", "x=1,y=0", "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "grad inf" in svg and "grad &#45;inf" in svg and "inf / nan" in svg
    printed = capsys.readouterr()
    assert "d out / d y = -inf" in printed.out and "flags them" in printed.out
    assert printed.err == ""  # no numpy warning spam


def test_help_gives_every_option_a_text_and_its_default(
        capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: both;" in text and "(default: LR;" in text
    assert "(default: graph.svg)" in text and "default: none" in text


def test_an_expression_that_starts_with_a_minus_works_as_the_help_says(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    assert 'graph --values x=2 -- "-x*2"' in " ".join(capsys.readouterr().out.split())
    main(["graph", "--values", "x=2", "-o", str(tmp_path / "g.svg"), "--", "-x*2"])
    assert "-x*2 = -4" in capsys.readouterr().out and (tmp_path / "g.svg").is_file()
