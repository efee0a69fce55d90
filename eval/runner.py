"""``make eval`` / ``python -m eval``: write a report for every application of the evaluation set with the
configured generator, score each one (``eval/scoring.py``), print a table and totals, write them as JSON,
and measure the grounding check on the labelled planted/clean set.

    python -m eval                      # the whole set, generator from VPR_GENERATOR (offline by default)
    python -m eval --subset --check     # the small subset `make test` runs; exit 1 below a threshold
    VPR_GENERATOR=claude ANTHROPIC_API_KEY=sk-ant-... python -m eval --jobs 4

The set (``eval/applications/*.json``), one application per file::

    {"id": ..., "about": "what it tests", "request": <POST /api/vpr body>,
     "profile": <the CV in the profile store, when the request has no inline cv>,
     "expect": {"met": [requirements the CV clearly meets], "unmet": [requirements it does not]}}

A request without an inline ``cv`` gets the ``profile`` through Validate's own code
(``vpr.pipeline.validate_application``) from an in-memory profile store, as the workflow would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import local  # noqa: F401 - puts lambdas/ on sys.path
from eval.scoring import Score, score_report
from vpr.generation import ReportGenerator, choose_generator_name, get_generator
from vpr.grounding import verify_report
from vpr.models import Application, CandidateProfile, ReportContent
from vpr.models.report import EvidenceItem
from vpr.pipeline import validate_application
from vpr.settings import Settings

HERE = Path(__file__).resolve().parent
APPLICATIONS = HERE / "applications"
GROUNDING_CASES = HERE / "grounding_cases.json"
DEFAULT_JSON = HERE / "results.json"

#: The small subset `make test` runs (English and Hebrew, inline and profile-store CVs, met and unmet).
SUBSET = (
    "en-01-ld-manager-documented",
    "en-05-junior-data-analyst-partial",
    "en-12-backend-unmet-kubernetes",
    "en-16-product-manager-profile-store",
    "he-01-ld-manager-met",
    "he-04-junior-support-profile-store",
)

#: What the build demands. Means over the applications, counts summed.
THRESHOLDS = {
    "coverage_min": 1.0,
    "consistency_min": 1.0,
    "labels_min": 0.9,
    "unsupported_max": 0,
    "budget_violations_max": 0,
    "language_failures_max": 0,
    "incomplete_max": 0,
    "grounding_recall_min": 0.95,
    "grounding_false_flags_max": 0.05,
}


@dataclass(frozen=True)
class Case:
    id: str
    about: str
    request: dict[str, Any]
    profile: dict[str, Any] | None
    met: list[str]
    unmet: list[str]

    @property
    def cv_source(self) -> str:
        return "inline" if self.request.get("cv") else "profile"


class _ProfileBook:
    """The profile store's interface (``get``) over the set's stored CVs: the eval needs no AWS."""

    def __init__(self, cases: list[Case]) -> None:
        self._profiles = {c.request["user_id"]: c.profile for c in cases if c.profile}

    def get(self, user_id: str) -> CandidateProfile | None:
        profile = self._profiles.get(user_id)
        return CandidateProfile.model_validate(profile) if profile else None


def load_cases(ids: tuple[str, ...] | None = None) -> list[Case]:
    cases = []
    for path in sorted(APPLICATIONS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        expect = data.get("expect", {})
        case = Case(
            data["id"],
            data["about"],
            data["request"],
            data.get("profile"),
            expect.get("met", []),
            expect.get("unmet", []),
        )
        if path.stem != case.id:
            raise ValueError(f"{path.name}: id {case.id!r} must match the file name")
        cases.append(case)
    if ids is not None:
        missing = set(ids) - {c.id for c in cases}
        if missing:
            raise ValueError(f"unknown application ids: {sorted(missing)}")
        cases = [c for c in cases if c.id in ids]
    return cases


def application_of(case: Case, profiles: _ProfileBook) -> Application:
    return validate_application(case.request, profiles)  # type: ignore[arg-type]


def evaluate(cases: list[Case], generator: ReportGenerator, jobs: int = 1) -> list[Score]:
    profiles = _ProfileBook(cases)

    def one(case: Case) -> Score:
        application = application_of(case, profiles)
        report = generator.generate(application).report
        return score_report(
            report,
            application,
            app_id=case.id,
            cv_source=case.cv_source,
            met=case.met,
            unmet=case.unmet,
            claude=generator.name == "claude",
        )

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, cases))


# --- grounding: the labelled planted / clean set ------------------------------------------------------


def _text_only_report(text: str) -> ReportContent:
    """A report whose only prose is ``text`` (the other required fields carry no words)."""
    item = EvidenceItem(requirement="—", evidence="—", alignment_score="MODERATE", impact_potential="—")
    return ReportContent(
        executive_summary=text,
        evidence_matrix=[item],
        differentiators=["—"],
        cultural_fit="—",
        talking_points=["—"] * 5,
        keywords=["—"],
    )


def _found(planted: str, claims: list[str]) -> bool:
    planted = planted.casefold()
    return any(planted in c.casefold() or c.casefold() in planted for c in claims)


def evaluate_grounding(cases: list[Case], path: Path = GROUNDING_CASES) -> dict[str, Any]:
    """Recall on planted fabrications and the false-flag rate on clean sentences."""
    profiles = _ProfileBook(cases)
    applications = {c.id: c for c in cases}
    planted = found = clean = flagged = 0
    misses, false_flags = [], []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        application = application_of(applications[entry["app"]], profiles)
        claims = list(verify_report(_text_only_report(entry["text"]), application).unsupported_claims)
        if entry["planted"]:
            for claim in entry["planted"]:
                planted += 1
                if _found(claim, claims):
                    found += 1
                else:
                    misses.append({"id": entry["id"], "planted": claim, "flagged": claims})
        else:
            clean += 1
            if claims:
                flagged += 1
                false_flags.append({"id": entry["id"], "flagged": claims})
    return {
        "planted": planted,
        "found": found,
        "recall": found / planted if planted else 1.0,
        "clean": clean,
        "falsely_flagged": flagged,
        "false_flag_rate": flagged / clean if clean else 0.0,
        "misses": misses,
        "false_flags": false_flags,
    }


_NOT_MEASURED: dict[str, Any] = {
    "planted": 0,
    "found": 0,
    "recall": 1.0,
    "clean": 0,
    "falsely_flagged": 0,
    "false_flag_rate": 0.0,
    "misses": [],
    "false_flags": [],
}

# --- totals, thresholds, output -------------------------------------------------------------------


def totals(scores: list[Score]) -> dict[str, Any]:
    labelled = [s.labels for s in scores if s.labels is not None]
    return {
        "applications": len(scores),
        "coverage": statistics.fmean(s.coverage for s in scores),
        "consistency": statistics.fmean(s.consistency for s in scores),
        "labels": statistics.fmean(labelled) if labelled else None,
        "unsupported": sum(len(s.unsupported) for s in scores),
        "budget_violations": sum(len(s.budget) for s in scores),
        "language_failures": sum(not s.language_ok for s in scores),
        "incomplete": sum(bool(s.complete) for s in scores),
        "words_median": statistics.median(s.words for s in scores),
    }


def failed_thresholds(total: dict[str, Any], grounding: dict[str, Any]) -> list[str]:
    t = THRESHOLDS
    checks = [
        (total["coverage"] >= t["coverage_min"], f"coverage {total['coverage']:.3f} < {t['coverage_min']}"),
        (
            total["consistency"] >= t["consistency_min"],
            f"consistency {total['consistency']:.3f} < {t['consistency_min']}",
        ),
        (
            total["labels"] is None or total["labels"] >= t["labels_min"],
            f"label agreement {total['labels']} < {t['labels_min']}",
        ),
        (total["unsupported"] <= t["unsupported_max"], f"{total['unsupported']} unsupported claims"),
        (
            total["budget_violations"] <= t["budget_violations_max"],
            f"{total['budget_violations']} budget violations",
        ),
        (
            total["language_failures"] <= t["language_failures_max"],
            f"{total['language_failures']} reports in the wrong language",
        ),
        (total["incomplete"] <= t["incomplete_max"], f"{total['incomplete']} incomplete reports"),
        (
            grounding["recall"] >= t["grounding_recall_min"],
            f"grounding recall {grounding['recall']:.3f} < {t['grounding_recall_min']}",
        ),
        (
            grounding["false_flag_rate"] <= t["grounding_false_flags_max"],
            f"grounding false flags {grounding['false_flag_rate']:.3f} > {t['grounding_false_flags_max']}",
        ),
    ]
    return [message for ok, message in checks if not ok]


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{value * 100:4.0f}%"


def print_table(scores: list[Score], total: dict[str, Any], grounding: dict[str, Any], out: Any) -> None:
    header = f"{'application':<44} {'lang':<4} {'cv':<7} {'reqs':>4} {'cover':>5} {'cons':>5} {'label':>5} "
    header += f"{'unsup':>5} {'budg':>4} {'lang':>4} {'compl':>5} {'words':>5} {'S/gap':>5}"
    print(header, file=out)
    print("-" * len(header), file=out)
    for s in scores:
        print(
            f"{s.id:<44} {s.language:<4} {s.cv_source:<7} {s.requirements:>4} {_pct(s.coverage):>5} "
            f"{_pct(s.consistency):>5} {_pct(s.labels):>5} {len(s.unsupported):>5} {len(s.budget):>4} "
            f"{'ok' if s.language_ok else 'NO':>4} {'ok' if not s.complete else 'NO':>5} {s.words:>5} "
            f"{s.strong:>2}/{s.gaps:<2}",
            file=out,
        )
    print("-" * len(header), file=out)
    print(
        f"{'TOTAL (' + str(total['applications']) + ' applications)':<61} {_pct(total['coverage']):>5} "
        f"{_pct(total['consistency']):>5} {_pct(total['labels']):>5} {total['unsupported']:>5} "
        f"{total['budget_violations']:>4} {total['language_failures']:>4} {total['incomplete']:>5} "
        f"{total['words_median']:>5}",
        file=out,
    )
    print(
        f"grounding labelled set: recall {grounding['found']}/{grounding['planted']} = "
        f"{_pct(grounding['recall']).strip()}, false flags "
        f"{grounding['falsely_flagged']}/{grounding['clean']} = {_pct(grounding['false_flag_rate']).strip()}",
        file=out,
    )
    for s in scores:
        for line in [*s.problems, *s.budget, *s.complete, *(f"unsupported: {c}" for c in s.unsupported)]:
            print(f"  {s.id}: {line}", file=out)
    for miss in grounding["misses"]:
        print(
            f"  grounding miss {miss['id']}: {miss['planted']!r} not found (flagged {miss['flagged']})",
            file=out,
        )
    for flag in grounding["false_flags"]:
        print(f"  grounding false flag {flag['id']}: {flag['flagged']}", file=out)


def run(
    ids: tuple[str, ...] | None = None,
    *,
    settings: Settings | None = None,
    jobs: int = 1,
    grounding_set: bool = True,
) -> dict[str, Any]:
    """Evaluate ``ids`` (all when None), and the grounding check on its labelled set unless
    ``grounding_set`` is False; returns everything the JSON output holds."""
    settings = settings or Settings()
    all_cases = load_cases()
    cases = load_cases(ids)
    scores = evaluate(cases, get_generator(settings), jobs=jobs)
    total = totals(scores)
    grounding = evaluate_grounding(all_cases) if grounding_set else _NOT_MEASURED
    return {
        "generator": choose_generator_name(settings),
        "model": settings.model if choose_generator_name(settings) == "claude" else None,
        "totals": total,
        "grounding": grounding,
        "thresholds": THRESHOLDS,
        "failed_thresholds": failed_thresholds(total, grounding),
        "applications": [s.as_dict() for s in scores],
        "_scores": scores,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--subset", action="store_true", help="only the small subset `make test` runs")
    parser.add_argument("--only", nargs="+", metavar="ID", help="only these application ids")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"output file (default {DEFAULT_JSON})"
    )
    parser.add_argument("--jobs", type=int, default=1, help="reports written concurrently (Claude)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a threshold is not met")
    args = parser.parse_args(argv)
    ids = tuple(args.only) if args.only else SUBSET if args.subset else None
    result = run(ids, jobs=args.jobs)
    scores = result.pop("_scores")
    print(f"generator: {result['generator']}" + (f" ({result['model']})" if result["model"] else ""))
    print_table(scores, result["totals"], result["grounding"], sys.stdout)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.json}")
    for message in result["failed_thresholds"]:
        print(f"THRESHOLD NOT MET: {message}", file=sys.stderr)
    return 1 if args.check and result["failed_thresholds"] else 0
