"""Rasa's FallbackClassifier with a threshold that can be set at start-up.

``NLU_FALLBACK_THRESHOLD`` (a number from 0 to 1), when set, replaces the ``threshold``
in config.yml without retraining: the answer-evaluation threshold sweep
(``bot/evaluate_answers/threshold.py``) starts the bot once with 0 (never fall back on
low confidence) and once with 1 (always fall back) and re-decides every threshold from
the intent confidences. Unset in production, so config.yml's value applies.
"""

from __future__ import annotations

import os
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import THRESHOLD_KEY, FallbackClassifier
from rasa.shared.nlu.constants import INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

THRESHOLD_ENV = "NLU_FALLBACK_THRESHOLD"


def threshold_override(environ: dict[str, str] | None = None) -> float | None:
    """The threshold from ``NLU_FALLBACK_THRESHOLD``, or None when it is not set.

    Raises:
        ValueError: If the variable is set but is not a number from 0 to 1.
    """
    raw = (os.environ if environ is None else environ).get(THRESHOLD_ENV, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{THRESHOLD_ENV}={raw!r} is not a number; set a value from 0 to 1 or unset it"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{THRESHOLD_ENV}={raw!r} is outside 0..1; set a value from 0 to 1")
    return value


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TunableFallbackClassifier(FallbackClassifier):
    """The fallback classifier; ``NLU_FALLBACK_THRESHOLD`` overrides its threshold.

    ``interchangeable`` (config.yml) lists intents whose answers give the same facts
    (the desks' opening hours and places): two of them close together at the top is not
    an ambiguity worth a "did not understand" ("when does the office in knarvik close":
    ask_location 0.48, ask_opening_hours 0.44).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), "interchangeable": []}

    def __init__(self, config: dict[str, Any]) -> None:
        override = threshold_override()
        super().__init__(config if override is None else {**config, THRESHOLD_KEY: override})
        self._interchangeable = frozenset(config.get("interchangeable") or [])

    def _nlu_prediction_ambiguous(self, message: Message) -> tuple[bool, float | None]:
        ranking = message.data.get(INTENT_RANKING_KEY, [])
        top = {str(r.get(INTENT_NAME_KEY)) for r in ranking[:2]}
        if len(ranking) >= 2 and top <= self._interchangeable:
            return False, None
        ambiguous, delta = super()._nlu_prediction_ambiguous(message)
        return ambiguous, delta

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TunableFallbackClassifier:
        return cls(config)
