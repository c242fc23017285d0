"""Every command menu (Telegram's, WeChat's, the console's call buttons) comes from the flow's
`menus:` section: each entry is a flow command, labelled in both languages, within WeChat's limits."""

from __future__ import annotations

import pytest

from bot.config import content_dir
from bot.engine import parse
from bot.engine.flow import Flow, load_flow, menu, menu_commands
from bot.engine.i18n import LANGS, I18n
from bot.errors import FlowError

FLOW = load_flow(content_dir("dialogs"))
I18N = I18n.load(content_dir("locales"))
TABLE = parse.command_table(FLOW.commands)


def labelled(lang: str, key: str) -> bool:
    """The catalog has this key (a missing one comes back as the key itself)."""
    text = I18N.text(lang, key)
    return bool(text.strip()) and text != key


@pytest.mark.parametrize("surface", ["telegram", "wechat", "console"])
def test_every_menu_entry_runs_a_flow_command(surface: str) -> None:
    commands = menu_commands(FLOW, surface)
    assert commands and len(set(commands)) == len(commands)
    assert all(parse.command_of(command, TABLE) for command in commands)


def test_menu_labels_exist_in_every_language() -> None:
    assert not labelled("en", "telegram.commands.no_such_command")
    for lang in LANGS:
        for command in menu_commands(FLOW, "telegram"):
            assert labelled(lang, f"telegram.commands.{command.lstrip('/')}")
        for group, commands in menu(FLOW, "wechat"):
            assert labelled(lang, f"wechat.menu.{group}")
            for command in commands:
                assert labelled(lang, f"wechat.menu.{command.lstrip('/')}")


def test_wechat_menu_fits_wechats_limits() -> None:
    groups = menu(FLOW, "wechat")
    assert 1 <= len(groups) <= 3  # top-level buttons
    assert all(1 <= len(commands) <= 5 for _, commands in groups)  # sub-buttons


def test_the_safety_shortcuts_are_console_only() -> None:
    assert {"/crisis", "/danger"} <= set(menu_commands(FLOW, "console"))
    for surface in ("telegram", "wechat"):
        assert not {"/crisis", "/danger"} & set(menu_commands(FLOW, surface))


def test_a_menu_naming_an_unknown_command_or_missing_is_a_clear_error() -> None:
    menus = {"telegram": ["start", "nope"], "wechat": {"a": []}}
    flow = Flow((), {}, {}, {"start": ("/start", "开始")}, {}, menus)
    with pytest.raises(FlowError, match=r"menu telegram\.telegram names unknown commands \['nope'\]"):
        menu(flow, "telegram")
    with pytest.raises(FlowError, match="must list commands"):
        menu(flow, "wechat")
    with pytest.raises(FlowError, match="no menu for 'console'"):
        menu(flow, "console")
    assert menu(Flow((), {}, {}, {"start": ("/start",)}, {}, {"x": ["start"]}), "x") == (("x", ("/start",)),)


def test_console_buttons_are_the_menus_groups_labelled_in_every_language() -> None:
    groups = dict(menu(FLOW, "console"))
    assert set(groups) == {"quick", "steps"}
    for lang in LANGS:
        for command in menu_commands(FLOW, "console"):
            assert labelled(lang, f"console.call.{command.lstrip('/')}")
