"""The documents a case needs, always in Chinese (the language every office reads), plus an
English reading copy, marked as such, when the user reads English.

Per lender: a complaint to the lender (licensed lenders have a complaint desk) and one to the
regulator that supervises that kind of lender (NFRA for banks, cards and consumer finance, F004;
the local financial regulator for small-loan companies and unlicensed lenders, F008). Per case: a
police report when the plan goes to the police, the stop-contacting notice when people other
than the borrower are dunned, and a repayment request for each lender the user owes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.tools import case, letters, plan
from bot.tools.answers import BANKING, THIRD_PARTIES, Answers, Text, choices, lender_type


@dataclass(frozen=True, slots=True)
class Document:
    id: str  # complaint_<channel>_<lender number> | police | stop_contacts | negotiation_<n>
    title: str
    body: str  # in Chinese: the copy to send or hand in
    reading_copy: str  # the same in the user's language when that is not Chinese, else ""


def _channels_for(view: Answers) -> list[str]:
    kind = lender_type(view)
    channels = [] if kind == "unlicensed" else ["lender_own_complaint"]
    channels.append("nfra_12378" if kind in BANKING else "local_financial_regulator")
    return channels


def wants_police(answers: Answers) -> bool:
    return any("police" in plan.channel_ids(view) for view in case.lender_views(answers))


def wants_notice(answers: Answers) -> bool:
    return not case.is_borrower(answers) or bool(choices(answers, "contacted") & THIRD_PARTIES)


def build(answers: Answers, text: Text, official: Text, lang: str) -> list[Document]:
    """Every document of the case; `official` is the Chinese text, `text` the user's language."""

    def make(doc_id: str, title_key: str, write: Callable[[Text], str]) -> Document:
        reading = write(text) if lang != "zh_CN" else ""
        return Document(doc_id, official(title_key), write(official), reading)

    docs: list[Document] = []
    views = case.lender_views(answers)
    for number, view in enumerate(views, start=1):
        for channel in _channels_for(view):
            docs.append(
                make(
                    f"complaint_{channel}_{number}",
                    f"tools.letter.complaint.title.{channel}",
                    _complaint(view, channel),
                )
            )
    if wants_police(answers):
        docs.append(
            make("police", "tools.letter.complaint.title.police", lambda t: letters.police_report(answers, t))
        )
    if wants_notice(answers):
        docs.append(
            make("stop_contacts", "tools.letter.notice.title", lambda t: letters.contacts_notice(answers, t))
        )
    if case.role(answers) not in case.NOT_LIABLE:
        for number, view in enumerate(views, start=1):
            docs.append(make(f"negotiation_{number}", "tools.letter.negotiation.title", _negotiation(view)))
    return docs


def _complaint(view: Answers, channel: str) -> Callable[[Text], str]:
    return lambda text: letters.complaint_letter(view, channel, text)


def _negotiation(view: Answers) -> Callable[[Text], str]:
    return lambda text: letters.negotiation_letter(view, text)
