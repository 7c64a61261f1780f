"""`civharm …`: the one command-line entry point (wraps Django's management commands).

Chooses the data folder before Django starts, migrates it on first use, and prints our own
commands in --help rather than Django's long list.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "build a demo register of generated data over real Mali places, 2019–2024",
    "import": "import a source file: civharm import acled|ucdp|hxl|reports|victims FILE",
    "export": "export records: civharm export incidents|reports|persons -o FILE [--format …]",
    "backup": "write a consistent backup of the register: civharm backup FILE",
    "restore": "restore the register from a backup: civharm restore FILE",
    "createuser": "create a user with a role: civharm createuser NAME --role analyst",
    "audit": "verify the audit trail: civharm audit verify",
    "migrate": "create or upgrade the database (done automatically by the other commands)",
}
USAGE = """Usage: civharm [--data-dir DIR] COMMAND [options]

Civilian harm tracking, analysis and response. The data folder is DIR, or $CIVHARM_DATA,
or ./civharm-data (the demo uses ./civharm-demo unless told otherwise); PostgreSQL is used
instead of SQLite when $DATABASE_URL is set.

Commands:
{commands}

Run `civharm COMMAND --help` for a command's options and examples.
"""


def _take_data_dir(argv: list[str]) -> list[str]:
    """Remove --data-dir from argv and export it as CIVHARM_DATA (Django reads it at start)."""
    rest: list[str] = []
    iterator = iter(argv)
    for arg in iterator:
        if arg == "--data-dir":
            value = next(iterator, None)
            if value is None:
                sys.exit("civharm: --data-dir needs a folder, e.g. --data-dir ./civharm-data")
            os.environ["CIVHARM_DATA"] = value
        elif arg.startswith("--data-dir="):
            os.environ["CIVHARM_DATA"] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items())
    return USAGE.format(commands=lines)


def main(argv: list[str] | None = None) -> None:
    args = _take_data_dir(list(sys.argv[1:] if argv is None else argv))
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    if args[0] in {"--version", "version"}:
        from civharm import __version__

        print(f"civharm {__version__}")
        return
    if args[0] == "demo" and "CIVHARM_DATA" not in os.environ:
        os.environ["CIVHARM_DATA"] = "civharm-demo"  # never mix generated people into real data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    if args[0] not in {"migrate", "makemigrations", "restore", "test"}:
        from civharm.incidents.services.database import ensure_database

        ensure_database()
    execute_from_command_line(["civharm", *args])


if __name__ == "__main__":
    main()
