"""Old path of newscrawl.crawling.pipelines.ArticleRecordPipeline (kept for existing settings)."""

from newscrawl.crawling.pipelines import ArticleRecordPipeline

__all__ = ["ArticleRecordPipeline"]
