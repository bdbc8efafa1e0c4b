"""The README stays true: every command has help text and appears in the README with an example."""
from __future__ import annotations

import re

import click

from docgen.cli import cli
from tests.conftest import ROOT


def _commands(group: click.Group, prefix: str = "docgen") -> list[tuple[str, click.Command]]:
    found = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            if cmd.invoke_without_command:  # `docgen serve` runs by itself and has subcommands
                found.append((path, cmd))
            found.extend(_commands(cmd, path))
        else:
            found.append((path, cmd))
    return found


def test_every_command_has_chinese_help_and_a_readme_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", readme, flags=re.S))
    for path, cmd in _commands(cli):
        assert cmd.help and re.search(r"[\u4e00-\u9fff]", cmd.help), f"{path} has no Chinese help"
        assert re.search(rf"^{re.escape(path)}(\s|$)", blocks, flags=re.M) or \
            re.search(rf"^docgen --archive \S+ {re.escape(path[7:])}", blocks, flags=re.M), \
            f"{path} has no example in README"


def test_readme_names_the_setup_and_test_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && docgen demo" in readme
    # CI installs what the README's test section says (with the optional tantivy engine) and runs its tests
    tests = re.search(r"## 运行测试\n+```bash\n(.*?)```", readme, flags=re.S).group(1).splitlines()
    assert tests == ["pip install -e '.[test,tantivy]'", "python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -e '.[test,tantivy]'" in ci and "python -m pytest" in ci


def test_readme_names_every_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for path, cmd in [("docgen", cli), *_commands(cli)]:
        for param in cmd.params:
            if isinstance(param, click.Option) and param.name not in ("help", "version"):
                names = param.opts + param.secondary_opts
                if not any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", readme) for n in names):
                    missing.append(f"{path} {'/'.join(names)}")
    assert not missing, "options the README never mentions:\n" + "\n".join(missing)
