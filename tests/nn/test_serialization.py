"""nn.save / nn.load: round trip, and refusal of anything that is not plain numbers."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn


def test_round_trip_restores_the_model(tmp_path: Path) -> None:
    model = nn.MLP([3, 5, 2], dtype=np.float32)
    path = nn.save(model.state_dict(), tmp_path / "sub" / "weights.npz")
    assert path == tmp_path / "sub" / "weights.npz" and path.is_file()
    loaded = nn.load(path)
    assert list(loaded) == list(model.state_dict())
    assert loaded["layers.0.weight"].dtype == np.float32
    fresh = nn.MLP([3, 5, 2], dtype=np.float32)
    fresh.load_state_dict(loaded)
    x = np.ones((2, 3), dtype=np.float32)
    np.testing.assert_array_equal(fresh(x).data, model(x).data)
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["weights.npz"]


def test_path_is_used_exactly(tmp_path: Path) -> None:
    nn.save({"w": np.zeros(2)}, tmp_path / "model.weights")
    assert (tmp_path / "model.weights").is_file()
    assert nn.load(tmp_path / "model.weights")["w"].tolist() == [0.0, 0.0]


def test_object_arrays_are_refused_without_unpickling(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([{"payload": 1}], dtype=object))
    with pytest.raises(nn.LoadError, match="pickled \\(object\\) data.*run code"):
        nn.load(path)


def test_a_pickle_file_is_refused(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"weight": [1.0]}))
    with pytest.raises(nn.LoadError, match="refusing to load"):
        nn.load(path)


def test_truncated_file_is_a_clear_error(tmp_path: Path) -> None:
    path = nn.save(nn.MLP([20, 30, 2]).state_dict(), tmp_path / "w.npz")
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 40):
        path.write_bytes(data[:cut])
        with pytest.raises(nn.LoadError, match="truncated or corrupt|damaged"):
            nn.load(path)


def test_foreign_files_are_clear_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, these are not weights\n")
    with pytest.raises(nn.LoadError, match=str(text.name)):
        nn.load(text)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(nn.LoadError, match="single array, not a state dict"):
        nn.load(single)
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not numpy")
    with pytest.raises(nn.LoadError):
        nn.load(archive)
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load(tmp_path / "missing.npz")


def test_save_refuses_non_numeric_values_and_modules(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="model.state_dict\\(\\)"):
        nn.save(nn.Linear(1, 1), tmp_path / "w.npz")
    with pytest.raises(TypeError, match="'name' must map a string to a numeric array"):
        nn.save({"name": np.array(["text"])}, tmp_path / "w.npz")
    with pytest.raises(TypeError, match="'ragged' must map a string to a numeric array, got list"):
        nn.save({"ragged": [[1.0, 2.0], [3.0]]}, tmp_path / "w.npz")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_every_name_comes_back_with_its_own_values(tmp_path: Path) -> None:
    """np.savez took entries as keyword arguments: "file" and "allow_pickle" clashed with its
    own, and "x" and "x.npy" shared one member. Names are data here, whatever they say."""
    state = {"file": np.arange(3.0), "allow_pickle": np.ones(2), "x": np.array([5.0]),
             "x.npy": np.array([6.0]), "a/b": np.zeros(1), "": np.full(2, 7.0)}
    loaded = nn.load(nn.save(state, tmp_path / "names.npz"))
    assert list(loaded) == list(state)
    for name, value in state.items():
        np.testing.assert_array_equal(loaded[name], value, err_msg=name)
    with pytest.raises(ValueError, match="NUL character"):
        nn.save({"w\x00z": np.ones(1)}, tmp_path / "nul.npz")


def test_saving_to_a_symbolic_link_writes_its_target(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    link = tmp_path / "latest.npz"
    link.symlink_to(tmp_path / "runs" / "model.npz")
    nn.save({"w": np.ones(2)}, link)
    assert link.is_symlink()  # the link stays, and reads what was saved
    np.testing.assert_array_equal(nn.load(tmp_path / "runs" / "model.npz")["w"], np.ones(2))
    loop = tmp_path / "loop.npz"
    loop.symlink_to(loop)
    with pytest.raises(ValueError, match="a loop of symbolic links"):
        nn.save({"w": np.ones(2)}, loop)


def test_saved_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    """Written through a private temporary file, but the result is an ordinary file."""
    mask = os.umask(0o022)
    try:
        path = nn.save({"w": np.ones(2)}, tmp_path / "weights.npz")
    finally:
        os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_a_directory_or_an_empty_path_is_named_as_such(tmp_path: Path) -> None:
    """save named its temporary file (or 'Device or resource busy: .'), load said 'no such
    file'."""
    state = nn.Linear(2, 1).state_dict()
    with pytest.raises(IsADirectoryError, match=f"save: '{tmp_path}' is a directory; give a "
                                                f"file path, such as '{tmp_path}/model.npz'"):
        nn.save(state, tmp_path)
    with pytest.raises(ValueError, match="save: the path is empty"):
        nn.save(state, "")
    with pytest.raises(IsADirectoryError, match=f"load: '{tmp_path}' is a directory"):
        nn.load(tmp_path)
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
