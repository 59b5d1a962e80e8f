"""The bench's conversations: a realistic mix of Nynorsk and Bokmål questions.

Written for the bench (not taken from ``tests/nlu`` or the held-out answer set). No
message asks for a person, so every conversation stays with the bot and the bench
measures the bot's own path.
"""

from __future__ import annotations

import itertools
import random

__all__ = ["GREETINGS", "QUESTIONS", "STOCK_MESSAGES", "conversation"]

GREETINGS = ("Hei", "God dag", "Hallo", "Heisann")

QUESTIONS = (
    # Nynorsk
    "Når er rådhuset ope?",
    "Kva er telefonnummeret til kommunen?",
    "Kor ligg servicetorget?",
    "Er de opne no?",
    "Korleis søkjer eg om barnehageplass?",
    "Når blir bosset henta hos meg?",
    "Kva kostar eigedomsskatten?",
    "Kven kan eg kontakte om byggjesøknad?",
    "Kva er postadressa til Alver kommune?",
    "Korleis melder eg flytting?",
    "Eg treng hjelp med søknad om heimeteneste",
    "Når er biblioteket ope i helga?",
    "Takk for hjelpa",
    # Bokmål
    "Når åpner rådhuset i morgen?",
    "Hva er telefonnummeret til servicetorget?",
    "Hvor finner jeg kommunens kontor?",
    "Hvordan søker jeg om byggetillatelse?",
    "Hvem svarer på spørsmål om vann og avløp?",
    "Hva er åpningstidene til innbyggerservice?",
    "Hvordan klager jeg på eiendomsskatten?",
    "Jeg lurer på hvordan jeg søker skolefritidsordning",
    "Hvor sender jeg post til kommunen?",
    "Er dere åpne på lørdag?",
    "Tusen takk",
)

STOCK_MESSAGES = (
    "hello",
    "I am sad",
    "no",
    "yes",
    "are you a bot?",
    "great",
    "goodbye",
    "hi there",
    "very good",
    "not really",
)


def conversation(length: int, seed: int, questions: tuple[str, ...] = QUESTIONS) -> list[str]:
    """A conversation of ``length`` messages: a greeting, then questions in a seeded order.

    Args:
        length: Number of messages (at least 1).
        seed: Makes the order repeatable per conversation.
        questions: The pool of questions (the stock bot has its own).

    Returns:
        The citizen's messages, in order.
    """
    if length < 1:
        raise ValueError(f"A conversation needs at least 1 message, not {length}.")
    rng = random.Random(seed)
    pool = list(questions)
    rng.shuffle(pool)
    first = rng.choice(GREETINGS) if questions is QUESTIONS else pool[0]
    return [first, *itertools.islice(itertools.cycle(pool), length - 1)]
