"""Every civharm command's --help, in French and English: what a new user types first."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

OURS = sorted(name for name, app in get_commands().items() if app.startswith("civharm"))


def test_the_commands_are_found() -> None:
    assert {"demo", "export", "import", "link", "backup", "restore", "createuser"} <= set(OURS)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", OURS)
def test_help_describes_the_command(name: str, language: str) -> None:
    command = load_command_class(get_commands()[name], name)
    with translation.override(language):
        text = command.create_parser("civharm", name).format_help()
        described = str(command.help).split()[0]  # the description's first word, translated
    assert f"civharm {name}" in text
    assert described in text
