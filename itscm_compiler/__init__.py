"""itscm: IT service continuity plans as code.

The library can be used without the CLI::

    from pathlib import Path
    from itscm_compiler.pipeline import lint

    result = lint(Path("."))
    for diagnostic in result.diagnostics:
        print(diagnostic)
"""

__version__ = "0.1.0"
