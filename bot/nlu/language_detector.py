"""Detects the written standard of a message and exposes it as the ``language`` entity."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import LANGUAGE_ENTITY, LANGUAGES, WEAK, detect, warm_up


def _hint(message: Message) -> str | None:
    """The language a channel passed in the message metadata, if valid."""
    metadata = message.get("metadata")
    hint = metadata.get("language") if isinstance(metadata, dict) else None
    return hint if hint in LANGUAGES else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds a ``language`` entity (``nn``, ``nb`` or ``en``) when the message shows one.

    The domain maps it to the ``language`` slot, so a message without a clear signal
    ("ja", "hei") keeps the conversation's language; the slot starts empty (Nynorsk).
    A channel may pass the conversation's language as ``metadata["language"]`` (the web
    widget sends the page's language, then the detected one): it is used when the
    message itself gives no clear signal, so "hei" on a Bokmål page is answered in Bokmål.
    A weak signal ("søppel") without a hint becomes a ``language`` entity with the role
    ``weak``, which does not fill the slot: it decides only for a conversation that has
    no standard yet (see bot.language.answer_language).
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        warm_up()  # loads lingua's models now, not on the first citizen's message
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            detected, clear = detect(text)
            hint = _hint(message)
            language = detected if clear else hint or detected
            if language is None:
                continue
            entity: dict[str, Any] = {
                "entity": LANGUAGE_ENTITY,
                "value": language,
                "start": 0,
                "end": len(text),
                "confidence_entity": 1.0,
            }
            if not clear and hint is None:
                entity["role"] = WEAK
            entities = self.add_extractor_name([entity])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
