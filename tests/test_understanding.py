"""The FAQ matcher on questions it was never taught, and the FAQ table's own hygiene.

tests/understanding/heldout.yaml holds phrasings kept out of both dialogs/faq.yaml (what the
matcher learns from) and tune.yaml (what its thresholds were chosen on). The targets are the
project's: top-1 ≥ 90% and top-3 ≥ 97% per language, unrelated messages answered ≤ 3%.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy
import pytest

from bot.engine.engine import Engine
from bot.engine.i18n import LANGS
from bot.engine.textnorm import fold
from bot.faq_eval import LangScore, evaluate
from bot.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "understanding"
FACTS = ROOT.parent / "shared" / "reference" / "facts.md"


@cache
def engine() -> Engine:
    return Engine.load()


@cache
def heldout() -> dict[str, LangScore]:
    return evaluate(engine(), HERE / "heldout.yaml", HERE / "unrelated.yaml")


@cache
def fresh(name: str) -> dict[str, LangScore]:
    return evaluate(engine(), HERE / name, HERE / "unrelated.yaml")


def _misses(score: LangScore) -> str:
    return "\n".join(f"{t!r}: wanted {w}, got {g}" for t, w, g in score.misses)


# Held-out (`weiquan faq-eval`): top-1 90.9% / 90.5%, top-3 99.2% / 97.7% (zh_CN / en).
@pytest.mark.parametrize("lang", LANGS)
def test_heldout_accuracy_meets_the_targets(lang: str) -> None:
    score = heldout()[lang]
    assert score.asked >= 3 * len(engine().understanding.matcher.intents)  # type: ignore[union-attr]
    assert score.top3_rate >= 0.97, _misses(score)
    assert score.top1_rate >= 0.90, _misses(score)


@pytest.mark.parametrize("lang", LANGS)
def test_unrelated_messages_are_rarely_answered(lang: str) -> None:
    score = heldout()[lang]
    assert score.unrelated >= 150
    assert score.false_answer_rate <= 0.03, score.answered


def _phrasings(path: Path, key: str) -> dict[str, set[str]]:
    doc = load_yaml(path)
    out: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for name, node in doc[key].items():
        if name != "__line__":
            for lang in LANGS:
                out[lang] |= {fold(str(p)) for p in node[lang]}
    return out


def test_the_splits_share_no_phrasing() -> None:
    taught = _phrasings(ROOT / "dialogs" / "faq.yaml", "faq")
    tune = _phrasings(HERE / "tune.yaml", "intents")
    held = _phrasings(HERE / "heldout.yaml", "intents")
    new = _phrasings(HERE / "fresh.yaml", "intents")
    newer = _phrasings(HERE / "fresh2.yaml", "intents")
    for lang in LANGS:
        assert not held[lang] & taught[lang]
        assert not held[lang] & tune[lang]
        assert not tune[lang] & taught[lang]
        assert not new[lang] & (taught[lang] | tune[lang] | held[lang])
        assert not newer[lang] & (taught[lang] | tune[lang] | held[lang] | new[lang])


def test_at_least_sixty_intents_with_eight_phrasings_each() -> None:
    intents = engine().understanding.matcher.intents  # type: ignore[union-attr]
    assert len(intents) >= 60
    for intent in intents.values():
        for lang in LANGS:
            assert len(set(intent.phrases[lang])) >= 8, (intent.id, lang)


def test_every_intent_has_a_title_and_an_answer_in_both_languages() -> None:
    catalogs = engine().i18n.catalogs
    for intent in engine().understanding.matcher.intents.values():  # type: ignore[union-attr]
        for lang in LANGS:
            for part in ("title", "answer"):
                assert catalogs[lang].get(f"faq.{intent.id}.{part}", "").strip(), (lang, intent.id, part)
            if intent.jump:
                assert catalogs[lang].get(f"faq.jump.{intent.jump}"), (lang, intent.jump)


@pytest.mark.skipif(not FACTS.is_file(), reason="shared/reference is not beside the checkout")
def test_answers_rest_on_real_facts_and_show_no_fact_ids() -> None:
    reference = FACTS.read_text(encoding="utf-8")
    known = set(re.findall(r"^### (F\d{3})", reference, flags=re.M))
    catalogs = engine().i18n.catalogs
    for intent in engine().understanding.matcher.intents.values():  # type: ignore[union-attr]
        assert set(intent.facts) <= known, intent.id
        for lang in LANGS:
            answer = catalogs[lang][f"faq.{intent.id}.answer"]
            assert not re.search(r"\bF\d{3}\b", answer), (lang, intent.id)  # users never see ids
            numbers = set(re.findall(r"(?<![\d.-])(\d{3,}(?:-\d+)*)(?!\d)", answer)) - {"10000", "7000"}
            if numbers:
                assert intent.facts, (lang, intent.id, numbers)  # a number needs a fact behind it
            assert all(n in reference for n in numbers), (lang, intent.id, numbers)


@pytest.mark.parametrize("lang", LANGS)
def test_scoring_by_hand_equals_scikit_learn(lang: str, tmp_path: Path) -> None:
    """_Model.scores mirrors the pipeline's features (char_wb n-grams, English words) by hand."""
    from bot.engine import faq

    matcher = engine().understanding.matcher
    assert matcher is not None
    pipeline = faq._fit(matcher.intents, matcher.negatives[lang], lang, matcher.prepare)
    model = faq._arrays(pipeline)
    faq._write_models(tmp_path / "m.npz", {code: model for code in LANGS})
    kept = faq._read_models(tmp_path / "m.npz")
    assert kept is not None
    messages = {
        "zh_CN": ["催收天天打我爸妈电话", "借5000到手3500砍頭息要還嗎", "12378 投诉多久有回复？", "ok", "好"],
        "en": ["they call my MOM?? at work", "borrowed 5000, got 3500: legal?", "12378 hotline", "好的", "x"],
    }[lang]
    for message in messages:
        prepared = matcher.prepare(lang, message)
        expected = pipeline.predict_proba([prepared])[0]
        for arrays in (model, kept[lang]):
            scores = arrays.scores(prepared)
            by_hand = numpy.exp(scores - scores.max())
            by_hand /= by_hand.sum()
            assert list(arrays.classes) == [str(c) for c in pipeline.classes_]
            assert bool(arrays.words) == (lang in faq.WORD_FEATURES)
            assert numpy.allclose(by_hand, expected, atol=1e-9), message


def test_synonyms_rewrite_whole_spellings_to_one_word() -> None:
    from bot.engine.textnorm import Synonyms

    chinese = Synonyms({"家人": ["爸妈", "家里人"], "征信": ["信用记录"]}, whole_words=False)
    assert chinese.apply(fold("催收打我爸妈电话")) == "催收打我家人电话"
    assert chinese.apply(fold("会影响信用记录吗，家里人知道吗")) == "会影响征信吗 家人知道吗"
    assert chinese.apply("信用卡逾期") == "信用卡逾期"  # not a listed spelling: untouched
    english = Synonyms(
        {"employer": ["boss", "hr"], "collector": ["collectors", "debt collectors"]}, whole_words=True
    )
    assert english.apply(fold("Debt collectors called my BOSS")) == "collector called my employer"
    assert english.apply("three bosses") == "three bosses"  # only whole words: `hr` is not in `three`
    assert Synonyms({}, whole_words=True).apply("anything") == "anything"


def test_the_table_s_synonyms_reach_the_matcher() -> None:
    """The same question in two families' words reads the same to the classifier."""
    matcher = engine().understanding.matcher
    assert matcher is not None
    assert matcher.prepare("zh_CN", "催收打给我爸妈") == matcher.prepare("zh_CN", "催收打给我父母")
    assert matcher.prepare("en", "can they call my mom") == matcher.prepare("en", "can they call my parents")
    assert matcher.prepare("zh_CN", "信用卡停息") == "信用卡停息"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "least"), [("fresh.yaml", 100), ("fresh2.yaml", 85)])
def test_fresh_phrasings_written_after_a_change_are_understood(name: str, least: int, lang: str) -> None:
    """Unseen splits, each scored first when it was written, before the change it then measured:
    fresh.yaml (zh_CN 95% / 100%, en 94% / 100%), fresh2.yaml (zh_CN 94.5% / 98.9%,
    en 89.0% / 96.7%); they guard against a change that only suits heldout.yaml."""
    score = fresh(name)[lang]
    assert score.asked >= least
    assert score.top3_rate >= 0.97, _misses(score)
    assert score.top1_rate >= 0.90, _misses(score)


@pytest.mark.parametrize("lang", LANGS)
def test_a_decision_follows_the_ranking(lang: str) -> None:
    """match() picks from the top of rank(): an answer is the first intent, candidates the first
    few in order; and over the held-out questions both kinds of decision occur."""
    matcher = engine().understanding.matcher
    assert matcher is not None
    doc = load_yaml(HERE / "heldout.yaml")["intents"]
    answered = offered = 0
    for name, node in doc.items():
        for text in node[lang] if name != "__line__" else ():
            ranked = [intent for intent, _ in matcher.rank(lang, text) if intent]
            match = matcher.match(lang, text)
            if match.answer:
                assert match.answer == ranked[0], text
                answered += 1
            if match.candidates:
                assert match.candidates == tuple(ranked[: len(match.candidates)]), text
                offered += 1
    assert answered > 100 and offered > 20, (answered, offered)


def test_apostrophes_read_as_people_type_without_them() -> None:
    assert fold("I'm scared, they DON’T stop") == "im scared they dont stop"
    assert fold("the lawyer's letter") == "the lawyers letter"
    assert fold("'quoted'") == "quoted"  # not between letters: punctuation, as before


def test_a_malformed_synonyms_section_is_a_clear_error(tmp_path: Path) -> None:
    from bot.engine.faq import load_table
    from bot.errors import FlowError

    phrasings = [f"question {n}" for n in range(8)]
    intent = f"faq:\n  arrest:\n    zh_CN: {phrasings}\n    en: {phrasings}\n"
    good = tmp_path / "good.yaml"
    good.write_text(intent + "synonyms:\n  en:\n    jail: [prison, locked up]\n", encoding="utf-8")
    assert load_table(good).synonyms["en"] == {"jail": ("prison", "locked up")}
    assert load_table(good).synonyms["zh_CN"] == {}
    for broken in ("synonyms: [prison, jail]\n", "synonyms:\n  en: [prison, jail]\n"):
        path = tmp_path / "broken.yaml"
        path.write_text(intent + broken, encoding="utf-8")
        with pytest.raises(FlowError, match="synonyms"):
            load_table(path)
