"""Extract variants through the same path as the replica tests and class their fields."""

from __future__ import annotations

from dataclasses import dataclass

from tests.replica_pages import comparable, extract_article
from tests.variants.classify import FieldOutcome, classify
from tests.variants.generate import Variant


@dataclass
class VariantResult:
    """A variant, the record extracted from it and the class of each field."""

    variant: Variant
    record: dict
    outcomes: list[FieldOutcome]


def run_variant(variant: Variant, site: str = "dzwww") -> VariantResult:
    """Extract a variant's article from its pages (``site="generic"``: the profile-free
    extractor, as ``newscrawl extract --site auto`` uses for an unknown portal)."""
    _, record = extract_article(variant.url, site, variant.fetch)
    return VariantResult(variant, record, classify(variant.expected, comparable(record)))


def run_variants(variants: list[Variant], site: str = "dzwww") -> list[VariantResult]:
    return [run_variant(v, site) for v in variants]
