"""The safety detector: self-harm, danger and "I was already scammed", however people say it.

No transport, no SQL: `Detector.scan(text) -> Verdict`, with its data in dialogs/safety/.
"""

from bot.safety.detector import LABELS, Detector, Verdict

__all__ = ["LABELS", "Detector", "Verdict"]
