"""Exception types for bad user input; the CLI prints them without a traceback and exits 2."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: names the field, the value and what is allowed."""


class RecipeError(InputError):
    """A recipe file that cannot be read or does not validate; ``problems`` lists each one."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid recipe {source}:\n{lines}")
