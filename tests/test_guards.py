"""Self-harm and danger (the safety detector, bot/safety) and the warning guards (dialogs/core.yaml):

A borrower venting in anger must not be sent to the crisis page; a borrower at risk must be,
from any state. Immediate danger goes to 110 first; scam and fake-paper words add a warning.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from needs import unavailable

from bot.channels.render import plain_text
from bot.engine.engine import Engine
from bot.types import Inbound, Outbound, Session

CRISIS = [
    ("zh_CN", "我不想活了"),
    ("zh_CN", "真的活不下去了"),
    ("zh_CN", "我想死"),
    ("zh_CN", "想自杀"),
    ("zh_CN", "还不上就一死了之"),
    ("zh_CN", "准备跳楼"),
    ("zh_CN", "活着没意思"),
    ("zh_CN", "撑不下去了"),
    ("zh_CN", "我想不开了"),
    ("zh_CN", "活够了"),
    ("zh_CN", "我想吃安眠药"),
    ("zh_CN", "我已经写好遗书了"),
    ("zh_CN", "ｗａｎｔ ｔｏ ｄｉｅ"),  # full-width, folded by NFKC
    ("en", "I want to kill myself"),
    ("en", "I'm suicidal"),
    ("en", "I just want to die"),
    ("en", "I want to end it all"),
    ("en", "life is not worth living"),
    ("en", "there is no reason to live"),
    ("en", "I don't want to live anymore"),
    ("en", "KILL MYSELF"),
]
ANGER = [
    ("zh_CN", "催收的去死吧"),
    ("zh_CN", "烦死了"),
    ("zh_CN", "气死我了"),
    ("zh_CN", "吓死我了"),
    ("zh_CN", "累死了，天天打电话"),
    ("zh_CN", "笑死，他们还敢发律师函"),
    ("zh_CN", "我不想死，只想他们别打了"),
    ("zh_CN", "让他们去死"),
    ("zh_CN", "想死你了"),
    ("zh_CN", "我把手机关起来了"),
    ("en", "I could kill them"),
    ("en", "they scared me to death"),
    ("en", "this is killing me"),
    ("en", "I don't want to die, I want them to stop"),
    ("en", "I'm not suicidal, just angry"),
]
DANGER = [
    ("zh_CN", "他们现在堵在我家门口"),
    ("zh_CN", "有人在砸门"),
    ("zh_CN", "催收拿刀威胁我"),
    ("zh_CN", "他们闯进我家了"),
    ("zh_CN", "催收到我家了，不让我走"),
    ("en", "they are outside my door"),
    ("en", "someone is breaking in"),
    ("en", "he has a knife"),
]
STATES = ["welcome", "h_contacted", "l_contract", "e_checklist", "c_step", "n_script_say", "summary"]


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine.load()


def step(text: str, lang: str, state: str = "h_contacted") -> Outbound:
    session = Session(user_key="test:guards", state=state, lang=lang, last_activity_at=1000.0)
    session.history.append("welcome")
    return engine().step(session, Inbound("test:guards", text, locale=lang), 1001.0)


@pytest.mark.parametrize(("lang", "text"), CRISIS)
def test_self_harm_goes_to_crisis_with_lines_first(lang: str, text: str) -> None:
    reply = step(text, lang)
    assert (reply.state, reply.stage) == ("crisis", "crisis")
    shown = plain_text(reply)
    assert re.match(r"^\D*12356", shown)  # the national line is the first number shown
    for number in ("010-82951332", "120", "110"):
        assert number in shown
    assert "800-810-1117" not in shown  # F112: unverified, never used
    assert {o.id for o in reply.options} >= {"resume", "human"}


@pytest.mark.parametrize("state", STATES)
def test_crisis_from_any_state_and_back(state: str) -> None:
    session = Session(user_key="test:guards", state=state, lang="zh_CN", last_activity_at=1000.0)
    reply = engine().step(session, Inbound("test:guards", "不想活了", locale="zh_CN"), 1001.0)
    assert reply.state == "crisis"
    back = engine().step(session, Inbound("test:guards", option_ids=("resume",)), 1002.0)
    assert back.state == state


@pytest.mark.parametrize(("lang", "text"), ANGER)
def test_anger_is_not_a_crisis(lang: str, text: str) -> None:
    reply = step(text, lang)
    assert reply.stage != "crisis"
    assert "12356" not in plain_text(reply)


@pytest.mark.parametrize(("lang", "text"), DANGER)
def test_immediate_threat_puts_110_first(lang: str, text: str) -> None:
    reply = step(text, lang)
    assert (reply.state, reply.stage) == ("danger", "crisis")
    assert re.match(r"^\D*110", plain_text(reply))


@pytest.mark.parametrize(
    ("lang", "text", "marker"),
    [
        ("zh_CN", "有人说能征信修复", "花钱删不掉"),
        ("zh_CN", "他要我的验证码", "验证码"),
        ("zh_CN", "让我开屏幕共享", "屏幕共享"),
        ("en", "they offer credit repair", "bought off"),
        ("en", "send me the verification code", "verification code"),
    ],
)
def test_scam_words_add_a_warning_and_keep_the_state(lang: str, text: str, marker: str) -> None:
    reply = step(text, lang)
    assert reply.state == "h_contacted"
    assert "⚠️" in plain_text(reply) and marker in plain_text(reply)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh_CN", "收到法院传票"), ("zh_CN", "他们发来律师函"), ("en", "I got a court summons")],
)
def test_fake_court_papers_point_to_12368(lang: str, text: str) -> None:
    reply = step(text, lang)
    assert reply.state == "h_contacted"
    assert "12368" in plain_text(reply)


def test_plain_answers_raise_no_guard() -> None:
    for lang, text in (("zh_CN", "1 2"), ("en", "1 2"), ("zh_CN", "我本人")):
        shown = plain_text(step(text, lang))
        assert "⚠️" not in shown and "12356" not in shown


# -- content rules for the conversation's own locale files --------------------------------------
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
CONVERSATION_FILES = (
    "core",
    "family",
    "harassment",
    "lender",
    "evidence",
    "escalation",
    "negotiation",
    "summary",
    "safety",
    "faq",
)
EXAMPLES = {"2026-12-05", "10000", "7000"}  # input examples in prompts, not facts


def _conversation_texts() -> dict[str, str]:
    root = Path(__file__).resolve().parents[1] / "locales"
    return {
        f"{lang}/{name}": (root / lang / f"{name}.yaml").read_text(encoding="utf-8")
        for lang in ("zh_CN", "en")
        for name in CONVERSATION_FILES
    }


def test_every_number_and_fact_id_traces_to_the_reference() -> None:
    if not REFERENCE.is_dir():
        unavailable("shared/reference is not beside the checkout")
    reference = "".join((REFERENCE / n).read_text(encoding="utf-8") for n in ("facts.md", "channels.yaml"))
    known_ids = set(re.findall(r"### (F\d{3})", reference))
    for name, text in _conversation_texts().items():
        cited = {f"F{n}" for n in re.findall(r"_f(\d{3})", text)} | set(re.findall(r"F\d{3}", text))
        assert cited <= known_ids, (name, cited - known_ids)
        numbers = set(re.findall(r"(?<![\d-])(\d{3,}(?:-\d+)*)(?!\d)", text)) - EXAMPLES
        assert all(number in reference for number in numbers), (name, numbers)


def test_no_defunct_regulator_and_no_requests_for_secrets() -> None:
    for name, text in _conversation_texts().items():
        assert "银保监" not in text and "CBIRC" not in text, name
        assert "800-810-1117" not in text, name  # F112: unverified
    asks = re.compile(
        r"(请|告诉我|发给我|输入).{0,6}(身份证号|银行卡号|密码|验证码)|"
        r"(send|tell|give|enter) me your (ID|card|password|code)",
        re.I,
    )
    for name, text in _conversation_texts().items():
        assert not asks.search(text), name
