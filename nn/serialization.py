"""`save` and `load`: state dicts as `.npz` archives, read back without unpickling anything.

An `.npz` is a zip of `.npy` arrays; loading it with `allow_pickle=False` means a file can
hold only plain numbers, never code to run. Object arrays, truncated downloads and files of
another kind are all refused with an error that names the file and the problem.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, Mapping, Union

import numpy as np

from .module import as_numeric_array

PathLike = Union[str, "os.PathLike[str]"]


class LoadError(ValueError):
    """A file that is not a state dict written by `nn.save` (or is damaged)."""


def save(state_dict: Mapping[str, Any], path: PathLike) -> Path:
    """Write a state dict (name -> array, as `model.state_dict()` returns) to `path` as an
    uncompressed `.npz`, exactly at that path, atomically (a crash leaves no half file).
    Returns the path."""
    if not isinstance(state_dict, Mapping):
        hint = " (call model.state_dict())" if hasattr(state_dict, "state_dict") else ""
        raise TypeError(f"save: expected a mapping name -> array{hint}, got "
                        f"{type(state_dict).__name__}")
    arrays = {}
    for name, value in state_dict.items():
        array = as_numeric_array(value)  # a Tensor's data, a torch tensor's numbers
        if not isinstance(name, str) or array is None:
            raise TypeError(f"save: entry {name!r} must map a string to a numeric array, got "
                            f"{type(value).__name__}"
                            + ("" if array is None else f" of dtype {array.dtype}"))
        if "\x00" in name:
            raise ValueError(f"save: entry {name!r} has a NUL character, which a file name in "
                             "an .npz archive cannot hold; rename it")
        arrays[name] = array
    if not os.fspath(path):  # Path("") is "." (the current directory)
        raise ValueError("save: the path is empty; give a file name such as 'model.npz'")
    path = Path(path)
    # through a symbolic link to its target, as open() writes, rather than over the link
    try:
        target = path.resolve() if path.is_symlink() else path
    except RuntimeError:  # a loop of links, before Python 3.13
        target = path
    if target.is_symlink():  # a loop of links, which Python 3.13 resolves to a link
        raise ValueError(f"save: {str(path)!r} is a loop of symbolic links")
    if target.is_dir():  # else the error would name the temporary file
        raise IsADirectoryError(f"save: {str(path)!r} is a directory; give a file path, such "
                                f"as {str(path / 'model.npz')!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            _write_npz(file, arrays)
        os.chmod(temporary, 0o666 & ~_current_umask())  # mkstemp makes it private (0600)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def _write_npz(file: Any, arrays: Mapping[str, np.ndarray]) -> None:
    """What np.savez writes, one `name.npy` member per entry, but for every name: savez takes
    its entries as keyword arguments, so an entry named "file" or "allow_pickle" clashed with
    its own, and "x" and "x.npy" were written to one member."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load(path: PathLike) -> "OrderedDict[str, np.ndarray]":
    """Read a state dict written by `save`. Never unpickles: an object array, a truncated or
    corrupt archive, or a file of another kind raises LoadError naming the problem."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"load: {str(path)!r} is a directory, not a file written by "
                                "nn.save")
    if not path.is_file():
        raise FileNotFoundError(f"load: no such file {str(path)!r}")
    try:
        state = _read_all(path)
    except LoadError:
        raise
    except ValueError as error:
        if "pickle" in str(error):
            raise LoadError(f"load: {str(path)!r} contains pickled (object) data or is not a "
                            "numpy file; refusing to load it, since unpickling can run code. "
                            "Only numeric arrays written by nn.save are accepted") from None
        raise LoadError(f"load: {str(path)!r} is damaged or not an .npz archive "
                        f"({error})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise LoadError(f"load: {str(path)!r} is truncated or corrupt (it was probably cut off "
                        f"while writing or downloading): {type(error).__name__}: "
                        f"{error}") from None
    for name, array in state.items():
        if array.dtype.kind not in "biuf":
            raise LoadError(f"load: entry {name!r} of {str(path)!r} has dtype {array.dtype}, "
                            "not numbers")
    return state


def _read_all(path: Path) -> "OrderedDict[str, np.ndarray]":
    loaded = np.load(path, allow_pickle=False)
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise LoadError(f"load: {str(path)!r} holds a single array, not a state dict (an .npz "
                        "archive written by nn.save)")
    state: "OrderedDict[str, np.ndarray]" = OrderedDict()
    with loaded:  # read every member now: a truncated member only fails when it is read
        # by the members' own names: np.load's lookup would read entry "x.npy" from the
        # member of entry "x"
        for member in loaded.zip.namelist():
            if not member.endswith(".npy"):
                raise LoadError(f"load: {str(path)!r} is a zip archive but its member "
                                f"{member!r} is not a numpy array; it was not written by "
                                "nn.save")
            with loaded.zip.open(member) as file:
                state[member[:-4]] = np.lib.format.read_array(file, allow_pickle=False)
    return state
