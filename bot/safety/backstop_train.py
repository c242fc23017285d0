"""Train the soft-tier backstop on a tuning set: `python -m bot.safety.backstop_train [TUNE] [OUT]`.

One model per label of SOFT_RATES, that label against all the others. Each threshold is set from
out-of-fold scores, not from the training fit: the lowest logit at which no more than the label's
rate of the calm messages the patterns leave alone would get its soft signal, per script; for the
labels of SCREEN_RATES, a second, higher threshold at which that (smaller) rate would get its screen.
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from bot.config import content_dir
from bot.safety.backstop import WordClasses, features, fingerprint, script
from bot.safety.detector import Detector
from bot.safety.evaluate import CALM, read_set
from bot.yamlfile import load_yaml

# the share of calm messages that may get the soft signal: a question (crisis), a 110 line (danger)
SOFT_RATES = {"crisis": 0.03, "danger": 0.02}
# the share of those calm messages that may get the danger screen from the model alone, and the
# least distance (in logits) between asking and screening
SCREEN_RATES = {"danger": 0.002}
MIN_SCREEN_MARGIN = 1.0
MIN_DOCUMENT_FREQUENCY = 2  # a feature seen once is noise, and would only grow the file
# the models that also read English word classes (dialogs/safety/word_classes.yaml): the crisis
# one, whose English examples are few and whose wordings vary most
CLASS_LABELS = frozenset({"crisis"})


def word_classes(path: Path) -> WordClasses:
    """word -> its classes, from the `classes:` lists of the YAML file."""
    raw = (load_yaml(path) or {}).get("classes") or {}
    classes: dict[str, list[str]] = {}
    for kind, words in raw.items():
        if kind != "__line__":
            for word in words:
                classes.setdefault(str(word).lower(), []).append(str(kind))
    return {word: tuple(kinds) for word, kinds in sorted(classes.items())}


def train(tune: Path, out: Path) -> str:
    detector = Detector.load(backstop=False)  # the patterns alone: the model is trained around them
    rows = list(read_set(tune))
    classes = word_classes(content_dir("dialogs") / "safety" / "word_classes.yaml")
    models: dict[str, Any] = {}
    lines = []
    for label, rate in SOFT_RATES.items():
        if any(row[0] == label for row in rows):
            label_classes = classes if label in CLASS_LABELS else None
            models[label], summary = _train_label(detector, rows, label, rate, label_classes)
            lines.append(summary)
    data = {"trained_on": fingerprint(rows), "models": models, "classes": classes}
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    return "\n".join(lines)


def _train_label(
    detector: Detector,
    rows: list[tuple[str, str, str]],
    target: str,
    rate: float,
    classes: WordClasses | None,
) -> tuple[dict[str, Any], str]:
    # imported here: scikit-learn is a training-time tool, the bot only reads the weights
    import numpy
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.preprocessing import normalize

    folded = [detector.for_backstop(detector.normalise(message), target) for _, _, message in rows]
    labels = numpy.array([label == target for label, _, _ in rows])
    analyzer = partial(features, classes=classes)
    vectoriser = CountVectorizer(analyzer=analyzer, binary=True, min_df=MIN_DOCUMENT_FREQUENCY)
    matrix = normalize(vectoriser.fit_transform(folded))
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    logits = cross_val_predict(model, matrix, labels, cv=5, method="decision_function")
    left_alone = [not detector.scan_patterns(message) for _, _, message in rows]
    thresholds: dict[str, float] = {}
    screens: dict[str, float] = {}
    for name in ("zh", "en"):
        calm = sorted(
            (
                float(logits[i])
                for i, row in enumerate(rows)
                if row[0] == CALM and script(folded[i]) == name and left_alone[i]
            ),
            reverse=True,
        )
        allowed = int(len(calm) * rate)
        # never below an even chance (logit 0): the signal is for what reads like the label
        thresholds[name] = round(max(calm[allowed] if allowed < len(calm) else 0.0, 0.0) + 1e-3, 4)
        if target in SCREEN_RATES:
            rare = int(len(calm) * SCREEN_RATES[target])
            floor = thresholds[name] + MIN_SCREEN_MARGIN
            screens[name] = round(max(calm[rare] + 1e-3 if rare < len(calm) else floor, floor), 4)
    model.fit(matrix, labels)
    names = vectoriser.get_feature_names_out()
    weights = {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0], strict=True)}
    result = {"bias": round(float(model.intercept_[0]), 5), "thresholds": thresholds, "weights": weights}
    if screens:
        result["screens"] = screens
    if classes is not None:
        result["reads_classes"] = True
    counts = []
    for name in ("zh", "en"):
        for label in (target, CALM):
            scores = [
                float(logits[i])
                for i, row in enumerate(rows)
                if row[0] == label and script(folded[i]) == name
            ]
            counts.append(f"{label} {name} {sum(s >= thresholds[name] for s in scores)}/{len(scores)}")
            if name in screens:
                counts.append(f"screened {sum(s >= screens[name] for s in scores)}")
    summary = (
        f"{target}: {len(names)} features, thresholds {thresholds}, screens {screens};"
        f" out of fold: {', '.join(counts)}"
    )
    return result, summary


def main(argv: list[str]) -> int:
    tune = Path(argv[0]) if argv else Path("tests/safety/tune")
    out = Path(argv[1]) if len(argv) > 1 else content_dir("dialogs") / "safety" / "backstop.json"
    print(train(tune, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
