"""Rasa NLU component: a generic intent never answers a question about another topic.

Runs after the intent classifier and the fallback classifier. First, an emergency answer
needs emergency meaning (bot/nlu/emergency_guard.py): ``ask_emergency`` without it moves to
the next intent or to not-understood. Then two checks, both from data:

1. **An FAQ entry beats a generic intent** (any but a request for a person; an emergency,
   yes, no or the postal address only for a word-for-word match). "når tømmer de
   bospannet" looks like an opening-hours question, and "kan eg maile inn dokumenta" like
   a contact question, but the knowledge base has an FAQ answer for each. When the FAQ
   matches strongly (bot/nlu/faq_match.py, both ways at least
   :data:`FAQ_OVER_INTENT_SCORE`), the intent becomes ``ask_municipal_topic``, whose action
   answers the FAQ.
2. **Another topic's word beats the desk's intents.** "når er biblioteket ope", "kor kan
   eg parkere i knarvik" and "kva kostar pizza på manger" look like questions about
   innbyggjarservice's hours or place; the bot must not give the desks' hours for them.
   Training learns each intent's words; a word of the message that only the examples of
   ``ask_municipal_topic`` or ``out_of_scope`` use (and no answerable intent) moves the
   message to that intent, whose action declines honestly with a search link. A service
   of the knowledge base named without a place ("bestille time tysdag") is ``ask_service``,
   and the phone named without a place ("er sentralbordet ope no") is ``ask_phone``.

The new intent is put first in the ranking with the old confidence; the reason is in the
parse result as ``topic_guard`` (seen in the console's intent column and in tests).
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb import KnowledgeBaseStore, default_store
from bot.language import fold, words
from bot.nlu.emergency_guard import has_emergency_meaning, is_acute_emergency
from bot.nlu.faq_match import FUNCTION_WORDS, function_words, lacking_topics, match_faq
from bot.nlu.word_files import load_word_file

MUNICIPAL_TOPIC = "ask_municipal_topic"
OUT_OF_SCOPE = "out_of_scope"
OTHER_TOPICS = (MUNICIPAL_TOPIC, OUT_OF_SCOPE)
# Intents whose answers are about innbyggjarservice itself (hours, place): a word of
# another topic in the message means the question is about that topic instead.
DESK_INTENTS = frozenset({"ask_opening_hours", "ask_open_now", "ask_location", "inform"})
# Intents an FAQ entry never takes a message from: a request for a person and the intents
# whose actions already try the FAQ.
FAQ_NEVER = frozenset({"request_human", "nlu_fallback", MUNICIPAL_TOPIC})
# An emergency yields only to an FAQ phrasing matched word for word both ways ("det brenn
# i bosspannet" shares one word of two with the FAQ on rubbish collection).
EMERGENCY = "ask_emergency"
# A yes or a no too ("søplebil" looks like "ja", but its topic words are all an FAQ's):
# "ja" and "nei" are function words, so a word-for-word match has topic words of its own.
# The postal address too: "kan eg sende papira på e-post" is the FAQ's question exactly,
# "kor sender eg brev" (a partial match) keeps the address.
WORD_FOR_WORD_ONLY = frozenset({EMERGENCY, "affirm", "deny", "ask_post"})
# The intents whose answer is a decline or a person: an acute emergency there gets the
# emergency answer instead (precision4, issue 7: "mor mi har fått hjarteinfarkt" was not
# understood; "someone is having a stroke" was offered a person, who would not help sooner).
# Not out_of_scope: the classifier was sure the message is about something else entirely.
DECLINES = frozenset({"nlu_fallback", "ask_municipal_topic", "request_human"})
SERVICE_INTENT = "ask_service"
LOCATION_INTENT = "ask_location"
PHONE_INTENT = "ask_phone"
PHONE_WORDS = Path(__file__).resolve().parent / "phone_words.yml"
OTHER_VENUES = Path(__file__).resolve().parent / "other_venues.yml"
NOT_UNDERSTOOD = "nlu_fallback"
# Below this, the next intent in the ranking is no answer for a message moved away from the
# emergency intent: it gets the honest not-understood answer (as the fallback threshold).
NEXT_INTENT_MIN_CONFIDENCE = 0.3
# Both shares of topic words covered (bot/nlu/faq_match.py) at least this much: 100 is
# every word both ways; 80 allows one extra word on one side of a two-or-three-word match.
FAQ_OVER_INTENT_SCORE = 80.0
# Two words are forms of one word when they share this long a start and differ by at
# most ENDING letters after it ("biblioteket"/"biblioteka"); compounds are not forms.
STEM = 5
ENDING = 3
MIN_WORD = 4
VOCABULARY_FILE = "topic_guard_vocabulary.json"


def _forms_of_one_word(a: str, b: str) -> bool:
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= STEM and len(a) - common <= ENDING and len(b) - common <= ENDING


def content_words(text: str) -> list[str]:
    """Folded words that may carry a topic: no function words, no digits, not too short."""
    stop = function_words()
    return [
        w
        for w in words(text)
        if len(w) >= MIN_WORD and w not in stop and not any(c.isdigit() for c in w)
    ]


@lru_cache(maxsize=1)
def not_topic_words() -> frozenset[str]:
    """Words the other topics' examples use that name no topic (function_words.yml)."""
    with FUNCTION_WORDS.open(encoding="utf-8") as handle:
        return frozenset(words(yaml.safe_load(handle)["not_topic_words"]))


@lru_cache(maxsize=1)
def phone_stems() -> tuple[str, ...]:
    """The starts of the words that name the phone (phone_words.yml)."""
    return load_word_file(PHONE_WORDS, lambda data: tuple(str(data["stems"]).split()), "'stems'")


@lru_cache(maxsize=1)
def _other_venues() -> tuple[tuple[str, ...], frozenset[str]]:
    return load_word_file(
        OTHER_VENUES,
        lambda data: (tuple(str(data["stems"]).split()), frozenset(str(data["words"]).split())),
        "'stems' and 'words'",
    )


def other_venue(text: str) -> str | None:
    """The word of ``text`` that names a place that is not the desk ("tannlegen")."""
    stems, whole = _other_venues()
    return next((w for w in words(text) if w in whole or w.startswith(stems)), None)


def names_the_phone(text: str) -> bool:
    """Whether ``text`` names the municipality's phone ("sentralbordet", "telefonen")."""
    return any(w.startswith(phone_stems()) for w in words(text))


def vocabulary(training_data: TrainingData) -> dict[str, list[str]]:
    """Each intent's content words in the training examples.

    Examples with digits (data/nlu/numbers.yml: "eg bur i storgata 12") teach that a
    number means nothing, not a topic, so the other topics learn no words from them.
    """
    found: dict[str, set[str]] = {}
    for example in training_data.intent_examples:
        intent, text = str(example.get(INTENT)), example.get(TEXT) or ""
        ws = set(content_words(text))
        if intent in OTHER_TOPICS:
            if any(c.isdigit() for c in text):
                continue
            ws -= not_topic_words()
        found.setdefault(intent, set()).update(ws)
    return {intent: sorted(ws) for intent, ws in sorted(found.items())}


class TopicVocabulary:
    """Which words only the examples of another topic use."""

    def __init__(self, per_intent: dict[str, list[str]]) -> None:
        self.per_intent = per_intent
        answerable = {w for i, ws in per_intent.items() if i not in OTHER_TOPICS for w in ws}
        self._answerable_by_start = _index(answerable)
        self._other = {
            topic: {w for w in per_intent.get(topic, []) if not self._is_answerable(w, answerable)}
            for topic in OTHER_TOPICS
        }
        self._other_by_start = {topic: _index(ws) for topic, ws in self._other.items()}

    def _is_answerable(self, word: str, answerable: set[str]) -> bool:
        return word in answerable or any(
            _forms_of_one_word(word, w) for w in self._answerable_by_start.get(word[:STEM], ())
        )

    def other_topic(self, text: str) -> tuple[str, list[str]] | None:
        """The other topic (``ask_municipal_topic``/``out_of_scope``) the words of ``text``
        belong to, with those words; None when no word belongs to one only."""
        votes: Counter[str] = Counter()
        seen: dict[str, list[str]] = {}
        for word in content_words(text):
            for topic in OTHER_TOPICS:
                if word in self._other[topic] or any(
                    _forms_of_one_word(word, w)
                    for w in self._other_by_start[topic].get(word[:STEM], ())
                ):
                    votes[topic] += 1
                    seen.setdefault(topic, []).append(word)
        if not votes:
            return None
        topic = max(OTHER_TOPICS, key=lambda t: (votes[t], t == MUNICIPAL_TOPIC))
        return topic, seen[topic]


def _index(vocab: set[str]) -> dict[str, list[str]]:
    by_start: dict[str, list[str]] = {}
    for word in vocab:
        if len(word) >= STEM:
            by_start.setdefault(word[:STEM], []).append(word)
    return by_start


def reroute(message: Message, intent: str, reason: str) -> None:
    """Makes ``intent`` the message's intent (first in the ranking, same confidence)."""
    old = message.get(INTENT) or {}
    confidence = float(old.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    new = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, new, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [new, *ranking], add_to_output=True)
    message.set("topic_guard", reason, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TopicGuard(GraphComponent):
    """Moves a message from a generic intent to the FAQ or to an honest decline (above)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"knowledge_base_dir": None, "faq_over_intent_score": FAQ_OVER_INTENT_SCORE}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        store: KnowledgeBaseStore,
        vocab: TopicVocabulary | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource, self._store = model_storage, resource, store
        self._vocab = vocab or TopicVocabulary({})

    @classmethod
    def _store_from(cls, config: dict[str, Any]) -> KnowledgeBaseStore:
        directory = config.get("knowledge_base_dir")
        return KnowledgeBaseStore(directory) if directory else default_store()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicGuard:
        return cls(config, model_storage, resource, cls._store_from(config))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicGuard:
        try:
            with model_storage.read_from(resource) as directory:
                per_intent = json.loads((directory / VOCABULARY_FILE).read_text("utf-8"))
        except (ValueError, OSError):
            per_intent = {}  # an untrained guard moves nothing to another topic
        return cls(
            config, model_storage, resource, cls._store_from(config), TopicVocabulary(per_intent)
        )

    def train(self, training_data: TrainingData) -> Resource:
        per_intent = vocabulary(training_data)
        self._vocab = TopicVocabulary(per_intent)
        with self._storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(per_intent), "utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.guard(message)
        return messages

    def _names_a_service(self, message: Message) -> bool:
        """Whether a ``service`` entity is named in words other than a word for the desk
        ("skranke" is a synonym of the digital reception, but "kor er skranken" asks where)."""
        generic = tuple(fold(word) for word in self._store.get().generic_words)
        for entity in message.get(ENTITIES) or []:
            if entity.get("entity") != "service":
                continue
            text = message.get(TEXT) or ""
            said = fold(text[int(entity.get("start", 0)) : int(entity.get("end", 0))])
            if not said.startswith(generic):
                return True
        return False

    @staticmethod
    def _away_from_emergency(message: Message) -> str:
        """Moves a message without emergency meaning ("har saksnummer 23/1234, når får jeg
        svar") to the next intent if that is confident enough, else to not-understood."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        following = [r for r in ranking if r.get(INTENT_NAME_KEY) not in (EMERGENCY, None)]
        best = following[0] if following else {}
        confidence = float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        intent = str(best.get(INTENT_NAME_KEY)) if best else NOT_UNDERSTOOD
        if confidence < NEXT_INTENT_MIN_CONFIDENCE:
            intent = NOT_UNDERSTOOD
        reroute(message, intent, f"no emergency meaning: {intent} over {EMERGENCY}")
        return intent

    def guard(self, message: Message) -> None:
        """Moves one parsed message to another intent if one of the two checks says so."""
        intent = str((message.get(INTENT) or {}).get(INTENT_NAME_KEY))
        text = message.get(TEXT) or ""
        if intent == EMERGENCY and not has_emergency_meaning(text):
            intent = self._away_from_emergency(message)
        elif intent in DECLINES and is_acute_emergency(text):
            match = match_faq(text, self._store.get())
            if match is None or match.score < 100.0:
                reroute(message, EMERGENCY, f"acute emergency: {EMERGENCY} over {intent}")
                return
        entities = [str(e.get("entity")) for e in message.get(ENTITIES) or []]
        places = "location" in entities
        if intent not in FAQ_NEVER:
            # A named place is a topic word the FAQ phrasing lacks, so "kor er kontoret på
            # manger" stays a "where" question; "tømming av bosspann på manger" does not.
            match = match_faq(text, self._store.get())
            strict = intent in WORD_FOR_WORD_ONLY
            needed = 100.0 if strict else self._config["faq_over_intent_score"]
            if match is not None and match.score >= needed:
                reroute(message, MUNICIPAL_TOPIC, f"faq:{match.entry.id} over {intent}")
                return
        if intent in DESK_INTENTS and "service" in entities and not places:
            # "kan jeg bestille time tirsdag": a service the knowledge base explains,
            # named without a desk, is a question about the service, not the hours.
            reroute(message, SERVICE_INTENT, f"service named: {SERVICE_INTENT} over {intent}")
            return
        if intent == LOCATION_INTENT and self._names_a_service(message):
            # "hvordan registrerer jeg meg når jeg kommer til rådhuset": how to use a
            # service at a place is a question about the service (standard3, issue 7).
            reroute(message, SERVICE_INTENT, f"service named: {SERVICE_INTENT} over {intent}")
            return
        if intent in DESK_INTENTS and not places and names_the_phone(text):
            # "er sentralbordet ope no": the phone's hours, not the desks'.
            reroute(message, PHONE_INTENT, f"phone named: {PHONE_INTENT} over {intent}")
            return
        venue = other_venue(text) if intent in DESK_INTENTS else None
        if venue is not None:
            # "når har tannlegen på frekhaug ope": another place's hours (precision4).
            reroute(message, MUNICIPAL_TOPIC, f"{venue}: {MUNICIPAL_TOPIC} over {intent}")
            return
        if intent in DESK_INTENTS and lacking_topics(text):
            # "når blir septiktanken tømd": a topic the knowledge base lacks (precision4).
            reroute(message, MUNICIPAL_TOPIC, f"lacking topic: {MUNICIPAL_TOPIC} over {intent}")
            return
        if intent in DESK_INTENTS:
            other = self._vocab.other_topic(text)
            if other is not None:
                topic, found = other
                reroute(message, topic, f"{' '.join(found)}: {topic} over {intent}")
