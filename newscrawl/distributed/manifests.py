"""Merge the manifests that the workers of one shared run wrote into one."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

_MAX_ERRORS = 50


class ManifestMergeError(ValueError):
    """Manifests that cannot be merged (unreadable, or of different runs)."""


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestMergeError(f"{path}: not a readable manifest ({exc})") from None
    if not isinstance(data, dict) or not data.get("run_id") or "counts" not in data:
        raise ManifestMergeError(f"{path}: not a run manifest (no run_id or counts)")
    return data


def merge_manifests(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    """One manifest for a shared run: counts summed, coverage weighted, files listed.

    The merged run is healthy when every worker's run was; its exit code is
    the first non-zero one in worker order and its reasons name the worker;
    finish reasons and drift statuses are listed per worker.
    """
    if not manifests:
        raise ManifestMergeError("no manifest to merge")
    runs = {m["run_id"] for m in manifests}
    spiders = {m.get("spider") for m in manifests}
    if len(runs) > 1 or len(spiders) > 1:
        raise ManifestMergeError(
            f"manifests of different runs or spiders: {sorted(runs)} {sorted(map(str, spiders))}"
        )
    ordered = sorted(manifests, key=lambda m: str(m.get("worker") or ""))
    counts: Counter[str] = Counter()
    for manifest in ordered:
        counts.update({k: v for k, v in manifest["counts"].items() if isinstance(v, int)})
    exported = counts.get("articles_exported", 0)
    coverage: dict[str, float] = {}
    for manifest in ordered:
        weight = manifest["counts"].get("articles_exported", 0)
        for name, share in (manifest.get("field_coverage") or {}).items():
            coverage[name] = coverage.get(name, 0.0) + share * weight
    exit_code = next((m["exit_code"] for m in ordered if m.get("exit_code")), 0)
    reasons = [f"{m.get('worker')}: {r}" for m in ordered for r in m.get("reasons") or []]
    errors = [f"{m.get('worker')}: {e}" for m in ordered for e in m.get("errors") or []]
    return {
        "run_id": ordered[0]["run_id"],
        "spider": ordered[0].get("spider"),
        "workers": [m.get("worker") for m in ordered],
        "started_at": min(m["started_at"] for m in ordered),
        "finished_at": max(m["finished_at"] for m in ordered),
        "finish_reasons": {str(m.get("worker")): m.get("finish_reason") for m in ordered},
        "drift_status": {
            str(m.get("worker")): (m.get("drift") or {}).get("status") for m in ordered
        },
        "exit_code": exit_code,
        "healthy": all(m.get("healthy") for m in ordered),
        "reasons": reasons,
        "counts": dict(sorted(counts.items())),
        "field_coverage": {
            name: round(total / exported, 4) if exported else 0.0
            for name, total in coverage.items()
        },
        "errors": errors[:_MAX_ERRORS],
        "data_files": [f for m in ordered for f in m.get("data_files") or []],
    }


def merge_manifest_files(paths: list[Path]) -> dict[str, Any]:
    """:func:`merge_manifests` of the manifests in ``paths``, which are listed in the result."""
    merged = merge_manifests([load_manifest(p) for p in paths])
    merged["merged_from"] = [str(p) for p in paths]
    return merged
