"""Follow-ups: complaint reminders, `/move` codes between channels, the evidence timeline.

Their dialogue parts (actions, conditions, views) are an engine plugin; what needs rows of their
own is an application service: `install(service)` registers the effect handlers and the eraser
(`Service.open` calls it, so every channel, the worker and the transcript runner share them),
`evidence` records uploaded files, and `worker` fires due reminders.
"""

from __future__ import annotations

from bot.followups.effects import FollowupEffects
from bot.followups.host import ServiceHost


def install(service: ServiceHost) -> None:
    FollowupEffects(service).install()
