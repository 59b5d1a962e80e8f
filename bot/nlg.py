"""Renders the domain's responses (``utter_*``) from the one text catalogue.

Configured in endpoints.yml::

    nlg:
      type: bot.nlg.CatalogueNLG

``utter_greet`` is the catalogue's message ``greet`` (or ``utter_greet``), in the
written standard of the message being answered (its ``language`` entity, else the
conversation's ``language`` slot; see bot.language.answer_language), with the
knowledge-base placeholders ({municipality}, {desks}, {services}, ...) filled from the
live knowledge base. domain.yml only declares the response names. Buttons a response
has in domain.yml are kept; a button title that
names a catalogue message is rendered in the same language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.kb import KnowledgeBase, default_store
from bot.language import answer_language
from bot.messages import message_names, render

logger = logging.getLogger(__name__)

__all__ = ["CatalogueNLG", "catalogue_name"]


def catalogue_name(utter_action: str) -> str | None:
    """The catalogue message for a response: ``utter_greet`` -> ``greet``, if it exists."""
    names = set(message_names())
    for name in (utter_action.removeprefix("utter_"), utter_action):
        if name in names:
            return name
    return None


def _live_knowledge_base() -> KnowledgeBase:
    return default_store().get()


class CatalogueNLG(NaturalLanguageGenerator):
    """A Rasa NLG that takes the texts of ``utter_*`` responses from bot/messages.yml.

    Args:
        endpoint_config: The ``nlg`` section of endpoints.yml (unused).
        domain: The assistant's domain (for the response names and their buttons).
        knowledge_base: Returns the knowledge base for the placeholders (tests pass
            the fixture's).
    """

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        domain: Domain | None = None,
        knowledge_base: Callable[[], KnowledgeBase] = _live_knowledge_base,
    ) -> None:
        self.domain = domain
        self.knowledge_base = knowledge_base
        self._templated = TemplatedNaturalLanguageGenerator(domain.responses if domain else {})

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """The response ``utter_action`` in the tracker's language, or None if unknown."""
        name = catalogue_name(utter_action)
        if name is None:
            logger.warning(
                "Response '%s' has no text in bot/messages.yml; add '%s' there.",
                utter_action,
                utter_action.removeprefix("utter_"),
            )
            return await self._templated.generate(utter_action, tracker, output_channel, **kwargs)
        language = answer_language(
            tracker.latest_message.entities if tracker.latest_message else [],
            tracker.get_slot("language"),
            [e.entities for e in reversed(tracker.events) if isinstance(e, UserUttered)],
        )
        kb = self.knowledge_base()
        response: dict[str, Any] = {"text": render(name, language, kb=kb)}
        buttons = self._domain_buttons(utter_action)
        if buttons:
            response["buttons"] = [self._button(b, language, kb) for b in buttons]
        custom = self._domain_custom(utter_action)  # insight: e.g. {"rating_request": true}
        if custom:
            response["custom"] = custom
        return response

    def _domain_custom(self, utter_action: str) -> dict[str, Any]:
        """The response's ``custom`` payload in domain.yml (insight: the rating request)."""
        if self.domain is None:
            return {}
        variations = self.domain.responses.get(utter_action) or []
        custom = variations[0].get("custom") if variations else None
        return dict(custom) if isinstance(custom, dict) else {}

    def _domain_buttons(self, utter_action: str) -> list[dict[str, Any]]:
        if self.domain is None:
            return []
        variations = self.domain.responses.get(utter_action) or []
        return list(variations[0].get("buttons") or []) if variations else []

    @staticmethod
    def _button(button: dict[str, Any], language: str, kb: KnowledgeBase) -> dict[str, Any]:
        title = str(button.get("title", ""))
        if title in message_names():
            title = render(title, language, kb=kb)
        return {**button, "title": title}
