"""The README stays true: every command and setting is documented."""

from pathlib import Path

from zcweb import config
from zcweb.ops.cli import COMMANDS

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_cli_command_is_in_the_readme():
    for command in (*COMMANDS, "init-db"):
        name = command if isinstance(command, str) else command.name
        assert f"`{name}" in README, name


def test_every_setting_is_in_the_readme():
    settings = [k for k in vars(config) if k.isupper() and not k.startswith(("SESSION_COOKIE_HTTP", "SESSION_COOKIE_SAME", "WTF_"))]
    for key in settings:
        assert f"ZCWEB_{key}" in README, key


def test_readme_names_the_two_setup_commands_and_ci_uses_the_test_one():
    assert "scripts/dev.sh demo" in README and "scripts/dev.sh test" in README
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "scripts/dev.sh test" in ci
