"""Made-up records and runs for the drift tests: healthy ones vary as a portal's do."""

from __future__ import annotations

import random
from dataclasses import replace

from newscrawl.runs.drift import JUDGED
from newscrawl.runs.history import RunSummary
from newscrawl.runs.stats import RunStats

CRAWLED = "2026-12-06T02:00:00+00:00"  # 10:00 in China: the crawl day is 2026-12-06


def make_record(index: int, **changes: object) -> dict:
    """A plausible record; keyword arguments replace fields."""
    record = {
        "id": f"site-{index:020x}",
        "site": "site",
        "url": f"https://news.example.cn/a/{index}.htm",
        "title": "山东新闻标题第" + str(index) + "号报道全文",
        "published_date": "2026-12-05",
        "published_at": "2026-12-05T09:30:00+08:00",
        "published_raw": "2026-12-05 09:30",
        "source": "大众网",
        "authors": ["张三"],
        "credits": [{"role": "editor", "label": "责编", "name": "王婷"}],
        "breadcrumb": ["首页", "新闻"],
        "paragraphs": [f"第{index}篇第{n}段，内容各不相同。" * 4 for n in range(5)],
        "images": [{"url": "https://news.example.cn/1.jpg", "caption": "图注", "position": 1}],
        "crawled_at": CRAWLED,
        "warnings": [],
    }
    record.update(changes)
    record["body"] = "\n".join(record["paragraphs"])
    return record


AUTHORS = ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "冯一", "陈二"]
EDITORS = ["王婷", "路时川", "刘丽丽", "张宪坤"]
SOURCES = ["大众网", "大众网", "大众网", "大众日报", "齐鲁晚报", "新华社"]


def healthy_record(rng: random.Random, index: int) -> dict:
    """A record of a healthy run: lengths, coverage and values vary as on a real portal."""
    paragraphs = [
        "".join(
            rng.choice("山东济南青岛烟台农业工业记者采访发展项目")
            for _ in range(rng.randint(20, 90))
        )
        for _ in range(rng.randint(3, 12))
    ]
    day = rng.randint(1, 5)
    record = make_record(
        index,
        paragraphs=paragraphs,
        authors=rng.sample(AUTHORS, rng.choice([1, 1, 2])) if rng.random() < 0.92 else [],
        source=rng.choice(SOURCES),
        credits=[
            {"role": "editor", "label": "责编", "name": rng.choice(EDITORS)}
            for _ in range(1 if rng.random() < 0.97 else 0)
        ],
        images=[
            {"url": "i.jpg", "caption": "图" if rng.random() < 0.8 else None, "position": 0}
            for _ in range(rng.choice([0, 0, 1, 1, 2, 4]))
        ],
        published_date=f"2026-12-0{day}" if rng.random() > 0.05 else "2026-12-06",
        published_at=None if rng.random() < 0.3 else f"2026-12-0{day}T08:00:00+08:00",
        warnings=["short_body"] if rng.random() < 0.03 else [],
    )
    if not record["authors"]:
        record["warnings"].append("no_author")
    return record


def healthy_run(seed: int, size: int | None = None) -> RunStats:
    rng = random.Random(seed)
    size = size if size is not None else rng.randint(5, 60)
    return RunStats.from_records(healthy_record(rng, seed * 1000 + i) for i in range(size))


def baseline(count: int = 10) -> list[RunStats]:
    return [healthy_run(seed) for seed in range(count)]


def drifted_run(seed: int, size: int, alter) -> RunStats:
    rng = random.Random(seed)
    return RunStats.from_records(alter(healthy_record(rng, i), i) for i in range(size))


def summary(site: str, index: int, healthy: bool = True, **changes: object) -> RunSummary:
    run = RunSummary(
        site=site,
        run_id=f"run-{index:03d}",
        started_at=f"2026-12-06T10:{index:02d}:00+00:00",
        finished_at=f"2026-12-06T10:{index:02d}:30+00:00",
        stats=healthy_run(index, size=10),
        exit_code=0 if healthy else 6,
        healthy=healthy,
        drift_status=JUDGED,
    )
    return replace(run, **changes)
