"""Print how the dzwww profile reads template variants: shares per mutation kind and
every silently-wrong field.

    python -m tests.variants.report                 # the CI variant set (seed 13)
    python -m tests.variants.report --seed 7        # another variant set
    python -m tests.variants.report --site generic --summary  # the profile-free extractor
    python -m tests.variants.report --show date_line-004   # one variant: forms, diff, fields
    python -m tests.variants.report --dump DIR      # write every variant's pages to DIR

Exit status 1 when any field is silently wrong.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from tests.variants.classify import CLASSES, FIELDS, FLAGGED, RIGHT, SILENT
from tests.variants.generate import DEFAULT_SEED, IDENTITY, Variant, generate_variants
from tests.variants.markup import parse, serialise
from tests.variants.run import VariantResult, run_variants


def shares(results: Iterable[VariantResult]) -> dict[str, Counter]:
    """Field classes counted per mutation kind (a combined variant counts for each of its
    kinds), plus ``single:<kind>`` for variants with one kind only and ``all``."""
    table: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        kinds = result.variant.kinds
        keys = [*kinds, "all"] + ([f"only:{kinds[0]}"] if len(kinds) == 1 else ["combined"])
        for outcome in result.outcomes:
            for key in dict.fromkeys(keys):
                table[key][outcome.outcome] += 1
        for key in dict.fromkeys(keys):
            table[key]["variants"] += 1
    return table


def _short(value: object, limit: int = 90) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(table: dict[str, Counter], out) -> None:
    rows = [k for k in table if not k.startswith("only:") and k not in ("all", "combined")]
    print(
        f"{'kind':<22}{'variants':>9}{'fields':>8}{'right':>9}{'flagged':>9}{'silent':>9}", file=out
    )
    for key in [*sorted(rows), "combined", "all"]:
        counts = table.get(key)
        if not counts:
            continue
        total = sum(counts[c] for c in CLASSES)
        cells = "".join(f"{100 * counts[c] / total:>8.1f}%" for c in CLASSES)
        print(f"{key:<22}{counts['variants']:>9}{total:>8}{cells}", file=out)


def _by_field(results: list[VariantResult], out) -> None:
    counts: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        for outcome in result.outcomes:
            counts[outcome.field][outcome.outcome] += 1
    print(f"\n{'field':<16}{'right':>9}{'flagged':>9}{'silent':>9}", file=out)
    for name in FIELDS:
        c = counts[name]
        total = sum(c.values()) or 1
        print(f"{name:<16}" + "".join(f"{100 * c[k] / total:>8.1f}%" for k in CLASSES), file=out)


def _stability(results: list[VariantResult], out) -> None:
    """Fields each kind changes against the same extractor's reading of the original
    (the identity variant): a right field lost, a wrong one become right."""
    baseline = {
        r.variant.article.path: {o.field: o.outcome for o in r.outcomes}
        for r in results
        if r.variant.kinds == (IDENTITY,)
    }
    if not baseline:
        return
    counts: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        before = baseline[result.variant.article.path]
        for outcome in result.outcomes:
            was_right = before[outcome.field] == RIGHT
            for kind in result.variant.kinds:
                counts[kind]["fields"] += 1
                if was_right and outcome.outcome != RIGHT:
                    counts[kind]["lost"] += 1
                elif not was_right and outcome.outcome == RIGHT:
                    counts[kind]["gained"] += 1
    print("\nagainst the reading of the original (identity):", file=out)
    print(f"{'kind':<22}{'lost':>9}{'gained':>9}", file=out)
    for kind in sorted(counts):
        c = counts[kind]
        lost, gained = (100 * c[k] / c["fields"] for k in ("lost", "gained"))
        print(f"{kind:<22}{lost:>8.1f}%{gained:>8.1f}%", file=out)


def _silent_by_kind(silent: list, out) -> None:
    counts = Counter(
        (o.field, r.variant.kinds[0] if len(r.variant.kinds) == 1 else "combined")
        for r, o in silent
    )
    print("\nsilently-wrong fields by field and mutation kind:", file=out)
    for (name, kinds), n in sorted(counts.items()):
        print(f"  {n:>4}  {name:<15} {kinds}", file=out)


def print_report(
    results: list[VariantResult], elapsed: float, out=sys.stdout, listing: bool = True
) -> int:
    """The report; returns the number of silently-wrong fields."""
    total_fields = sum(len(r.outcomes) for r in results)
    print(
        f"{len(results)} variants, {total_fields} fields, extracted in {elapsed:.1f} s\n",
        file=out,
    )
    _table(shares(results), out)
    _by_field(results, out)
    silent = [(r, o) for r in results for o in r.outcomes if o.outcome == SILENT]
    flagged = [(r, o) for r in results for o in r.outcomes if o.outcome == FLAGGED]
    # a no_author on a page that has no author is right; a flag on a right, present value is noise
    noisy = Counter(
        f
        for r in results
        for o in r.outcomes
        if o.outcome == RIGHT and o.expected not in (None, (), "")
        for f in o.flags
    )
    if noisy:
        print(
            "\nflags on right fields (false alarms): "
            + ", ".join(f"{k} ×{v}" for k, v in noisy.most_common()),
            file=out,
        )
    _stability(results, out)
    _silent_by_kind(silent, out)
    if not listing:
        return len(silent)
    print(f"\nflagged-wrong fields: {len(flagged)}", file=out)
    for result, outcome in flagged:
        print(
            f"  {result.variant.id:<18} {outcome.field:<15} flags={sorted(outcome.flags)}",
            file=out,
        )
    print(f"\nsilently-wrong fields: {len(silent)}", file=out)
    for result, outcome in sorted(silent, key=lambda ro: (ro[1].field, ro[0].variant.id)):
        v = result.variant
        print(f"- {v.id} [{'+'.join(v.kinds)}] {v.article.path}  field={outcome.field}", file=out)
        print(f"    forms:    {v.describe()}", file=out)
        print(f"    expected: {_short(outcome.expected)}", file=out)
        print(f"    got:      {_short(outcome.got)}", file=out)
        print(f"    warnings: {result.record['warnings']}", file=out)
    return len(silent)


def show(variant: Variant, result: VariantResult, out=sys.stdout) -> None:
    """One variant: forms, the diff of each page against the lxml round-trip, its fields."""
    print(f"{variant.id} [{'+'.join(variant.kinds)}] seed={variant.seed}", file=out)
    print(f"article: {variant.article.path} (template {variant.article.template})", file=out)
    print(f"forms:   {variant.describe()}", file=out)
    print(f"edits:   {variant.edits}  codec: {variant.codec}", file=out)
    for page in variant.article.pages:
        original = serialise(parse(page.html), page.html).replace("\xa0", "&nbsp;")
        diff = difflib.unified_diff(
            original.splitlines(),
            variant.html[page.url].splitlines(),
            page.url,
            "variant",
            n=1,
            lineterm="",
        )
        print("\n".join(diff), file=out)
        print(f"content-type: {variant.pages[page.url][1]}", file=out)
    print(f"\nwarnings: {result.record['warnings']}", file=out)
    for outcome in result.outcomes:
        mark = {RIGHT: "ok", FLAGGED: "FLAGGED", SILENT: "SILENT"}[outcome.outcome]
        line = f"  {outcome.field:<15} {mark}"
        if outcome.outcome != RIGHT:
            line += f"\n      expected {_short(outcome.expected, 200)}"
            line += f"\n      got      {_short(outcome.got, 200)}"
        print(line, file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--site", default="dzwww", help="profile name, or generic")
    parser.add_argument("--show", metavar="VARIANT_ID")
    parser.add_argument("--dump", type=Path, metavar="DIR")
    parser.add_argument(
        "--summary", action="store_true", help="tables only, no list of wrong fields"
    )
    args = parser.parse_args(argv)

    variants = generate_variants(args.seed)
    if args.show:
        chosen = [v for v in variants if v.id == args.show]
        if not chosen:
            parser.error(f"no variant {args.show!r} for seed {args.seed}")
        show(chosen[0], run_variants(chosen, args.site)[0])
        return 0
    if args.dump:
        for v in variants:
            for url, (data, _) in v.pages.items():
                name = url.rsplit("/", 1)[-1]
                target = args.dump / v.id / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (args.dump / v.id / "variant.txt").write_text(v.describe() + "\n", encoding="utf-8")
    started = time.perf_counter()
    results = run_variants(variants, args.site)
    silent = print_report(results, time.perf_counter() - started, listing=not args.summary)
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main())
