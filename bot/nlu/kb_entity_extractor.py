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
from bot.kb.models import KnowledgeBase
from bot.language import fold
from bot.nlu.faq_match import lacking_topics
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
            matches = [m for m in matches if m.entity != SERVICE or _trusted(m, text, kb)]
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


# A fuzzy service match on a word that is only the tail of a compound synonym
# ("tillatelse" in "byggetillatelse") is another topic: the compound's first part is missing.
TAIL_MARGIN = 3


def _trusted(match: Match, text: str, kb: KnowledgeBase) -> bool:
    """Whether a ``service`` match names that service (precision4, issue 7).

    Not when the message names a topic the knowledge base lacks that the service's words do
    not ("løyve til å selje alkohol"), nor when a fuzzy match is only a compound synonym's
    tail ("tillatelse" is not "byggetillatelse").
    """
    service = next((s for s in kb.services if s.id == match.value), None)
    synonyms = [fold(w) for w in (service.synonyms if service else [])]
    lacking = lacking_topics(text)
    if lacking and not all(any(stem in s for s in synonyms) for stem in lacking):
        return False
    said = fold(match.text)
    if match.score < 100.0 and any(
        s.endswith(said) and len(s) > len(said) + TAIL_MARGIN for s in synonyms
    ):
        return False
    return True
