"""A few ``kill -9`` at random moments over a small crawl: no line lost, doubled or cut.

The light version of ``bench/kill_loop.py`` (20 kills over 1,000 articles, in
docs/reliability.md), with the same code.
"""

from __future__ import annotations

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from common import SyntheticPortal
from kill_loop import kill_loop, report


def test_kills_at_random_moments_and_at_the_rename_lose_nothing(tmp_path) -> None:
    (tmp_path / "logs").mkdir()
    result = kill_loop(SyntheticPortal(90), tmp_path, kills=4, items_per_run=20, seed=7)
    assert len(result.kills) >= 3, report(result)
    assert result.lines == 90, report(result)
    assert result.clean, report(result)
