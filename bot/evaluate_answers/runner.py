"""Runs the held-out answer cases against a running bot and writes the report.

``python -m bot.evaluate_answers --url http://127.0.0.1:5005 --cases tests/answers
--kb tests/fixtures/knowledge_base --out results/answers.json``
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.evaluate_answers.references import CaseError, Reply
from bot.evaluate_answers.scoring import (
    VERDICTS,
    Case,
    Scorer,
    check_references,
    load_cases,
    reply_language,
)
from bot.kb import load_knowledge_base


class ServerError(RuntimeError):
    """The bot does not answer at the given URL."""


# --------------------------------------------------------------------------- running


def _post(url: str, sender: str, message: str, timeout: float) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer = json.loads(response.read().decode() or "[]")
    return answer if isinstance(answer, list) else []


def check_server(url: str, timeout: float = 10.0) -> None:
    """Raises ServerError unless a bot with the REST channel answers at ``url``."""
    try:
        _post(url, f"heldout-check-{uuid.uuid4().hex}", "/greet", timeout)
    except urllib.error.HTTPError as error:
        raise ServerError(
            f"{url} answered HTTP {error.code} on /webhooks/rest/webhook: is the REST channel "
            "enabled in credentials.yml (`rest:`)?"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        raise ServerError(
            f"No bot answers at {url} ({error}). Start it with `make run` (the action server "
            "must read the same knowledge base as --kb: KNOWLEDGE_BASE_DIR) and pass its --url."
        ) from None


def ask(url: str, case: Case, timeout: float) -> Reply:
    """Sends the case's turns with one fresh sender id; returns the last turn's reply."""
    sender = f"heldout-{uuid.uuid4().hex}"
    messages: list[dict[str, Any]] = []
    try:
        for turn in case.turns:
            messages = _post(url, sender, turn, timeout)
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as error:
        return Reply([], error=f"request failed: {error}")
    texts = [str(m["text"]) for m in messages if m.get("text")]
    payloads = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    return Reply(texts, payloads)


def _rows(results: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        groups[result[key]][result["verdict"]] += 1
    return {name: _summary(counts) for name, counts in sorted(groups.items())}


def _summary(counts: Counter[str]) -> dict[str, Any]:
    total = sum(counts.values())
    row: dict[str, Any] = {"cases": total, **{v: counts[v] for v in VERDICTS}}
    row["right_or_honest_pct"] = round(100 * (counts["right"] + counts["honest"]) / total, 1)
    return row


def stored_replies(report: str) -> dict[str, Reply]:
    """The replies of an earlier report, by case id (to re-score after a scorer fix)."""
    try:
        results = json.loads(Path(report).read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError) as error:
        raise CaseError(f"cannot read replies from {report}: {error}") from None
    return {r["id"]: Reply(r["reply"], r.get("payloads") or []) for r in results}


def evaluate(
    url: str, cases_path: str, kb_dir: str, timeout: float = 30.0, replies: str | None = None
) -> dict[str, Any]:
    """Runs every case against the bot at ``url`` (or re-scores ``replies``) and reports."""
    kb = load_knowledge_base(kb_dir)
    cases = load_cases(cases_path)
    scorer = Scorer(kb)
    problems = check_references(cases, scorer.resolve)
    if problems:
        raise CaseError("unresolvable references:\n  " + "\n  ".join(problems))
    stored = stored_replies(replies) if replies else None
    if stored is None:
        check_server(url)
    results = []
    for case in cases:
        if stored is None:
            reply = ask(url, case, timeout)
        else:
            reply = stored.get(case.id) or Reply([], error="no stored reply")
        verdict, reason = scorer.score(case, reply)
        results.append(
            {**asdict(case), "verdict": verdict, "reason": reason, "reply": reply.texts,
             "payloads": reply.payloads, "file": case.id.split("#")[0],
             "detected": reply_language(reply.raw)}
        )  # fmt: skip
    totals = Counter(r["verdict"] for r in results)
    return {
        "url": replies or url,
        "cases_path": cases_path,
        "knowledge_base": kb_dir,
        "total": _summary(totals),
        "per_language": _rows(results, "language"),
        "per_category": _rows(results, "category"),
        "per_file": _rows(results, "file"),
        "results": results,
    }


def _print(report: dict[str, Any]) -> None:
    header = (
        f"{'':<14}{'cases':>6}{'right':>6}{'honest':>7}{'wrong':>6}{'std':>5}{'miss':>6}  r|h %"
    )
    for title, rows in (
        ("total", {"all": report["total"]}),
        ("per language", report["per_language"]),
        ("per category", report["per_category"]),
    ):
        print(f"\n{title}\n{header}")
        for name, r in rows.items():
            print(
                f"{name:<14}{r['cases']:>6}{r['right']:>6}{r['honest']:>7}{r['wrong_fact']:>6}"
                f"{r['wrong_standard']:>5}{r['miss']:>6}  {r['right_or_honest_pct']:5.1f}"
            )
    print("\nfailures (verdict, id, language, text -> reason | reply)")
    for r in report["results"]:
        if r["verdict"] not in ("right", "honest"):
            reply = " / ".join(r["reply"]).replace("\n", " ")[:160]
            print(f"  {r['verdict']:<14} {r['id']:<28} {r['language']} {' | '.join(r['turns'])}")
            print(f"      {r['reason']} | {reply}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="the Rasa server")
    parser.add_argument("--cases", default="tests/answers", help="case file or folder")
    parser.add_argument("--kb", default="tests/fixtures/knowledge_base")
    parser.add_argument("--out", default="results/answers.json")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--replies", help="re-score the replies stored in an earlier report")
    parser.add_argument("--quiet", action="store_true", help="totals only, no failure list")
    args = parser.parse_args(argv)
    try:
        report = evaluate(args.url, args.cases, args.kb, args.timeout, args.replies)
    except (ServerError, CaseError) as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.quiet:
        report = {**report, "results": []}
    _print(report)
    print(f"\nreport: {args.out}")
    return 0
