"""Train the crisis backstop on a tuning set: `python -m bot.safety.backstop_train [TUNE] [OUT]`.

Crisis messages against all the others (calm, danger, scam_victim). The threshold is set from
out-of-fold scores, not from the training fit: the lowest logit at which no more than
CALM_QUESTION_RATE of the calm messages the patterns leave alone would get the question.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.config import content_dir
from bot.safety.backstop import features, fingerprint, script
from bot.safety.detector import Detector
from bot.safety.evaluate import CALM, read_set

CALM_QUESTION_RATE = 0.03  # per script
MIN_DOCUMENT_FREQUENCY = 2  # a feature seen once is noise, and would only grow the file


def train(tune: Path, out: Path) -> str:
    # imported here: scikit-learn is a training-time tool, the bot only reads the weights
    import numpy
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.preprocessing import normalize

    detector = Detector.load(backstop=False)  # the patterns alone: the model is trained around them
    rows = list(read_set(tune))
    folded = [detector.for_backstop(detector.normalise(message)) for _, _, message in rows]
    labels = numpy.array([label == "crisis" for label, _, _ in rows])
    vectoriser = CountVectorizer(analyzer=features, binary=True, min_df=MIN_DOCUMENT_FREQUENCY)
    matrix = normalize(vectoriser.fit_transform(folded))
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    logits = cross_val_predict(model, matrix, labels, cv=5, method="decision_function")
    # the calm messages the question would reach: those the patterns leave alone
    thresholds = {}
    for name in ("zh", "en"):
        calm = sorted((float(logits[i]) for i, (label, _, message) in enumerate(rows)
                       if label == CALM and script(folded[i]) == name
                       and not detector.scan_patterns(message)), reverse=True)  # fmt: skip
        allowed = int(len(calm) * CALM_QUESTION_RATE)
        # never below an even chance (logit 0): the question is for what reads like a crisis
        thresholds[name] = round(max(calm[allowed] if allowed < len(calm) else 0.0, 0.0) + 1e-3, 4)
    model.fit(matrix, labels)
    names = vectoriser.get_feature_names_out()
    data = {
        "trained_on": fingerprint(rows),
        "bias": round(float(model.intercept_[0]), 5),
        "thresholds": thresholds,
        "weights": {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0], strict=True)},
    }
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
                   encoding="utf-8")  # fmt: skip
    lines = [f"{len(names)} features, thresholds {thresholds}; out of fold, asked:"]
    for name in ("zh", "en"):
        for label in ("crisis", CALM):
            scores = [float(logits[i]) for i, row in enumerate(rows)
                      if row[0] == label and script(folded[i]) == name]  # fmt: skip
            asked = sum(score >= thresholds[name] for score in scores)
            lines.append(f"  {label} {name}: {asked}/{len(scores)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    tune = Path(argv[0]) if argv else Path("tests/safety/tune")
    out = Path(argv[1]) if len(argv) > 1 else content_dir("dialogs") / "safety" / "backstop.json"
    print(train(tune, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
