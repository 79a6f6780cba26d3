"""Precision and recall of name resolution on the labeled evaluation set, at the default thresholds.

    python benchmarks/resolve/evaluate.py

The set (tests/data/resolve/README.md): real alternate names from ../shared/corpus (OFAC SDN and
consolidated lists, CSL, the Entity List, GLEIF other and transliterated names) against a
registry that also holds 60,000 real GLEIF legal names, plus hand-made Chinese and Russian
variants. Reports every stratum, the dev and test halves of the corpus part (entities split by a
hash) and writes EVALUATION.md beside this file. tests/resolve/test_evaluation.py asserts the
same figures (>= 0.95).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "resolve"))

from resolve_evalset import CORPUS, VARIANT_STRATA, corpus_set, handmade_set, split  # noqa: E402

from cvrule.resolve import ResolveSettings  # noqa: E402
from cvrule.resolve.evaluation import combined, evaluate  # noqa: E402
from cvrule.resolve.matcher import Matcher  # noqa: E402

STRATA = ("same-words", "spelling", "subset", "overlap", "disjoint", "absent")


def row(name: str, metrics) -> str:
    m = metrics
    if not m.positives:  # every link or proposal is wrong here: say how many
        return (f"| {name} | {m.queries} | 0 | {m.linked} | {m.review} | {m.linked} wrong links | "
                f"{m.linked + m.review} wrong proposals | - | - |")
    return (f"| {name} | {m.queries} | {m.positives} | {m.linked} | {m.review} | {m.precision:.4f} | "
            f"{m.review_precision:.4f} | {m.recall:.4f} | {m.link_recall:.4f} |")


HEADER = [
    "| queries | n | expecting a party | linked | review | precision (links) | precision (links + review) | recall | recall (links only) |",
    "|---|---|---|---|---|---|---|---|---|",
]


def main() -> None:
    settings = ResolveSettings.from_env()
    out = [
        "# Resolution evaluation: latest results",
        "",
        f"Run on {time.strftime('%Y-%m-%d')} with `python benchmarks/resolve/evaluate.py`, algorithm "
        f"`{settings.algorithm}`, link threshold {settings.link_threshold}, review threshold {settings.review_threshold}.",
        "How the set is built and what each stratum means: tests/data/resolve/README.md.",
        "",
        "precision (links) = right automatic links / automatic links; recall = queries expecting a party whose",
        "party was linked or put up for review as the top candidate / queries expecting a party.",
        "",
    ]
    targets, queries = handmade_set()
    hand = evaluate(targets, queries, settings)
    out += ["## Hand-made Chinese and Russian variants", "", *HEADER, row("all", hand["all"]), ""]
    print("handmade", hand["all"].as_dict(), flush=True)
    if CORPUS.is_dir():
        targets, queries, description = corpus_set()
        matcher = Matcher(targets, settings)
        results = evaluate(targets, queries, matcher=matcher)
        variants = combined(results, VARIANT_STRATA)
        out += [
            "## Real alias data from the corpus",
            "",
            f"{description['entities']} organizations with their alternate names; registry of {description['registry']:,} "
            f"names ({description['distractors']:,} of them GLEIF distractors); {description['queries']:,} queries "
            f"({description['dropped_as_homonyms']} left out as homonyms of another registered name).",
            "",
            *HEADER,
            row("**all**", results["all"]),
            row("**name variants** (same-words + spelling)", variants),
            *[row(name, results[name]) for name in STRATA if name in results],
            "",
        ]
        halves = {"dev": [], "test": []}
        for labeled in queries:
            halves[split(labeled.expect or labeled.query.names[0])].append(labeled)
        out += ["Dev and test halves (entities split by a hash; the rules were tuned looking at the whole set):", "",
                *HEADER]
        for half, subset in halves.items():
            part = evaluate(targets, subset, matcher=matcher)
            out.append(row(f"{half}: all", part["all"]))
            out.append(row(f"{half}: name variants", combined(part, VARIANT_STRATA)))
        out.append("")
        print("corpus", results["all"].as_dict(), "variants", variants.as_dict(), flush=True)
    else:
        out += ["(../shared/corpus is not present: the corpus part was not run.)", ""]
    (HERE / "EVALUATION.md").write_text("\n".join(out))
    print(f"wrote {HERE / 'EVALUATION.md'}")


if __name__ == "__main__":
    main()
