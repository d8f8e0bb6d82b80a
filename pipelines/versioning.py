"""Old path of newscrawl.crawling.pipelines.VersioningPipeline (kept for existing settings)."""

from newscrawl.crawling.pipelines import VersioningPipeline

__all__ = ["VersioningPipeline"]
