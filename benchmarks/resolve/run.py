"""Name resolution at scale: 100,000 BOM supplier mentions against 1,000,000 registry names.

    python benchmarks/resolve/run.py [--names 1000000] [--mentions 100000] [--distinct 25000]
                                     [--baseline 200] [--workers 0]

Synthetic but realistic data (synth.py; deterministic). Measured, in one process:

- index build (analyze every name, blocking keys, postings) and peak memory;
- matching every distinct mention (same name and country once) with `match_all`, the way
  `cvrule resolve` does, and the throughput per mention (each BOM line) and per distinct name;
- accuracy against the synthetic truth: precision of automatic links, recall of the right party
  linked or put up for review;
- what blocking loses: for a sample of mentions whose party is known, how often that party is not
  among the candidates blocking hands to scoring;
- a brute-force baseline on a sample: rapidfuzz `process.extractOne` over all names (token_sort_ratio
  on lower-cased names), its time per name and its accuracy next to cvrule's on the same sample.

Writes RESULTS.md beside this file.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from synth import mentions, registry  # noqa: E402

from cvrule.resolve import ResolveSettings  # noqa: E402
from cvrule.resolve.matcher import Matcher, match_all  # noqa: E402
from cvrule.resolve.model import Target  # noqa: E402
from cvrule.resolve.subjects import mention_query  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = []
    for name in ("rapidfuzz", "numpy", "pyarrow", "pypinyin", "opencc", "anyascii"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; " + ", ".join(versions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=1_000_000)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=25_000)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--blocking-sample", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    settings = ResolveSettings.from_env(workers=args.workers)
    figures: dict[str, float] = {"load_before": os.getloadavg()[0]}

    start = time.perf_counter()
    parties = registry(args.names)
    lines = mentions(parties, args.mentions, args.distinct)
    figures["generate_s"] = time.perf_counter() - start
    print(f"generated {len(parties)} names, {len(lines)} mentions in {figures['generate_s']:.1f} s", flush=True)

    start = time.perf_counter()
    targets = [Target(p.key, "party", "synthetic", p.key, p.name, (p.name,), (p.country,)) for p in parties]
    matcher = Matcher(targets, settings)
    figures["build_s"] = time.perf_counter() - start
    figures["algorithm"] = settings.algorithm
    figures["build_peak_mb"] = peak_mb()
    print(f"index built in {figures['build_s']:.1f} s, peak {figures['build_peak_mb']:.0f} MB", flush=True)

    start = time.perf_counter()
    subjects: dict[str, tuple] = {}
    keys = []
    queried: dict[tuple, str] = {}
    for name, country, _ in lines:
        key = queried.get((name, country))
        if key is None:
            key, query = mention_query(name, country)
            queried[(name, country)] = key
            subjects.setdefault(key, query)
        keys.append(key)
    items = list(subjects.items())
    outcomes = dict(zip(subjects, (o for o in match_all(matcher, items, keep=3))))
    per_mention = [outcomes[key] for key in keys]
    figures["match_s"] = time.perf_counter() - start
    figures["mentions_per_s"] = len(lines) / figures["match_s"]
    figures["distinct_per_s"] = len(items) / figures["match_s"]
    figures["peak_mb"] = peak_mb()
    print(f"matched {len(lines)} mentions ({len(items)} distinct) in {figures['match_s']:.1f} s: "
          f"{figures['mentions_per_s']:.0f} mentions/s", flush=True)

    linked = linked_right = positives = caught = 0
    for (_, _, truth), outcome in zip(lines, per_mention):
        right = outcome.chosen is not None and outcome.chosen.target.ref == truth
        if outcome.status == "linked":
            linked += 1
            linked_right += right
        if truth:
            positives += 1
            caught += right and outcome.status in ("linked", "review")
    figures["precision"] = linked_right / linked if linked else 1.0
    figures["recall"] = caught / positives if positives else 1.0
    figures["linked_share"] = linked / len(lines)

    rnd = random.Random(5)
    distinct_truth = {}
    for name, country, truth in lines:
        distinct_truth.setdefault((name, country), truth)
    known = [(k, t) for k, t in distinct_truth.items() if t]
    sample = rnd.sample(known, min(args.blocking_sample, len(known)))
    lost = 0
    for (name, country), truth in sample:
        key, query = mention_query(name, country)
        forms = matcher.query_forms(query)
        positions = matcher.index.candidates(forms, settings.candidates)
        positions += [p for form in forms if not form.legal_forms for p in matcher.index.containing(form.tokens)]
        if truth not in {matcher.index.targets[p].ref for p in positions}:
            lost += 1
    figures["blocking_lost"] = lost / len(sample) if sample else 0.0

    baseline = {}
    if args.baseline:
        from rapidfuzz import fuzz, process

        choices = [p.name.lower() for p in parties]
        refs = [p.key for p in parties]
        everything = list(distinct_truth.items())
        chosen = rnd.sample(everything, min(args.baseline, len(everything)))
        start = time.perf_counter()
        answers = [process.extractOne(name.lower(), choices, scorer=fuzz.token_sort_ratio) for (name, _), _ in chosen]
        seconds = time.perf_counter() - start
        ours = []
        for (name, country), _ in chosen:
            key, query = mention_query(name, country)
            found = matcher.match(query, key, explain=0)
            ours.append(matcher.decide(found, query))
        right_bf = sum(1 for ((_, _), t), a in zip(chosen, answers) if t and a and refs[a[2]] == t)
        false_bf = sum(1 for ((_, _), t), a in zip(chosen, answers) if a and a[1] >= 90 and refs[a[2]] != t)
        linked_bf = sum(1 for a in answers if a and a[1] >= 90)
        right_us = sum(1 for ((_, _), t), o in zip(chosen, ours)
                       if t and o.chosen and o.chosen.target.ref == t and o.status in ("linked", "review"))
        false_us = sum(1 for ((_, _), t), o in zip(chosen, ours) if o.status == "linked" and o.chosen.target.ref != t)
        linked_us = sum(1 for o in ours if o.status == "linked")
        truths = sum(1 for (_, t) in chosen if t)
        baseline = {"sample": len(chosen), "with_party": truths, "seconds_per_name": seconds / len(chosen),
                    "bf_top1_right": right_bf, "bf_links_at_90": linked_bf, "bf_false_at_90": false_bf,
                    "ours_right": right_us, "ours_links": linked_us, "ours_false": false_us}
        print(f"brute force: {baseline['seconds_per_name'] * 1000:.0f} ms per name", flush=True)

    figures["load_after"] = os.getloadavg()[0]
    write(args, figures, baseline)


def write(args, figures: dict, baseline: dict) -> None:
    lines = [
        "# Resolution benchmark: latest results",
        "",
        f"Run on {time.strftime('%Y-%m-%d')} with `python benchmarks/resolve/run.py --names {args.names} "
        f"--mentions {args.mentions} --distinct {args.distinct} --baseline {args.baseline} --workers {args.workers}`.",
        "",
        f"Machine: {machine()}. Load average (1 min) {figures['load_before']:.1f} before and "
        f"{figures['load_after']:.1f} after the run: other sessions' jobs shared the 2 cores, so times are upper bounds.",
        "",
        "Data: synthetic and deterministic (`synth.py`): a registry of company names (city, coined brand words,",
        "industry words, the country's legal form; 6% written in Chinese characters, 4% in Cyrillic) and BOM",
        "mentions (70% a registry company written another way: case, legal form dropped or respelled,",
        "punctuation, one typo, traditional characters or pinyin, transliterated Cyrillic; 30% companies not in",
        "the registry), repeating with a Zipf-like frequency as suppliers do across BOMs.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| registry names | {args.names:,} |",
        f"| mentions (distinct names) | {args.mentions:,} ({args.distinct:,}) |",
        f"| index build | {figures['build_s']:.1f} s |",
        f"| peak memory after build | {figures['build_peak_mb']:,.0f} MB |",
        f"| matching all mentions | {figures['match_s']:.1f} s |",
        f"| **throughput** | **{figures['mentions_per_s']:,.0f} mentions/s** ({figures['distinct_per_s']:,.0f} distinct names/s) |",
        f"| peak memory (whole run) | {figures['peak_mb']:,.0f} MB |",
        f"| precision of automatic links | {figures['precision']:.4f} |",
        f"| recall (right party linked or up for review) | {figures['recall']:.4f} |",
        f"| mentions linked automatically | {figures['linked_share']:.1%} |",
        f"| blocking loses the right party (sample of {args.blocking_sample:,}) | {figures['blocking_lost']:.2%} |",
        "",
        "Throughput counts the time to build each distinct mention's query, match it once (as `cvrule resolve`",
        "does, with `--workers` processes) and hand each mention its outcome; the index build is a separate,",
        f"one-off cost per registry. Per distinct name it is about {1000 / figures['distinct_per_s']:.1f} ms. Two forked workers were measured",
        "slower than one here (40,000 mentions against 200,000 names: 6,206 against 9,247 mentions/s), hence",
        "the default of one. The synthetic brand words are drawn from few syllables, so one word is shared by",
        "hundreds of names: harder for blocking than real registries (5% of right parties lost here; on the",
        "real alias data of EVALUATION.md recall of name variants is 0.97).",
    ]
    if baseline:
        n, truths = baseline["sample"], baseline["with_party"]
        lines += [
            "",
            f"## Side by side with brute force (rapidfuzz, sample of {n} distinct names, {truths} with a registry party)",
            "",
            "Brute force: `rapidfuzz.process.extractOne(name.lower(), all names lower-cased, scorer=token_sort_ratio)`,",
            f"a link when the best score is at least 90. cvrule: blocking, then scoring (`{figures['algorithm']}`).",
            "",
            "| | brute force | cvrule |",
            "|---|---|---|",
            f"| time per name | {baseline['seconds_per_name'] * 1000:,.0f} ms | {1000 / figures['distinct_per_s']:.2f} ms |",
            f"| right party found (linked or up for review) | {baseline['bf_top1_right']} of {truths} (top 1, any score) "
            f"| {baseline['ours_right']} of {truths} |",
            f"| links made | {baseline['bf_links_at_90']} | {baseline['ours_links']} |",
            f"| wrong links | {baseline['bf_false_at_90']} | {baseline['ours_false']} |",
            "",
            "What blocking loses is measured directly above (the right party missing from the candidates);",
            "the brute force comparison shows what an exhaustive fuzzy search finds in the same sample, at what cost.",
        ]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
