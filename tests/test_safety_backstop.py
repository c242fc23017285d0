"""The soft-tier backstop: trained on the tuning set, it only ever adds a soft signal."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from bot.errors import FlowError
from bot.safety import Detector
from bot.safety.backstop import Backstop, features, fingerprint, stem
from bot.safety.backstop_train import train, word_classes
from bot.safety.evaluate import read_set

SETS = Path(__file__).parent / "safety"
MODEL = Path(__file__).parents[1] / "dialogs" / "safety" / "backstop.json"


@cache
def detector() -> Detector:
    return Detector.load()


def test_the_shipped_model_was_trained_on_the_tuning_set_as_it_is_now() -> None:
    backstop = Backstop.load(MODEL)
    assert backstop is not None
    assert backstop.trained_on == fingerprint(read_set(SETS / "tune")), (
        "tests/safety/tune changed: run python -m bot.safety.backstop_train"
    )


@pytest.mark.parametrize("text", ["我已经把遗照都选好了", "我想去一个没有痛苦的地方"])
def test_despair_no_pattern_knows_gets_the_question_and_never_the_screen(text: str) -> None:
    assert not Detector.load(backstop=False).scan(text)  # what the patterns alone make of it
    verdict = detector().scan(text)
    assert verdict.label is None and verdict.soft == ("crisis",)


CALM = [
    "我在上班",
    "好的，继续吧",
    "i have screenshots",
    "is 36% interest legal",
    "我没想过自杀，就是很烦",
    "I'm not thinking of suicide, just overwhelmed",
]


@pytest.mark.parametrize("text", CALM)
def test_calm_replies_and_denials_are_not_asked(text: str) -> None:
    assert not detector().scan(text)


def test_an_idiom_said_in_exasperation_is_asked_about_not_screened() -> None:
    assert detector().scan("想死的心都有了") == detector().scan_patterns("想死的心都有了")
    assert detector().scan("想死的心都有了").soft == ("crisis",)
    assert detector().scan("想死的心都有了，真的不想活了").label == "crisis"


@pytest.mark.parametrize("text", ["3", "12000", "2024-03-05", "  8000元 ", "5月5号", "1.5万"])
def test_option_numbers_amounts_and_dates_are_not_read(text: str) -> None:
    assert detector().scan(text) == Detector.load(backstop=False).scan(text)
    assert not detector().scan(text)


def test_a_long_vent_is_scored_by_its_sentences() -> None:
    vent = "今天催收又打电话给我妈。" * 40 + "我已经把遗照都选好了。"
    assert len(vent) > 200
    assert detector().scan(vent).soft == ("crisis",)


def test_features_cover_chinese_runs_english_words_and_pieces_of_long_words() -> None:
    grams = features("不想 unaliving now")
    assert {"不", "不想", "w:unaliving", "w:unaliving now", "c:unal"} <= grams
    assert "想 " not in grams and "c:now " not in grams


def test_word_classes_add_each_class_and_each_pair_of_classes_present() -> None:
    classes = {"insulin": ("means",), "all": ("amount",), "swallow": ("means", "amount")}
    grams = features("taking all my insulin", classes)
    assert {"k:means", "k:amount", "k:amount+means"} <= grams
    assert "k:means" in features("i swallowed it", classes)  # looked up by its stem
    assert not any(g.startswith("k:") for g in features("taking all my insulin"))


@pytest.mark.parametrize(
    ("word", "expected"),
    [("swallowed", "swallow"), ("pills", "pill"), ("cutting", "cut"), ("stopped", "stop"), ("miss", "miss")],
)
def test_stem_folds_english_endings(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_only_the_crisis_model_reads_the_word_classes_shipped_with_it() -> None:
    backstop = Backstop.load(MODEL)
    assert backstop is not None
    assert backstop.classes == word_classes(MODEL.parent / "word_classes.yaml")
    assert backstop.models["crisis"].reads_classes and not backstop.models["danger"].reads_classes
    assert not any(name.startswith("k:") for name in backstop.models["danger"].weights)


@pytest.mark.parametrize(
    # (drug names the patterns list, such as valium and xanax, are the patterns' business now)
    "text",
    ["im going to take all of my opioids at once", "saved up all my opioids and i am ready"],
)
def test_a_means_never_trained_on_reads_as_crisis_through_its_class(text: str) -> None:
    """The word classes carry what the English examples taught to words they never held."""
    tune_words = {w for _, lang, m in read_set(SETS / "tune") if lang == "en" for w in m.lower().split()}
    assert not {"opioids", "opioid"} & tune_words
    assert not Detector.load(backstop=False).scan(text)  # no pattern knows it
    backstop = Backstop.load(MODEL)
    assert backstop is not None
    without_classes = replace(backstop, classes={})
    threshold = backstop.models["crisis"].thresholds["en"]
    assert without_classes.score("crisis", text) < threshold <= backstop.score("crisis", text)
    assert detector().scan(text).soft == ("crisis",)
    assert not detector().scan("the doctor changed my benzos")


def test_training_writes_a_model_that_reads_like_its_examples(tmp_path: Path) -> None:
    tune = tmp_path / "tune"
    tune.mkdir()
    crisis = [
        f"我真的{w}，不想{v}了"
        for w in ("好累", "撑不住", "很绝望", "没希望", "好痛苦")
        for v in ("活", "醒来", "再熬", "坚持")
    ]
    calm = [
        f"{w}，{v}"
        for w in ("我欠了三千", "他们打给我妈", "利息太高", "我想投诉", "客服不理我")
        for v in ("怎么办", "合法吗", "能协商吗", "下一步呢")
    ]
    (tune / "crisis.zh_CN.txt").write_text("\n".join(crisis), encoding="utf-8")
    (tune / "calm.zh_CN.txt").write_text("\n".join(calm), encoding="utf-8")
    out = tmp_path / "backstop.json"
    summary = train(tune, out)
    assert "crisis zh" in summary
    model = Backstop.load(out)
    assert model is not None and model.trained_on == fingerprint(read_set(tune))
    assert set(model.models) == {"crisis"}  # no danger example in this set: no danger model
    assert model.score("crisis", "我真的好累,不想活了") > model.score("crisis", "利息太高,怎么办")


def test_a_broken_model_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "backstop.json"
    path.write_text(json.dumps({"trained_on": "x", "models": {"crisis": {"weights": {}}}}), encoding="utf-8")
    with pytest.raises(FlowError, match="backstop"):
        Backstop.load(path)
    assert Backstop.load(tmp_path / "absent.json") is None


THREATS = ["他们说不还钱就让我长长记性", "they said my family will be crying soon"]


@pytest.mark.parametrize("text", THREATS)
def test_a_threat_no_pattern_knows_still_reaches_danger_through_the_model(text: str) -> None:
    """The 110 line at least; the screen when the model reads it far above the calm messages."""
    assert not Detector.load(backstop=False).scan(text)
    verdict = detector().scan(text)
    assert verdict.label == "danger" or (verdict.label is None and "danger" in verdict.soft), verdict


def test_danger_wording_the_patterns_already_screen_is_left_to_them() -> None:
    assert detector().scan("催收说今晚要带人带刀上门").label == "danger"


def test_the_danger_screen_threshold_sits_above_the_question() -> None:
    from bot.safety.backstop_train import MIN_SCREEN_MARGIN

    model = Backstop.load(MODEL)
    assert model is not None
    danger = model.models["danger"]
    for name in ("zh", "en"):
        assert danger.screens[name] >= danger.thresholds[name] + MIN_SCREEN_MARGIN - 1e-6
    assert not model.models["crisis"].screens  # the crisis model only ever asks


def test_a_sign_the_danger_model_reads_as_clear_gets_the_screen(tmp_path: Path) -> None:
    """The real patterns with a small model trained on wordings no pattern holds: what reads just
    like the danger examples gets the screen from the model alone."""
    import shutil

    root = tmp_path / "safety"
    shutil.copytree(MODEL.parent, root)
    tune = tmp_path / "tune"
    tune.mkdir()
    danger = [
        f"那帮人说{w}让我{v}"
        for w in ("今晚", "明早", "后天", "周末", "下礼拜")
        for v in ("长长记性", "懂点规矩", "知道规矩")
    ]
    calm = [
        f"{w}，{v}"
        for w in ("我欠了三千", "他们打给我妈", "利息太高", "我想投诉", "客服不理我", "工资还没发")
        for v in ("怎么办", "合法吗", "能协商吗", "下一步呢")
    ]
    (tune / "danger.zh_CN.txt").write_text("\n".join(danger), encoding="utf-8")
    (tune / "calm.zh_CN.txt").write_text("\n".join(calm), encoding="utf-8")
    train(tune, root / "backstop.json")
    patterns_only, with_model = Detector.load(root, backstop=False), Detector.load(root)
    threat = "那帮人说大后天让我长长记性"
    assert not patterns_only.scan(threat)
    assert with_model.scan(threat).label == "danger"
    assert not with_model.scan("利息太高，能不能投诉")
