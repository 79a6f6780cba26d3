"""Precision and recall of name resolution on the labeled evaluation set, at the default thresholds.

    python benchmarks/resolve/evaluate.py
    python benchmarks/resolve/evaluate.py --half dev [--algorithm cvrule-logic-v2]

The set (tests/data/resolve/README.md): real alternate names from ../shared/corpus (OFAC SDN and
consolidated lists, CSL, the Entity List, GLEIF other and transliterated names) against a
registry that also holds 60,000 real GLEIF legal names, plus hand-made Chinese and Russian
variants. Reports every stratum, the dev and test halves of the corpus part (entities split by a
hash) and writes EVALUATION.md beside this file. tests/resolve/test_evaluation.py asserts the
same figures (>= 0.95).

With --half, only that half of the corpus part is measured (both tables, every stratum) and
printed; EVALUATION.md is left alone. Tune on the dev half, never on the test half.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "resolve"))

from resolve_evalset import (  # noqa: E402
    CORPUS,
    KNOWN_NAMES_FOLDS,
    VARIANT_STRATA,
    corpus_set,
    handmade_set,
    known_names_folds,
    split,
)

from cvrule.resolve import ResolveSettings  # noqa: E402
from cvrule.resolve.evaluation import Metrics, combined, evaluate  # noqa: E402
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


def half_rows(half: str, results: dict[str, Metrics]) -> list[str]:
    """The rows of one half (dev or test): all, name variants, then the other strata."""
    rows = [row(f"{half}: all", results["all"]), row(f"{half}: name variants", combined(results, VARIANT_STRATA))]
    return rows + [row(f"{half}: {name}", results[name]) for name in STRATA[2:] if name in results]


def added(parts: list[dict[str, Metrics]]) -> dict[str, Metrics]:
    """The metrics of several evaluations (one per registry) taken together, per stratum."""
    out: dict[str, Metrics] = {}
    for results in parts:
        for name, metrics in results.items():
            out[name] = combined({"a": out.get(name, Metrics()), "b": metrics}, ("a", "b"))
    return out


def known_names_section(settings: ResolveSettings) -> list[str]:
    """The table of the registry holding every known name (resolve_evalset.known_names_folds)."""
    folds, description = known_names_folds()
    whole: list[dict[str, Metrics]] = []
    halves: dict[str, list[dict[str, Metrics]]] = {"dev": [], "test": []}
    for targets, queries in folds:
        matcher = Matcher(targets, settings)
        whole.append(evaluate(targets, queries, matcher=matcher))
        for half in halves:
            part = [q for q in queries if split(q.expect or q.query.names[0]) == half]
            halves[half].append(evaluate(targets, part, matcher=matcher))
    results = added(whole)
    print("known names", results["all"].as_dict(), flush=True)
    out = [
        "## Real alias data, the registry holding every known name (the product's use)",
        "",
        "A party loaded from OFAC, the CSL, the Entity List or GLEIF carries all its names into the workspace, and a",
        "mention is compared with every one of them. Here each organization's names (its registered name and its",
        f"alternate names) are dealt into {KNOWN_NAMES_FOLDS} folds; for each fold the registry holds every organization",
        "under its names of the other folds, and each name of the fold is a query expecting it. So every name,",
        "the registered one included, is held out once and matched against the organization's other names (all",
        f"of them for organizations with up to {KNOWN_NAMES_FOLDS} names). The stratum is the query's easiest relation to",
        "any name the registry holds for its organization: `disjoint` here means no word shared with any of them.",
        "The same organizations as above are left out of every registry; their names (`absent`) are matched once,",
        "against a registry with every other organization under all its names. The tables above (one registered",
        "name per organization) are unchanged; this one is reported beside them, not instead of them.",
        "",
        f"{description['with_several_names']:,} organizations with more than one name; {description['distractors']:,} GLEIF "
        f"distractors in every registry; {description['queries']:,} queries ({description['dropped_as_homonyms']} left out "
        "as homonyms: a name with the very words of a name another organization holds in the same registry).",
        "",
        *HEADER,
        row("**all**", results["all"]),
        row("**name variants** (same-words + spelling)", combined(results, VARIANT_STRATA)),
        *[row(name, results[name]) for name in STRATA if name in results],
        "",
        "Dev and test halves:",
        "",
        *HEADER,
    ]
    for half, parts in halves.items():
        out += half_rows(half, added(parts))
    out.append("")
    return out


def one_half(half: str, settings: ResolveSettings) -> None:
    """Print the figures of one half of the corpus part, per stratum, for both registries."""
    def show(title: str, results: dict[str, Metrics]) -> None:
        print(title)
        print(*HEADER, row("all", results["all"]), row("name variants", combined(results, VARIANT_STRATA)),
              *[row(name, results[name]) for name in STRATA if name in results], sep="\n")

    targets, queries, _ = corpus_set()
    chosen = [q for q in queries if split(q.expect or q.query.names[0]) == half]
    show(f"{half} half, one registered name per organization ({settings.algorithm}):",
         evaluate(targets, chosen, matcher=Matcher(targets, settings)))
    folds, _ = known_names_folds()
    parts = []
    for fold_targets, fold_queries in folds:
        part = [q for q in fold_queries if split(q.expect or q.query.names[0]) == half]
        parts.append(evaluate(fold_targets, part, matcher=Matcher(fold_targets, settings)))
    show(f"{half} half, the registry holding every known name ({settings.algorithm}):", added(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("dev", "test"), help="measure this half of the corpus part only, "
                        "print it and leave EVALUATION.md alone")
    parser.add_argument("--algorithm", help="the scoring algorithm (default: the setting)")
    args = parser.parse_args()
    settings = ResolveSettings.from_env(algorithm=args.algorithm)
    if args.half:
        one_half(args.half, settings)
        return
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
        out += ["Dev and test halves (entities split by a hash; the rules of cvrule-logic-v1 and v2 were tuned looking "
                "at the whole set, those v3 adds on the dev half only):", "",
                *HEADER]
        for half, subset in halves.items():
            out += half_rows(half, evaluate(targets, subset, matcher=matcher))
        out.append("")
        print("corpus", results["all"].as_dict(), "variants", variants.as_dict(), flush=True)
        out += known_names_section(settings)
    else:
        out += ["(../shared/corpus is not present: the corpus part was not run.)", ""]
    (HERE / "EVALUATION.md").write_text("\n".join(out))
    print(f"wrote {HERE / 'EVALUATION.md'}")


if __name__ == "__main__":
    main()
