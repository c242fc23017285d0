"""The evidence timeline as rows of the case file's evidence catalogue (证据目录). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.tools.answers import timeline_entries
from bot.tools.ladder import CHINA


def timeline_catalogue(answers: Mapping[str, Any], text: Any, start: int) -> list[tuple[Any, ...]]:
    """Rows for the case file's evidence table: (number, item id, item, status, done, date)."""
    rows = []
    for offset, entry in enumerate(timeline_entries(answers)):
        at = datetime.fromtimestamp(entry["at"], CHINA).strftime("%Y-%m-%d %H:%M")
        kind = text(f"followups.evidence.kind.{entry['kind']}")
        description = entry.get("description") or text("followups.evidence.no_description")
        item = text(
            "followups.evidence.catalogue_item",
            kind=kind,
            description=description,
            sha256=entry["sha256"],
            size=entry["size"],
        )
        rows.append(
            (
                start + offset,
                f"received_{entry['number']}",
                item,
                text("followups.evidence.catalogue_status"),
                True,
                at,
            )
        )
    return rows
