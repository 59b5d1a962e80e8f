"""Held-out answer cases (loading, checks) and the scoring of one reply."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.evaluate_answers.references import (
    YES,
    CaseError,
    Ref,
    Reply,
    Resolver,
    _first_sentence,
    _fuzzy_in,
)
from bot.kb import KnowledgeBase
from bot.kb.models import LANGUAGES
from bot.language import detect_language
from bot.messages import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = ("right", "honest", "wrong_fact", "wrong_standard", "miss")
CHAT_KINDS = {
    "greet": "utter_greet",
    "thanks": "utter_you_are_welcome",
    "goodbye": "utter_goodbye",
    "bot_identity": "utter_bot_identity",
    "bot_capabilities": "utter_bot_capabilities",
}
# Catalogue messages (bot/messages.yml) that are an honest "I can't answer that" or an offer
# of a person; names that do not exist in the catalogue are skipped.
HONEST_MESSAGES = (
    "rephrase", "out_of_scope", "offer_human_after_failure", "offer_human", "not_understood",
    "kb_lacks", "topic_not_covered", "not_in_knowledge_base", "no_answer", "dont_know",
)  # fmt: skip
HANDOFF_MESSAGES = ("offer_human", "offer_human_after_failure", "handoff_open", "handoff_closed")
HONEST_MARKERS = (
    "kan eg diverre ikkje svare", "kan jeg dessverre ikke svare", "can't answer", "cannot answer",
    "veit eg ikkje", "vet jeg ikke", "don't know", "ikkje sikker pa at eg forstod",
    "ikke sikker pa at jeg forsto", "not sure i understood", "har eg ikkje informasjon",
    "har jeg ikke informasjon", "don't have information", "finn eg ikkje", "finner jeg ikke",
)  # fmt: skip
HANDOFF_MARKERS = (
    "set deg over", "setter deg over", "pass you on", "put you through", "ein person i",
    "en person i", "a person at", "ein tilsett", "en ansatt", "member of staff",
)  # fmt: skip
CHAT_MARKERS = {
    "greet": (r"^(hei|hallo|hello|hi|god (dag|morgon|morgen|kveld))\b",),
    "thanks": (r"berre hyggeleg|bare hyggelig|you're welcome|ingen arsak|vel bekomme",),
    "goodbye": (r"\bha det\b|goodbye|\bbye\b|velkomen tilbake|velkommen tilbake",),
    "bot_identity": (r"chatbot|ikkje eit menneske|ikke et menneske|not a person|\brobot\b",),
    "bot_capabilities": (r"kan hjelpe deg med|can help with|kan svare pa",),
}

# Words only one written standard uses in the bot's own texts (compared unfolded).
_NN_REPLY_WORDS = frozenset(
    """måndag tysdag laurdag sundag ope opnar stengd kontaktar finn nettsida naudnummer
    naudhjelp søkjer søkje følgje dei gjer kjem tenester tenesta tenesteområdet sjølv meir
    noko ikkje eg kva korleis kvar hovudopptaket legevakta postadressa avdelingane tilsette
    opningstid opningstida opningstider innbyggjarservice saksbehandlar berre hyggeleg
    velkomen ein eit resepsjonar""".split()
)
_NB_REPLY_WORDS = frozenset(
    """mandag tirsdag lørdag søndag åpent åpen åpner kontakter finner nettsiden nødnummer
    nødhjelp søker søke følge dem gjør kommer tjenester tjenesten tjenesteområdet selv mer
    noe ikke jeg hva hvordan hvor hovedopptaket legevakten postadressen avdelingene ansatte
    åpningstid åpningstiden åpningstider innbyggerservice saksbehandler bare hyggelig
    velkommen en et resepsjoner""".split()
)


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One held-out case: a message (or a short dialogue) and what its answer must be."""

    id: str
    turns: list[str]
    language: str
    category: str
    expect: dict[str, Any]
    wrong_if: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return next(iter(self.expect))

    @property
    def facts(self) -> list[str]:
        return list(self.expect.get("facts") or [])


def _case(raw: Any, where: str, turns_key: str) -> Case:
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: a case must be a mapping")
    turns = raw.get(turns_key)
    turns = [turns] if isinstance(turns, str) else turns
    missing = [k for k in (turns_key, "language", "category", "expect") if not raw.get(k)]
    if missing or not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        raise CaseError(f"{where}: needs {turns_key}, language, category and expect ({missing})")
    expect = raw["expect"]
    if raw["language"] not in LANGUAGES:
        raise CaseError(f"{where}: language '{raw['language']}' is not one of {LANGUAGES}")
    if not isinstance(expect, dict) or len(expect) != 1:
        raise CaseError(f"{where}: expect needs exactly one of facts, honest, chat, handoff")
    kind, value = next(iter(expect.items()))
    valid = {
        "facts": isinstance(value, list) and bool(value),
        "honest": value is True,
        "handoff": value is True,
        "chat": isinstance(value, str) and value in CHAT_KINDS,
    }
    if not valid.get(kind):
        raise CaseError(f"{where}: bad expect {expect!r} (see docs/answer-evaluation.md)")
    wrong_if = raw.get("wrong_if") or []
    if not isinstance(wrong_if, list):
        raise CaseError(f"{where}: wrong_if must be a list of references")
    return Case(where, list(turns), raw["language"], str(raw["category"]), expect, wrong_if)


def load_cases(path: str | Path) -> list[Case]:
    """Reads every ``*.yml`` case file in ``path`` (or the one file ``path``).

    Raises:
        CaseError: If a file or a case is malformed.
    """
    path = Path(path)
    files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
    if not files:
        raise CaseError(f"no case files (*.yml) in {path}")
    cases: list[Case] = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            raise CaseError(f"{file}: needs a top-level 'cases:' list")
        for i, raw in enumerate(data["cases"]):
            cases.append(_case(raw, f"{file.name}#{i + 1}", "text"))
        for i, raw in enumerate(data.get("dialogues") or []):
            cases.append(_case(raw, f"{file.name}#d{i + 1}", "turns"))
    return cases


def check_references(cases: Iterable[Case], resolver: Resolver) -> list[str]:
    """Problems with the cases' references: unresolvable, or closed_on/open_on the KB denies."""
    problems = []
    for case in cases:
        for text in [*case.facts, *case.wrong_if]:
            try:
                ref = resolver(text)
            except CaseError as error:
                problems.append(f"{case.id}: {error}")
                continue
            if ref.kind == "closed_on" and not ref.closed:
                problems.append(f"{case.id}: '{text}' but the knowledge base says open")
            if ref.kind == "open_on" and ref.closed:
                problems.append(f"{case.id}: '{text}' but the knowledge base says closed")
    return problems


# --------------------------------------------------------------------------- scoring


class Scorer:
    """Scores replies; the honest, handoff and small-talk texts come from the catalogue."""

    def __init__(self, kb: KnowledgeBase, domain: Path = ROOT / "domain.yml") -> None:
        self.resolve = Resolver(kb)
        catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")).get("messages", {})
        self.honest_texts = _prefixes(catalogue, HONEST_MESSAGES)
        self.handoff_texts = _prefixes(catalogue, HANDOFF_MESSAGES)
        self.search = kb.municipality.search_url.split("{", 1)[0].lower()
        responses = _responses(domain)
        self.chat_texts = {
            kind: _prefixes({**catalogue, **responses}, (utter, utter.removeprefix("utter_")))
            for kind, utter in CHAT_KINDS.items()
        }

    def is_honest(self, reply: Reply) -> bool:
        return (
            any(_fuzzy_in(t, reply) for t in self.honest_texts)
            or any(m in reply.norm for m in HONEST_MARKERS)
            or bool(self.search and self.search in reply.raw.lower())
        )

    def is_handoff(self, reply: Reply) -> bool:
        return (
            any("handoff" in p for p in reply.payloads)
            or any(_fuzzy_in(t, reply) for t in self.handoff_texts)
            or any(m in reply.norm for m in HANDOFF_MARKERS)
        )

    def chat_kind(self, reply: Reply) -> str | None:
        for kind, texts in self.chat_texts.items():
            if any(_fuzzy_in(t, reply) for t in texts):
                return kind
        for kind, patterns in CHAT_MARKERS.items():
            if any(re.search(p, reply.norm.strip()) for p in patterns):
                return kind
        return None

    def language_ok(self, case: Case, reply: Reply) -> tuple[bool, str | None]:
        detected = reply_language(reply.raw)
        return detected in (None, case.language), detected

    def score(self, case: Case, reply: Reply) -> tuple[str, str]:
        """Returns (verdict, reason) for ``reply`` to ``case``."""
        if reply.error:
            return "miss", reply.error
        if not reply.texts and not reply.payloads:
            return "miss", "no reply"
        wrong = [t for t in case.wrong_if if self.resolve(t).present(reply)]
        if wrong:
            return "wrong_fact", f"wrong_if present: {wrong}"
        expected = [self.resolve(t) for t in case.facts]
        if not any(r.kind == "emergency" for r in expected):
            numbers = [r.text for r in self.resolve.known_kb_facts() if r.kind == "emergency"]
            if any(self.resolve(n).present(reply) for n in numbers):
                return "wrong_fact", "emergency numbers for a non-emergency"
        ok, detected = self.language_ok(case, reply)
        standard = f"answer in {detected}, expected {case.language}"
        if case.kind == "facts":
            missing = [r.text for r in expected if not r.present(reply)]
            if not missing:
                return ("right", "") if ok else ("wrong_standard", standard)
            bad = self.unexpected_facts(expected, reply)
            if bad:
                return "wrong_fact", bad
            if self.is_honest(reply):
                return (
                    ("honest", f"declined; missing {missing}")
                    if ok
                    else ("wrong_standard", standard)
                )
            return "miss", f"missing {missing}"
        if case.kind == "honest":
            facts = [r.text for r in self.resolve.known_kb_facts() if r.present(reply)]
            if facts:
                return "wrong_fact", f"a fact about something else: {facts}"
            if self.is_honest(reply) or self.is_handoff(reply):
                return ("right", "") if ok else ("wrong_standard", standard)
            return "miss", "not an honest decline"
        if case.kind == "handoff":
            if self.is_handoff(reply):
                return ("right", "") if ok else ("wrong_standard", standard)
            return "miss", "no offer of a person"
        kind = self.chat_kind(reply)
        if kind == case.expect["chat"]:
            return ("right", "") if ok else ("wrong_standard", standard)
        return "miss", f"small talk of kind {kind}, expected {case.expect['chat']}"

    def unexpected_facts(self, expected: list[Ref], reply: Reply) -> str:
        """Why a reply that lacks the expected facts states a wrong one ('' if it does not)."""
        desks = {r.desk for r in expected if r.desk}
        for ref in expected:
            if ref.closed and ref.kind != "weekday" and ref.usually_open and not ref.present(reply):
                if YES.search(reply.norm) or self.resolve(f"hours:{ref.desk}").present(reply):
                    return f"open when closed ({ref.text})"
            if ref.closed and ref.kind == "weekday" and YES.search(reply.norm):
                return f"open when closed ({ref.text})"
            if ref.changed and not ref.present(reply):
                if self.resolve(f"hours:{ref.desk}").present(reply):
                    return f"the usual hours on a day with changed hours ({ref.text})"
        expected_texts = {r.text for r in expected}
        for fact in self.resolve.known_kb_facts():
            if fact.text in expected_texts or not fact.present(reply):
                continue
            if fact.kind == "hours" and desks and fact.desk not in desks:
                return f"another desk's hours ({fact.text})"
            if fact.kind in ("faq", "service", "note") and not desks & {fact.desk}:
                return f"an unrelated answer ({fact.text})"
        return ""


def reply_language(text: str) -> str | None:
    """The written standard of a bot reply: ``bot.language`` plus the bot's own vocabulary.

    The citizen-side detector often cannot place a bot reply ("Slik kontaktar du ..."), so
    words that only one standard uses in the bot's texts (unfolded: måndag/mandag) decide.
    """
    detected = detect_language(text)
    if detected == "en":
        return detected
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    nn = sum(t in _NN_REPLY_WORDS for t in tokens)
    nb = sum(t in _NB_REPLY_WORDS for t in tokens)
    if nn != nb:
        return "nn" if nn > nb else "nb"
    return detected


def _prefixes(texts: dict[str, Any], names: Iterable[str]) -> list[str]:
    """The fixed opening (up to the first placeholder) of every language of named texts."""
    found: list[str] = []
    for name in names:
        value = texts.get(name)
        variants = value.values() if isinstance(value, dict) else value or []
        for variant in variants:
            text = variant.get("text") if isinstance(variant, dict) else variant
            if isinstance(text, str):
                opening = _first_sentence(text.split("{", 1)[0], 60).strip()
                if len(opening) >= 8:
                    found.append(opening)
    return found


def _responses(domain: Path) -> dict[str, Any]:
    if not domain.is_file():
        return {}
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    return dict(data.get("responses") or {})
