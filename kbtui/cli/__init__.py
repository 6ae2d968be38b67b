"""The `kbtui` command line (the console script is `kbtui.cli:main`).

commands: the click group, one function per command, thin: parse, call
kbtui.kb, hand the result to output (JSON, CSV) or render (Rich tables).
errors: how a failure becomes one message and an exit code.
progress: bars on stderr for long work.
"""

from kbtui.cli.commands import main

__all__ = ["main"]
