"""The ``itscm`` command: a click group whose commands are imported only when run.

Each command lives in ``commands/<name>.py``, parses its options, calls one
library function and returns an exit code. Heavy libraries (networkx, Jinja2,
MkDocs) are imported inside the commands that need them, so ``itscm --help``
and ``itscm lint`` start fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from . import __version__

# name -> (module, attribute, one-line help shown by ``itscm --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "lint": ("itscm_compiler.commands.lint", "lint", "Run every check on the continuity repository."),
    "rules": ("itscm_compiler.commands.rules", "rules", "List the rule catalogue."),
    "explain": ("itscm_compiler.commands.rules", "explain", "Explain one rule: what, why, an example, the fix."),
    "schema": ("itscm_compiler.commands.schema", "schema", "Write or check the JSON Schemas in schema/."),
    "fmt": ("itscm_compiler.commands.fmt", "fmt", "Rewrite YAML in the canonical layout, keeping comments."),
    "review": ("itscm_compiler.commands.review", "review", "Record a plan review (date and reviewer), keeping comments."),
    "build": ("itscm_compiler.commands.build", "build", "Render the offline runbook site (MkDocs Material)."),
    "serve": ("itscm_compiler.commands.build", "serve", "Live preview of the runbook site, rebuilt on change."),
    "metrics": ("itscm_compiler.commands.metrics", "metrics", "Dashboard figures: coverage, currency, exercises, RTO, findings."),
    "impact": ("itscm_compiler.commands.impact", "impact", "What losing a component, site, supplier or threat takes down."),
    "graph": ("itscm_compiler.commands.graph", "graph", "The dependency graph as Mermaid, DOT or JSON, whole or around one id."),
    "init": ("itscm_compiler.commands.init", "init", "Scaffold a new continuity repository."),
    "new": ("itscm_compiler.commands.new", "new", "Write a new document of a kind from a template."),
    "import": ("itscm_compiler.commands.importer", "import_", "Import services, components, teams or threats from other catalogues."),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command: click.Command = getattr(module, entry[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="itscm")
def cli() -> None:
    """IT service continuity plans as code: lint, analyse and publish them."""


def _print_any_file_name() -> None:
    """Let output carry file names that are not UTF-8, byte for byte, as ``ls`` prints them.

    Python reads such a name with its bytes escaped (surrogateescape), and a
    UTF-8 terminal's strict output stream then refused to print a diagnostic
    about the file. The C locale already escapes them this way.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            try:
                reconfigure(errors="surrogateescape")
            except (ValueError, OSError):  # a closed or detached stream: nothing to adjust
                pass


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: usage errors exit 2, and so does any internal error."""
    # Pydantic looks for plugins (every installed distribution's entry points)
    # the first time a model validates: 10 to 20 ms of the 0.2 s pre-commit
    # run, for plugins the command never uses. Setting the variable to an
    # empty value turns them back on.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _print_any_file_name()
    try:
        # Not click's standalone mode: it turns Ctrl-C into exit code 1, which
        # for lint means "errors found".
        done = cli.main(args=argv, prog_name="itscm", standalone_mode=False)
    except SystemExit:
        raise
    except click.ClickException as exc:  # a usage error: click's message and exit code (2)
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("itscm: interrupted", err=True)
        sys.exit(130)  # 128 + SIGINT
    except OSError as exc:  # the machine, not itscm: a folder that cannot be written, a full disk
        if isinstance(exc, FileNotFoundError) and _cwd_gone():
            click.echo(_CWD_GONE, err=True)
            sys.exit(2)
        where = f"{os.fsdecode(exc.filename)}: " if exc.filename else ""
        click.echo(f"itscm: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)
    except MemoryError as exc:  # the machine again: a large estate on a small runner, or a memory limit
        _release(exc)
        try:  # bytes made in advance, straight to the descriptor: saying it must not need memory
            os.write(2, _OUT_OF_MEMORY)
        except OSError:
            pass
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        from .signals import stopped

        if stopped() is None:  # else a stop, turned into another exception on its way up: run() says so
            click.echo(f"itscm: internal error: {type(exc).__name__}: {exc}. Please report this.", err=True)
        sys.exit(2)
    if isinstance(done, int):  # what click's Exit (--help, --version) asked for
        sys.exit(done)
    return done


_CWD_GONE = (
    "itscm: the current folder no longer exists (it was deleted or moved while this shell was in it): "
    "cd into the repository again, or give --root as an absolute path"
)


def _cwd_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


_OUT_OF_MEMORY = (
    b"itscm: out of memory: this estate needs more memory than the process may use "
    b"(about 0.5 GB for 10,000 services); raise the limit or use a larger machine\n"
)


def _release(exc: BaseException | None) -> None:
    """Let go of the frames a failure's tracebacks hold (they hold the estate), down its whole chain."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = None
        exc = exc.__context__ or exc.__cause__


def run() -> None:
    """The ``itscm`` command: :func:`main`, then exit without tearing down the heap.

    A large estate leaves millions of objects behind, and freeing them one by
    one at interpreter exit took a second of a 10,000-service lint (the same
    reason mypy exits this way). Output is flushed first; nothing itscm writes
    is left open at this point.

    For the same reason, what a command builds stays out of the garbage
    collector's later work (gcpause.keep_frozen): the process ends soon.
    """
    from .gcpause import keep_frozen
    from .output import whole_stdout
    from .signals import Terminated, describe, hold, install, stopped

    keep_frozen()
    install()  # Ctrl-C and SIGTERM unwind through every cleanup (signals.py)
    whole_stdout()  # every byte of the report arrives, or the run says it could not (output.py)
    code: object = 0
    try:
        try:
            main()
        except Terminated:
            pass  # said below
        except SystemExit as exc:
            code = exc.code
        finally:
            hold()  # the command has ended: a later stop is held, and its outcome stands
    except (KeyboardInterrupt, Terminated):  # a stop that landed as the command returned, before hold()
        hold()
    stop = stopped()
    if stop is not None:  # whatever the command made of it
        if code != 128 + stop:
            print(f"itscm: {describe(stop)}", file=sys.stderr)
        code = 128 + stop
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # what SystemExit("message") does
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe (itscm lint | head): nothing more to say
            pass
        except OSError as exc:  # a full disk under a redirection: the output is cut short (output.py)
            if stream is sys.stdout:
                _say(f"itscm: {exc.strerror or exc}\n")
                code = code if stop is not None else 2
    os._exit(code)


def _say(text: str) -> None:
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:
        pass
