"""Old path of newscrawl.crawling.pipelines.DuplicateRecordPipeline (kept for existing settings)."""

from newscrawl.crawling.pipelines import DuplicateRecordPipeline

__all__ = ["DuplicateRecordPipeline"]
