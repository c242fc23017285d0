"""The safety detector on its own evaluation set, and the long message that used to be cut."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.safety import Detector
from bot.safety.evaluate import Score, evaluate
from bot.types import Inbound, Session

SETS = Path(__file__).parent / "safety"


@cache
def detector() -> Detector:
    return Detector.load()


# reporting sets written later, each worked in after its first look (tests/safety/README.md)
FRESH = (
    *("fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9"),
    *("fresh10", "fresh11"),  # danger in both languages, and threat-like calm messages
    *("fresh12", "fresh13"),
    *("fresh14", "fresh15"),  # danger again, English above all, other writers
    *("fresh16", "fresh17"),  # crisis: English above all, oblique Chinese, calm look-alikes
    *("fresh18", "fresh19"),  # scam victims in both languages, and their calm look-alikes
    *("fresh24", "fresh25"),  # scam victims again: other writers, payment apps, remote access, Cantonese
    *("fresh20", "fresh21"),  # danger in both languages, English above all, other writers
    *("fresh22", "fresh23"),  # crisis by construction: passive wishes, logistics, self-harm, third persons
    *("fresh30", "fresh31"),  # scam victims, English above all: papers, spoofed calls, loans for fees
    *("fresh28", "fresh29"),  # crisis again, English above all: other writers, dialects, emoji
    "fresh32",  # scam victims, English above all: new writers, pressure, the learner's present
    *("fresh26", "fresh27"),  # danger again, English above all: word classes in frames, other writers
    *("fresh35", "fresh36"),  # danger again, Chinese above all: dialects, pinyin, emoji, other writers
    *("fresh33", "fresh34"),  # crisis, Chinese above all: debt despair as typed, dodges, dialects
    *("fresh37", "fresh38"),  # English crisis and danger: slang, learners' English, Pidgin, relayed farewells
    *("fresh39", "fresh40"),  # crisis again, Chinese above all: new writers, pinyin, run-ons
    *("fresh41", "fresh42"),  # danger, Chinese above all: trades, relatives, ransom, new writers
    *("fresh43", "fresh44"),  # English crisis and danger again: new writers, sport look-alikes
)


@pytest.mark.parametrize("half", ["heldout", "tune", *FRESH])
def test_recall_and_false_alarms_meet_the_targets_in_each_language(half: str) -> None:
    scores = evaluate(detector(), SETS / half)
    if half in ("heldout", "tune"):
        assert {(s.label, s.lang) for s in scores} >= {
            (label, lang) for label in ("crisis", "danger", "scam_victim", "calm") for lang in ("zh_CN", "en")
        }
    failing: list[Score] = [s for s in scores if not s.passes()]
    assert not failing, [(s.label, s.lang, f"{s.rate:.1%}", s.misses[:5]) for s in failing]


def test_the_set_is_as_large_as_promised() -> None:
    counts: dict[tuple[str, str], int] = {}
    for half in ("tune", "heldout"):
        for s in evaluate(detector(), SETS / half):
            counts[(s.label, s.lang)] = counts.get((s.label, s.lang), 0) + s.total
    minimum = {
        ("crisis", "zh_CN"): 300,
        ("crisis", "en"): 100,
        ("danger", "zh_CN"): 150,
        ("danger", "en"): 50,
        ("scam_victim", "zh_CN"): 80,
        ("scam_victim", "en"): 30,
        ("calm", "zh_CN"): 300,
        ("calm", "en"): 100,
    }
    short = {k: (counts.get(k, 0), n) for k, n in minimum.items() if counts.get(k, 0) < n}
    assert not short, short


def test_the_two_halves_share_no_message() -> None:
    def lines(half: str) -> set[str]:
        return {
            line.strip()
            for path in (SETS / half).glob("*.txt")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        }

    reporting = ("heldout", *FRESH)
    for i, one in enumerate(reporting):
        assert not lines("tune") & lines(one), one
        for other in reporting[i + 1 :]:
            assert not lines(one) & lines(other), (one, other)


def test_a_long_vent_ending_in_the_signal_reaches_crisis_through_the_store(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.service import Service

    vent = "催收天天打电话骂我，" * 300 + "我不想活了"  # 3,005 characters
    assert len(vent) > 3000
    settings = Settings.load({"WEIQUAN_DATA_DIR": str(tmp_path)})
    service = Service.open(settings, clock=lambda: 1_790_000_000.0)
    try:
        service.handle_sync(Inbound("terminal:vent", "/start"))
        reply = service.handle_sync(Inbound("terminal:vent", vent)).outbound
    finally:
        service.close()
    assert reply.state == "crisis"
    assert "12356" in reply.text


def test_a_message_longer_than_the_store_keeps_is_still_read_whole() -> None:
    engine = Engine.load()
    session = Session(user_key="t:1", state="welcome", lang="zh_CN", last_activity_at=1.0)
    reply = engine.step(session, Inbound("t:1", "好烦" * 5000 + "今晚就去跳河"), 2.0)
    assert reply.state == "crisis"


@pytest.mark.parametrize(
    ("answer", "state"),
    [
        ("没有", "h_contacted"),
        ("不是的。", "h_contacted"),
        ("no", "h_contacted"),
        ("是", "crisis"),
        ("不想说", "crisis"),
        ("我欠了五千", "crisis"),
    ],
)
def test_the_screening_question(answer: str, state: str) -> None:
    engine = Engine.load()
    session = Session(user_key="t:2", state="h_contacted", lang="zh_CN", last_activity_at=1.0)
    session.history.append("welcome")
    asked = engine.step(session, Inbound("t:2", "一了百了"), 2.0)
    assert asked.state == "crisis_check"
    reply = engine.step(session, Inbound("t:2", answer), 3.0)
    assert reply.state == state


def test_a_person_out_of_hours_after_a_crisis_gets_the_lines_in_the_same_message() -> None:
    engine = Engine.load()  # default hours 09:00-21:00 China time
    night = 1_790_000_000.0  # 22:13 in China
    session = Session(user_key="t:3", state="h_contacted", lang="zh_CN", last_activity_at=night - 60)
    engine.step(session, Inbound("t:3", "我想去死"), night - 30)
    reply = engine.step(session, Inbound("t:3", option_ids=("human",)), night)
    assert reply.state == "human"
    first = reply.messages[0].text
    assert "现在不是人工服务时间" in first and "12356" in first and "110" in first
