"""Rendering: SVG is XML, PNG has its magic bytes, missing renderer and timeouts are clear."""

from __future__ import annotations

import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import viz
import viz.render as render
from autograd_engine import Tensor

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_svg_parses_as_xml_and_names_every_node(neuron: Tensor, tmp_path: Path) -> None:
    graph = viz.draw_graph(neuron, view="both")
    path = graph.render(tmp_path / "neuron.svg")
    assert path == tmp_path / "neuron.svg"
    root = ET.parse(path).getroot()
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert set(graph.scene.nodes) <= ids


def test_png_has_its_magic_bytes(neuron: Tensor, tmp_path: Path) -> None:
    path = viz.draw_graph(neuron).render(str(tmp_path / "sub" / "neuron.png"))
    assert Path(path).read_bytes()[:8] == PNG_MAGIC


def test_render_changes_nothing(neuron: Tensor, tmp_path: Path) -> None:
    graph = viz.draw_graph(neuron)
    source = graph.source
    graph.render(tmp_path / "a.svg")
    graph.render(tmp_path / "b.svg")
    assert graph.source == source
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert not list(tmp_path.glob("*.gv"))


def test_unknown_suffix_is_a_clear_error(neuron: Tensor, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"use one of \.svg, \.png"):
        viz.draw_graph(neuron).render(tmp_path / "graph.pdf")
    with pytest.raises(ValueError, match=r"graph.source.*viz.save_backprop"):  # the CLI's two
        viz.draw_graph(neuron).render(tmp_path / "graph.gv")


def test_a_folder_or_a_bad_timeout_is_a_clear_error(neuron: Tensor, tmp_path: Path) -> None:
    folder = tmp_path / "graph.svg"
    folder.mkdir()
    with pytest.raises(ValueError, match="is a folder: give a file name"):
        viz.draw_graph(neuron).render(folder)
    with pytest.raises(ValueError, match="is a folder: give a file name"):
        viz.save_backprop(neuron, folder)
    for timeout, error in (("a", TypeError), (True, TypeError), (-1, ValueError),
                           (0, ValueError), (float("nan"), ValueError)):
        with pytest.raises(error, match="render: timeout must be"):
            viz.draw_graph(neuron).render(tmp_path / "g.svg", timeout=timeout)
    assert viz.draw_graph(neuron).render(tmp_path / "g.svg", timeout=None).is_file()  # no limit


def test_renderer_prefers_system_dot_then_graphviz_pure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert render.find_renderer() == "/usr/bin/dot"
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    beside = Path(sys.executable).parent / "graphviz-pure"
    assert render.find_renderer() == (str(beside) if beside.exists() else None)


def test_no_renderer_names_both_ways_and_writes_the_source(
        neuron: Tensor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "find_renderer", lambda: None)
    graph = viz.draw_graph(neuron)
    with pytest.raises(viz.RenderError) as error:
        graph.render(tmp_path / "neuron.png")
    message = str(error.value)
    assert "pip install graphviz-pure" in message and "`dot` is on PATH" in message
    assert str(tmp_path / "neuron.gv") in message
    assert (tmp_path / "neuron.gv").read_text() == graph.source
    assert not (tmp_path / "neuron.png").exists()
    assert "text/plain" in graph._repr_mimebundle_()  # notebooks still show something


def test_slow_layout_times_out_with_a_clear_message(
        neuron: Tensor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(render, "find_renderer", lambda: str(slow))
    with pytest.raises(viz.RenderError, match=r"took longer than 0.2 s.*lower max_nodes"):
        viz.draw_graph(neuron).render(tmp_path / "x.svg", timeout=0.2)


def test_renderer_failure_reports_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(viz.RenderError, match="failed"):
        render.render_bytes("digraph { a -> }", "svg")
