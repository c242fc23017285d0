"""The follow-ups' engine plugin: actions, conditions and views of dialogs/followups.yaml
(complaint reminders, `/move`, the evidence timeline). Pure, like the rest of the engine; the
rows these features need are written by the application's effect handlers (bot/followups/)."""

from bot.engine.followups import dialog as dialog

__all__ = ["dialog"]
