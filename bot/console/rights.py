"""Who may act on a conversation: one rule for every console route that changes one.

Replying, handing back and taking over act on the user's conversation; they belong to the
operator holding it, or to an admin (`weiquan operator add --admin`). Anyone may take over a
conversation nobody holds; taking it from another operator needs an admin. Reads are open to
every operator, and every one is written to the audit log.
"""

from __future__ import annotations

from bot.store.console_tables import OperatorRow

# Actions on a held conversation: only its holder or an admin.
HOLDER_ONLY = frozenset({"reply", "handback"})
GUARDED = HOLDER_ONLY | {"takeover"}


def permitted(action: str, operator: OperatorRow, holder: str | None) -> bool:
    if action not in GUARDED or operator.admin:
        return True
    if action == "takeover":
        return holder is None or holder == operator.name
    return holder == operator.name
