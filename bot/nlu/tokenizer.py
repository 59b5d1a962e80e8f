"""spaCy's Norwegian tokenizer with æ/ø/å-folded lemmas for the featurizers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language import fold

# Rasa's CountVectorsFeaturizer turns every number into one token, ``__NUMBER__``. When
# the only training examples with numbers were the emergency numbers ("113"), that token
# meant "emergency", and any date, phone or case number was answered with 113/110/112.
# So every digit run becomes "0" (which the featurizer then counts as ``__NUMBER__``, a
# token ordinary examples with numbers in data/nlu/numbers.yml spread over many
# intents), and the emergency numbers get a lemma of their own, ``naud_113``, so they
# keep their meaning when asked about.
NUMBER_PLACEHOLDER = "0"
EMERGENCY_PREFIX = "naud_"
DEFAULT_KEEP_NUMBERS: tuple[str, ...] = ("110", "112", "113", "116", "117", "116117")
_DIGITS = re.compile(r"\d+")


def lemma_of(text: str, keep_numbers: Iterable[str] = DEFAULT_KEEP_NUMBERS) -> str:
    """The featurizers' form of a token: folded, with digit runs replaced.

    Args:
        text: The token as typed.
        keep_numbers: Whole tokens that name an emergency number.

    Returns:
        ``naud_113`` for an emergency number, else ``fold(text)`` with every digit run
        as :data:`NUMBER_PLACEHOLDER` (``24.`` -> ``0.``, ``2026/1234`` -> ``0/0``).
    """
    folded = fold(text)
    if folded in keep_numbers:
        return EMERGENCY_PREFIX + folded
    return _DIGITS.sub(NUMBER_PLACEHOLDER, folded)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class NorwegianTokenizer(Tokenizer):
    """Tokenizes with ``spacy.blank("nb")``, which needs no downloaded model.

    Each token's lemma is its lower-cased text with æ, ø and å folded to ae, o and a,
    so the featurizers (``use_lemma: true``) see ``åpent`` and ``apent`` as the same word.
    Digit runs in a lemma become ``0`` (``24.`` -> ``0.``, ``91234567`` -> ``0``), and the
    numbers in ``keep_numbers`` (the emergency numbers) become ``naud_113``, so a number
    carries an intent only when it is an emergency number.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "spacy_language": "nb",
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "keep_numbers": list(DEFAULT_KEEP_NUMBERS),
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._nlp = spacy.blank(self._config["spacy_language"])
        self._keep = frozenset(str(n) for n in self._config["keep_numbers"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NorwegianTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = [
            Token(t.text, t.idx, lemma=lemma_of(t.text, self._keep))
            for t in self._nlp.tokenizer(text)
            if not t.is_space and not (t.is_punct and len(t.text) == 1 and t.text not in "@&")
        ]
        if not tokens and text.strip():
            tokens = [Token(text, 0, lemma=lemma_of(text, self._keep))]
        return self._apply_token_pattern(tokens)
