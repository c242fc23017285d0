"""Scam losses built from word classes × sentence frames, not from examples.

Hand-written sets keep finding verbs and cues that no pattern holds; here every payment verb meets
every amount, receiver and frame (and every secret every verb of handing it over), so a class
word the patterns miss shows up at once. The calm twins put the same verbs in front of known, real
receivers (the landlord, one's own bank, the lender's app) or in a refusal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import lru_cache

from bot.safety.detector import Detector

ZH_PAID = (
    *("转了", "汇了", "打了", "付了", "交了", "充了", "刷了", "给了"),
    *("微信转了", "支付宝转了", "扫码付了", "转账", "打款"),
)
ZH_AMOUNTS = ("三千", "5000块", "手续费", "一笔钱")
ZH_RECEIVERS = (
    *("自称法院的人", "冒充警察的人", "说能帮我上岸的人", "征信修复公司"),
    *("说能注销账户的客服", "一个陌生人", "那个所谓的律师", "说是网警的人"),
)
ZH_FRAMES = ("我{v}{a}给{r}", "我给{r}{v}{a}", "{r}让我交钱，我{v}{a}", "上个月{v}{a}给{r}，现在联系不上")

EN_PAID = (
    *("paid", "sent", "transferred", "wired", "zelled", "venmoed", "e-transferred", "deposited"),
    *("gave", "moved", "topped up", "loaded", "made a payment of", "handed over", "ended up sending"),
)
EN_AMOUNTS = ("$500", "3000 yuan", "the fee", "my savings")
EN_RECEIVERS = (
    *("a man who said he was from the court", "a fake lawyer", "a debt relief agent"),
    *("someone pretending to be police", "a guy on telegram", 'the "safe account"'),
    *("an impostor from the loan app", "a random account the collector sent"),
)
EN_FRAMES = ("I {v} {a} to {r}", "{r} told me to pay, so I {v} {a}", "My mum {v} {a} to {r}")

EN_SECRETS = (
    *("the code", "my OTP", "my card number", "my PIN", "a photo of my ID", "my passport scan"),
    *("the 3 digits on the back", "my login details", "my bank details", "the verification code"),
)
EN_TELL = (
    *("gave", "told", "sent", "read out", "texted"),
    *("emailed", "handed over", "provided", "shared", "whatsapped"),
)
EN_ASKERS = (
    *("a man claiming to be from the bank", "the fake customer service"),
    *("someone pretending to be police", "the caller"),
)
EN_SECRET_FRAMES = ("I {v} {s} to {r}", "I {v} {r} {s}", "{r} asked for {s} and I {v} it")
ZH_SECRETS = ("验证码", "银行卡号", "卡号和密码", "身份证正反面", "支付密码", "短信验证码", "网银密码")
ZH_TELL = ("告诉了", "发给了", "念给了", "报给了", "给了", "拍给了", "截图发给了")
ZH_ASKERS = ("自称客服的人", "冒充银行的人", "说能帮我上岸的人", "一个陌生人", "说是法院的人")
ZH_SECRET_FRAMES = ("我把{s}{v}{r}", "{r}要{s}，我就{v}他")

EN_KNOWN = (
    *("my landlord", "the lender through the app", "my own lawyer", "my mum"),
    *("my savings account", "my sister", "the school"),
)
EN_CALM_FRAMES = (
    *("I {v} {a} to {r}", "the collector kept calling, so I {v} {a} to {r}"),
    "I {v} {a} to {r}, is that normal?",
)
ZH_KNOWN = (
    *("房东", "平台官方app", "我自己请的律师", "我妈"),
    *("法院的缴费窗口", "我自己的银行卡", "学校", "物业"),
)
ZH_CALM_FRAMES = (
    *("我{v}{a}给{r}", "催收一直打电话，我就{v}{a}给{r}"),
    "有个自称警察的人要钱，我没理，{v}{a}给{r}",
)
REFUSALS = (
    "I did not send anything to the man who said he was police",
    "should I pay the fee to the credit repair agent?",
    "they told me to move money to a safe account, I refused",
    "I almost zelled the fee to a fake lawyer but my sister stopped me",
    "if I wired money to the scammer would I get it back?",
    "那个自称法院的人让我转三千，我没转",
    "要不要给那个说能上岸的人转手续费",
    "差点给骗子转了两万，被我老公拦住了",
    "如果我给他转了保证金会怎样",
    "有人冒充客服要我交一笔钱，我挂了",
)


@lru_cache(maxsize=1)
def detector() -> Detector:
    return Detector.load()


def _fill(frames: Iterable[str], **classes: Iterable[str]) -> list[str]:
    names = list(classes)
    return [
        frame.format(**dict(zip(names, words, strict=True)))
        for frame in frames
        for words in itertools.product(*(classes[n] for n in names))
    ]


def test_every_payment_verb_amount_and_receiver_reaches_the_scam_screen() -> None:
    messages = _fill(ZH_FRAMES, v=ZH_PAID, a=ZH_AMOUNTS, r=ZH_RECEIVERS)
    messages += _fill(EN_FRAMES, v=EN_PAID, a=EN_AMOUNTS, r=EN_RECEIVERS)
    missed = [m for m in messages if detector().scan(m).label != "scam_victim"]
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_every_secret_handed_to_an_impostor_reaches_the_scam_screen() -> None:
    messages = _fill(ZH_SECRET_FRAMES, s=ZH_SECRETS, v=ZH_TELL, r=ZH_ASKERS)
    messages += _fill(EN_SECRET_FRAMES, v=EN_TELL, s=EN_SECRETS, r=EN_ASKERS)
    missed = [m for m in messages if detector().scan(m).label != "scam_victim"]
    assert len(missed) <= len(messages) // 100, (len(missed), len(messages), missed[:10])


def test_money_to_a_known_receiver_or_refused_gets_no_screen() -> None:
    messages = _fill(ZH_CALM_FRAMES, v=ZH_PAID, a=ZH_AMOUNTS[:3], r=ZH_KNOWN)
    messages += _fill(EN_CALM_FRAMES, v=EN_PAID, a=EN_AMOUNTS[:3], r=EN_KNOWN)
    messages += list(REFUSALS)
    alarms = [m for m in messages if detector().scan(m).label is not None]
    assert len(alarms) <= len(messages) * 3 // 100, (len(alarms), len(messages), alarms[:10])
