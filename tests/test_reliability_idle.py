"""Idle sessions are recognised from the stored last_activity_at, across process restarts.

A new Service (a restarted process) with an injected clock: after 24 hours of silence the
next message gets "welcome back: continue or start over?"; within 24 hours it does not.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

from store_backends import backend_settings, engine  # noqa: F401 - fixtures

from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.types import Inbound, Outbound

T0 = 1_800_000_000.0
HOUR = 3600.0
USER = "telegram:5151"


def turn(settings: Settings, engine: Engine, at: float, n: int, **fields: object) -> Outbound:
    """One message through a freshly started process: nothing survives in memory."""
    service = Service.open(settings, engine=engine, clock=lambda: at)
    try:
        return service.handle_sync(Inbound(USER, message_id=f"idle-{n}", **fields)).outbound  # type: ignore[arg-type]
    finally:
        service.close()


def test_welcome_back_after_a_day_then_continue_or_start_over(
    backend_settings: Settings, engine: Engine
) -> None:
    idle_state = engine.flow.roles["idle"]
    turn(backend_settings, engine, T0, 1, text="/start")
    asked = turn(backend_settings, engine, T0 + 60, 2, option_ids=("self",)).state
    assert asked != engine.start

    soon = turn(backend_settings, engine, T0 + 23 * HOUR, 3, text="zzz")
    assert soon.state == asked  # a re-prompt in place: not idle yet

    back = turn(backend_settings, engine, T0 + 48 * HOUR, 4, text="zzz")
    assert back.state == idle_state
    assert {o.id for o in back.options} >= {"continue", "restart"}
    resumed = turn(backend_settings, engine, T0 + 48 * HOUR + 5, 5, option_ids=("continue",))
    assert resumed.state == asked  # where the user left off

    again = turn(backend_settings, engine, T0 + 100 * HOUR, 6, option_ids=("self",))
    assert again.state == idle_state  # even a button press from an old keyboard asks first
    asked_first = turn(backend_settings, engine, T0 + 100 * HOUR + 4, 7, option_ids=("restart",))
    assert asked_first.state == engine.flow.roles["restart"]  # starting over is confirmed first
    fresh = turn(backend_settings, engine, T0 + 100 * HOUR + 5, 8, option_ids=("confirm",))
    assert fresh.state == engine.start
    service = Service.open(backend_settings, engine=engine)
    try:
        session = service.session(USER)
        assert session is not None and session.version == 8
        assert session.last_activity_at == T0 + 100 * HOUR + 5
    finally:
        service.close()


def test_commands_and_crisis_are_not_delayed_by_welcome_back(
    backend_settings: Settings, engine: Engine
) -> None:
    turn(backend_settings, engine, T0, 1, text="/start")
    turn(backend_settings, engine, T0 + 60, 2, option_ids=("self",))
    crisis = turn(backend_settings, engine, T0 + 72 * HOUR, 3, text="我不想活了")
    assert crisis.state == engine.flow.roles["crisis"]
    helped = turn(backend_settings, engine, T0 + 200 * HOUR, 4, text="/help")
    assert helped.stage == "help"
