"""Rasa NLU component: places, services, weekdays and time words from the knowledge base."""

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

from bot.entities import SERVICE, Match, extract
from bot.kb import KnowledgeBaseStore, default_store
from bot.nlu.service_words import extra_service_matches


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class KnowledgeBaseEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts ``location``, ``service``, ``weekday`` and ``time_ref`` entities.

    Names and synonyms are read from the knowledge base at prediction time (it
    reloads itself when an editor saves a file), so no retraining is needed when
    a place or a service is added. Matching is typo-tolerant (rapidfuzz).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"knowledge_base_dir": None, "fuzzy_cutoff": 80.0}

    def __init__(self, config: dict[str, Any], store: KnowledgeBaseStore) -> None:
        self._config = {**self.get_default_config(), **config}
        self._store = store

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnowledgeBaseEntityExtractor:
        directory = config.get("knowledge_base_dir")
        store = KnowledgeBaseStore(directory) if directory else default_store()
        return cls(config, store)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        kb = self._store.get()
        for message in messages:
            text = message.get(TEXT) or ""
            matches: list[Match] = extract(text, kb, self._config["fuzzy_cutoff"])
            if not any(m.entity == SERVICE for m in matches):
                matches += extra_service_matches(text, {s.id for s in kb.services})
            entities = self.add_extractor_name(
                [
                    {
                        "entity": m.entity,
                        "value": m.value,
                        "start": m.start,
                        "end": m.end,
                        "confidence_entity": round(m.score / 100, 3),
                    }
                    for m in matches
                ]
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
