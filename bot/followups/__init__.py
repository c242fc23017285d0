"""Follow-ups (tracker issue 10): complaint reminders, `/move` codes, the evidence timeline.

`install(service)` registers the store-side effect handlers and the eraser; `Service.open`
calls it, so every channel, the worker and the transcript runner share them.
"""

from __future__ import annotations

from typing import Any


def install(service: Any) -> None:
    from bot.followups.effects import FollowupEffects

    FollowupEffects(service).install()
