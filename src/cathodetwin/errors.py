"""The error contract: bad input (exit 2, no traceback), solver failures and everything else.

- :class:`InputError` (a ``ValueError``): the user gave something that cannot work; the message
  names the field, the value and what is allowed. The CLI prints it and exits 2.
- :class:`SolverError` (a ``RuntimeError``): a numerical solver did not converge on valid
  input. The CLI prints one line and exits 1.
- Anything else is a bug or an environment failure (disk full): one line, exit 1, and the
  traceback in ``cathodetwin-error.log`` in the output directory.
"""

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


class SolverError(RuntimeError):
    """A numerical solver stopped short of its tolerance on valid input."""
