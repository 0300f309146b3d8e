"""Command-line options declared once, as dataclass fields, for the stage registry.

A stage's options class (in :mod:`varrank.core.contract`) is the one place where a flag,
its help text, default, type and *where its value comes from in a pipeline run* are
written. ``add_arguments`` builds the argparse options of ``varrank <stage>`` from it,
``from_namespace`` turns parsed arguments back into the dataclass, and ``to_argv`` writes
the argument list ``varrank run`` passes, so the CLI, the embedded chain and (through the
generated contract file and a test) the Nextflow modules cannot drift apart.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cli:
    """How one dataclass field appears on the command line."""

    flags: tuple[str, ...]
    help: str
    metavar: str | None = None
    choices: tuple[Any, ...] | None = None
    kind: type | None = None              # argparse ``type``
    flag_only: bool = False               # store_true (or store_false for negative flags)
    repeat: bool = False                  # action="append"
    required: bool = False
    exclusive: str | None = None          # name of a mutually exclusive group
    # Where a pipeline run takes the value from (patient.*, resource.*, param.*, task.*,
    # upstream.*, out); None: an analysis setting left at its default by both runners.
    source: str | None = None

    @property
    def flag(self) -> str:
        """The long flag (the one argument lists and the Nextflow modules use)."""
        return next(f for f in self.flags if f.startswith("--"))


def option(*flags: str, help: str, default: Any = None, **cli: Any) -> Any:
    """A dataclass field carrying its command-line declaration."""
    spec = Cli(tuple(flags), help, **cli)
    if spec.repeat:
        return dataclasses.field(default_factory=list, metadata={"cli": spec})
    if spec.flag_only and default is None:
        default = False
    return dataclasses.field(default=default, metadata={"cli": spec})


def cli_fields(options_cls: type) -> list[tuple[dataclasses.Field, Cli]]:
    return [(f, f.metadata["cli"]) for f in dataclasses.fields(options_cls) if "cli" in f.metadata]


def add_arguments(parser: argparse.ArgumentParser, options_cls: type) -> None:
    """Declare every option of ``options_cls`` on ``parser`` (dest = the field name)."""
    groups: dict[str, Any] = {}
    for field, spec in cli_fields(options_cls):
        target = parser
        if spec.exclusive:
            if spec.exclusive not in groups:
                groups[spec.exclusive] = parser.add_mutually_exclusive_group()
            target = groups[spec.exclusive]
        kwargs: dict[str, Any] = {"dest": field.name, "help": spec.help}
        if spec.flag_only:
            kwargs["action"] = "store_false" if field.default is True else "store_true"
        elif spec.repeat:
            kwargs.update(action="append", default=[], type=spec.kind, metavar=spec.metavar)
        else:
            kwargs.update(default=field.default, type=spec.kind, metavar=spec.metavar,
                          choices=spec.choices)
            if spec.required:
                kwargs["required"] = True
        target.add_argument(*spec.flags, **{k: v for k, v in kwargs.items() if v is not None
                                            or k == "default"})


def from_namespace(options_cls: type, args: argparse.Namespace) -> Any:
    return options_cls(**{f.name: getattr(args, f.name) for f, _ in cli_fields(options_cls)})


def to_argv(options_cls: type, values: Mapping[str, Any]) -> list[str]:
    """The argument list for ``values`` (field name -> value), in declaration order.

    Absent, None, False and empty values are left out, as the Nextflow modules leave out
    an optional input that is not given."""
    argv: list[str] = []
    for field, spec in cli_fields(options_cls):
        value = values.get(field.name)
        if value is None or value is False or value == [] or value == "":
            continue
        if spec.flag_only:
            argv.append(spec.flag)
        elif spec.repeat:
            for item in value:
                argv += [spec.flag, str(item)]
        else:
            argv += [spec.flag, _text(value)]
    return argv


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def wired(options_cls: type) -> dict[str, str]:
    """flag -> source for every option a pipeline run fills (the contract with Nextflow)."""
    return {spec.flag: spec.source for _, spec in cli_fields(options_cls) if spec.source}
