"""`autograd-engine graph "EXPR"`: draw the graph of a small expression (owned by viz)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("graph", help="draw the graph of a small expression")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("autograd-engine graph: not implemented yet")
