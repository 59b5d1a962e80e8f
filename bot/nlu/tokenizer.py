"""spaCy's Norwegian tokenizer with æ/ø/å-folded lemmas for the featurizers."""

from __future__ import annotations

from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language import fold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class NorwegianTokenizer(Tokenizer):
    """Tokenizes with ``spacy.blank("nb")``, which needs no downloaded model.

    Each token's lemma is its lower-cased text with æ, ø and å folded to ae, o and a,
    so the featurizers (``use_lemma: true``) see ``åpent`` and ``apent`` as the same word.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "spacy_language": "nb",
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._nlp = spacy.blank(self._config["spacy_language"])

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
            Token(t.text, t.idx, lemma=fold(t.text))
            for t in self._nlp.tokenizer(text)
            if not t.is_space and not (t.is_punct and len(t.text) == 1 and t.text not in "@&")
        ]
        if not tokens and text.strip():
            tokens = [Token(text, 0, lemma=fold(text))]
        return self._apply_token_pattern(tokens)
