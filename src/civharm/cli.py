"""`civharm …`: the one command-line entry point (wraps Django's management commands).

Chooses the data folder before Django starts, migrates it on first use, and prints our own
commands in --help rather than Django's long list.
"""

from __future__ import annotations

import os
import sys

from civharm.core import i18n
from civharm.core.i18n import _


def _commands() -> dict[str, str]:
    return {
        "demo": _("build a demo register of generated data over real Mali places, 2019–2024"),
        "import": _(
            "import a source file: civharm import acled|ucdp|hxl|reports|victims|kobo FILE"
        ),
        "forms": _("build the field XLSForms for KoboToolbox/ODK: civharm forms build -o DIR"),
        "link": _("link reports into incidents and victim records into persons: civharm link"),
        "estimate": _(
            "estimate how many victims no list documented: civharm estimate --by region,year"
        ),
        "brief": _("write an advocacy brief (PDF and HTML): civharm brief --region Mopti"),
        "export": _("export records: civharm export incidents|reports|persons -o FILE"),
        "backup": _("write a consistent backup of the register: civharm backup FILE"),
        "restore": _("restore the register from a backup: civharm restore FILE"),
        "createuser": _("create a user with a role: civharm createuser NAME --role analyst"),
        "audit": _("verify the audit trail: civharm audit verify"),
        "apitoken": _("issue, list or revoke API tokens: civharm apitoken create NAME"),
        "migrate": _("create or upgrade the database (the other commands do it when needed)"),
    }


def _usage_text() -> str:
    return _(
        "Usage: civharm [--data-dir DIR] [--lang fr|en] COMMAND [options]\n"
        "\n"
        "Civilian harm tracking, analysis and response. The data folder is DIR, or\n"
        "$CIVHARM_DATA, or ./civharm-data (the demo uses ./civharm-demo unless told\n"
        "otherwise); PostgreSQL is used instead of SQLite when $DATABASE_URL is set.\n"
        "Messages are in French unless --lang en, CIVHARM_LANG=en or an English locale.\n"
        "\n"
        "Commands:\n"
        "{commands}\n"
        "\n"
        "Run `civharm COMMAND --help` for a command's options and examples."
    )


GLOBAL_OPTIONS = {"--data-dir": "CIVHARM_DATA", "--lang": "CIVHARM_LANG"}


def _take_global_options(argv: list[str]) -> list[str]:
    """Remove --data-dir and --lang from argv and export them (Django reads them at start)."""
    rest: list[str] = []
    iterator = iter(argv)
    for arg in iterator:
        option, equals, value = arg.partition("=")
        if option not in GLOBAL_OPTIONS:
            rest.append(arg)
            continue
        if not equals:
            value = next(iterator, "")
        if not value:
            sys.exit(_("civharm: {option} needs a value").format(option=option))
        if option == "--lang" and value.lower() not in i18n.LANGUAGES:  # not French silently
            message = _("civharm: --lang {value} is not offered; choose fr or en.")
            print(message.format(value=value[:20]), file=sys.stderr)
            sys.exit(2)
        os.environ[GLOBAL_OPTIONS[option]] = value
    return rest


def _usage() -> str:
    commands = _commands()
    width = max(len(name) for name in commands)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in commands.items())
    return _usage_text().format(commands=lines)


def main(argv: list[str] | None = None) -> None:
    args = _take_global_options(list(sys.argv[1:] if argv is None else argv))
    language = i18n.language_from_environment()
    i18n.activate(language)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    if args[0] in {"--version", "version"}:
        from civharm import __version__

        print(f"civharm {__version__}")
        return
    if args[0] == "demo" and "CIVHARM_DATA" not in os.environ:
        os.environ["CIVHARM_DATA"] = "civharm-demo"  # never mix generated people into real data
    data = os.environ.get("CIVHARM_DATA")
    if data and os.path.exists(data) and not os.path.isdir(data):
        message = _("civharm: the data folder {path} is a file, not a folder (--data-dir)")
        print(message.format(path=data), file=sys.stderr)
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings")
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    django.setup()
    translation.activate(language)
    if args[0] not in {"migrate", "makemigrations", "restore", "test"}:
        from civharm.accounts.keys import KeyMismatch
        from civharm.incidents.services.database import ensure_database

        try:
            ensure_database()
        except KeyMismatch as exc:
            sys.exit(f"civharm: {exc}")
    execute_from_command_line(["civharm", *args])


if __name__ == "__main__":
    main()
