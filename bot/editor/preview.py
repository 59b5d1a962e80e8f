"""Preview: the bot's answers to test questions with an UNSAVED change, in nn and nb.

How: the change (the same :class:`bot.editor.plans.Plan` a save would apply) is applied to
a copy of the knowledge base in a temporary folder and validated like a save. Each test
question is parsed by the running Rasa agent (``request.app.ctx.agent``: intent and
entities, exactly as a citizen's message); the intent is mapped to its action by the
one-step rules in ``data/rules/`` (``ask_opening_hours`` -> ``action_opening_hours``),
and that action's own code (``actions/``) runs with the copied knowledge base injected,
once with Nynorsk and once with Bokmål as the written standard. Without an agent (a unit
test), or for a question no rule covers, the bot's fallback runs: FAQ matching first,
as for a citizen. Responses (``utter_*``) are rendered from the text catalogue.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.editor.plans import Plan
from bot.kb.changelog import MemoryChangeLog
from bot.kb.loader import FILES, load_knowledge_base
from bot.kb.models import KnowledgeBase
from bot.kb.writer import InvalidChange, save
from bot.messages import MessageError, render

__all__ = ["ACTION_MODULES", "answer", "changed_knowledge_base", "rule_actions"]

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "data" / "rules"
ACTION_MODULES = (
    "actions.opening_hours",
    "actions.contact",
    "actions.services",
    "actions.location",
    "actions.fallback",
)
FALLBACK_ACTION = "action_not_understood"
LANGUAGES = ("nn", "nb")


def changed_knowledge_base(directory: Path, plan: Plan | None) -> KnowledgeBase:
    """The knowledge base as it would be with ``plan`` saved (nothing is written).

    Raises:
        InvalidChange: The change would make the knowledge base invalid.
    """
    with tempfile.TemporaryDirectory(prefix="kb-preview-") as temporary:
        folder = Path(temporary)
        for name in FILES:
            if (directory / name).is_file():
                shutil.copyfile(directory / name, folder / name)
        if plan is not None:
            try:
                save(
                    folder,
                    plan.file,
                    plan.mutate,
                    account="preview",
                    entry=plan.entry,
                    summary=plan.summary,
                    log=MemoryChangeLog(),
                )
            except InvalidChange as error:
                if not all("nothing changed" in p for p in error.problems):
                    raise
        return load_knowledge_base(folder)


@lru_cache(maxsize=1)
def rule_actions() -> dict[str, str]:
    """Intent -> action of the rules that answer an intent directly (no condition)."""
    mapping: dict[str, str] = {"nlu_fallback": FALLBACK_ACTION}
    for path in sorted(RULES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules") or []:
            steps = rule.get("steps") or []
            if rule.get("condition") or len(steps) < 2:
                continue
            intent, action = steps[0].get("intent"), steps[1].get("action")
            if intent and action and intent not in mapping:
                mapping[intent] = action
    return mapping


def _action_classes() -> dict[str, type[Action]]:
    from actions.common import KnowledgeBaseAction  # the action server's own code

    for module in ACTION_MODULES:
        importlib.import_module(module)
    found: dict[str, type[Action]] = {}
    pending: list[type[Any]] = [KnowledgeBaseAction]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not getattr(cls, "__abstractmethods__", None):
            found[object.__new__(cls).name()] = cls
    return found


def _tracker(parse: dict[str, Any], language: str) -> Tracker:
    entities = [e for e in parse.get("entities") or [] if e.get("entity") != "language"]
    entities.append({"entity": "language", "value": language})
    message = {**parse, "entities": entities}
    slots = {"language": language, "pending_question": "nothing", "missed_before": False}
    return Tracker("editor-preview", slots, message, [], False, None, {}, None)


def _texts(dispatcher: CollectingDispatcher, language: str) -> list[str]:
    texts = []
    for message in dispatcher.messages:
        if message.get("text"):
            texts.append(str(message["text"]))
        elif message.get("response"):
            texts.append(_response(str(message["response"]), language))
    return texts


def _response(name: str, language: str) -> str:
    for candidate in (name.removeprefix("utter_"), name):
        try:
            return render(candidate, language)
        except MessageError:
            continue
    return f"({name})"


async def answer(question: str, parse: dict[str, Any] | None, kb: KnowledgeBase) -> dict[str, Any]:
    """The bot's answers to ``question`` in nn and nb with ``kb``.

    Args:
        question: The test question.
        parse: Rasa's parse of it (intent, entities), or None without an agent.
        kb: The knowledge base with the unsaved change.
    """
    parse = parse or {"text": question, "intent": {"name": "nlu_fallback"}, "entities": []}
    parse.setdefault("text", question)
    intent = str((parse.get("intent") or {}).get("name") or "nlu_fallback")
    name = rule_actions().get(intent, FALLBACK_ACTION)
    classes = _action_classes()
    result: dict[str, Any] = {"question": question, "intent": intent, "action": name}
    for language in LANGUAGES:
        if name.startswith("utter_"):
            result[language] = [_response(name, language)]
            continue
        cls = classes.get(name) or classes[FALLBACK_ACTION]
        action = cls(knowledge_base=lambda: kb)
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, _tracker(parse, language), {})
        result[language] = _texts(dispatcher, language)
    return result
