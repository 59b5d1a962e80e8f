"""End-to-end answer evaluation on the frozen held-out answer set (issue 7).

``python -m bot.evaluate_answers --url http://127.0.0.1:5005`` sends every case in
``tests/answers/*.yml`` through the REST channel of a running bot and scores each reply
as right, honest, wrong_fact, wrong_standard or miss. The references in the cases
(``hours:manger``, ``closed_on:2026-12-24:knarvik``, ``faq:renovasjon`` ...) are resolved
against the knowledge base; the rules are in ``docs/answer-evaluation.md``.

- :mod:`~bot.evaluate_answers.references`: replies and the reference grammar;
- :mod:`~bot.evaluate_answers.scoring`: case files and the verdict for one reply;
- :mod:`~bot.evaluate_answers.runner`: the REST client, the report and the command line.
"""

from bot.evaluate_answers.references import CaseError, Reply, Resolver
from bot.evaluate_answers.scoring import Case, Scorer, check_references, load_cases

__all__ = ["Case", "CaseError", "Reply", "Resolver", "Scorer", "check_references", "load_cases"]
