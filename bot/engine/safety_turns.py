"""The engine's turns for what the safety detector saw: crisis, danger, "already scammed", the
screening question for an unclear sign, the check-in after a crisis and the hours of people."""

from __future__ import annotations

from bot.engine.flow import Flow, OptionSpec, StateSpec
from bot.engine.freetext import Turn
from bot.engine.hours import HumanHours
from bot.engine.machine import goto
from bot.engine.risk import assess_risk
from bot.engine.safety_flow import CHECK_IN, HUMANS_OPEN
from bot.safety import Detector, Verdict
from bot.types import Inbound, Session


class SafetyTurns:
    """Mixed into Engine: what a turn does with the detector's verdict on the whole message."""

    flow: Flow
    safety: Detector
    human_hours: HumanHours

    def visible_options(self, session: Session, spec: StateSpec) -> list[OptionSpec]:
        raise NotImplementedError

    def _go(self, turn: Turn, trigger: str, option_id: str | None = None) -> None:
        raise NotImplementedError

    def _back(self, session: Session) -> None:
        raise NotImplementedError

    def _picks(
        self, session: Session, options: list[OptionSpec], inbound: Inbound, text: str
    ) -> list[OptionSpec] | None:
        raise NotImplementedError

    def note_alert(self, session: Session, verdict: Verdict, now: float) -> None:
        """An operator holds the case and the bot stays silent: mark what the message showed, so
        the case rises to the top of the queue and the operator's page shows the alert."""
        if verdict.label in ("crisis", "danger"):
            session.answers[f"{verdict.label}_at"] = now  # what the console's alert reads
            session.risk = assess_risk(session)

    def _safety(self, turn: Turn, verdict: Verdict) -> bool:
        """Crisis, danger and "already scammed" take over the turn; an unclear sign of self-harm
        asks the screening question (inside the crisis screens, their own reply repeats the
        lines); unclear danger or scam signs add their lines to the reply."""
        spec = self.flow.state(turn.session.state)
        in_crisis = spec.stage == "crisis"
        if verdict.label is not None:
            if verdict.label != "crisis" and "crisis" in verdict.soft:
                # a weaker sign of self-harm beside the scam or the threat: after that screen's
                # urgent steps, one caring line with the crisis numbers, never silence
                turn.after.append("safety.also_worried_f110_f111")
            if spec.name == self.flow.roles[verdict.label] and spec.unclear:
                turn.reprompt = spec.unclear  # already here: the lines again, not the whole page
                return True
            if spec.name == self.flow.roles["screen"]:
                self._back(turn.session)  # the question is not a place to return to
            self._go(turn, goto(verdict.label))
            return True
        if "crisis" in verdict.soft and not in_crisis:
            self._go(turn, goto("screen"))
            return True
        for label in verdict.soft:
            if label != "crisis":
                turn.notes.append(f"safety.soft_{label}")
        return False

    def _screen_answer(self, turn: Turn, inbound: Inbound, text: str) -> None:
        """The screening question: a clear no goes back where the user was, kindly; yes,
        不想说, or anything that is not a clear no goes to the crisis screen."""
        session = turn.session
        spec = self.flow.state(session.state)
        picks = self._picks(session, self.visible_options(session, spec), inbound, text)
        answer = picks[0].id if picks and len(picks) == 1 else None
        if answer is None and text:
            answer = "no" if self.safety.is_no(text) else None
        self._back(session)  # the question is not a place to return to
        if answer == "no":
            turn.notes.append("safety.screen_no")
        else:
            self._go(turn, goto("crisis"))

    def _after_safety(self, turn: Turn) -> None:
        """The first reply after leaving a crisis screen checks in once; asking for a person
        notes whether people are there at this hour."""
        session = turn.session
        stage = self.flow.state(session.state).stage
        if stage != "crisis" and session.answers.pop(CHECK_IN, False):
            turn.notes.insert(0, "safety.check_in")
        if session.state == self.flow.roles["human"]:
            session.answers[HUMANS_OPEN] = self.human_hours.open_at(turn.now)
