"""Subcommands for evidence (filled in by its feature)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass
