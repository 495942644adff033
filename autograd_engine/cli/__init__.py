"""The `autograd-engine` command (also `python -m autograd_engine`).

Each subcommand lives in its own module and imports `nn` and `viz` only when it runs, so the
engine itself never depends on them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from . import demo, graph


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-engine",
        description="An autograd engine you can read: train, draw and step through graphs.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo.add_parser(commands)
    graph.add_parser(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
