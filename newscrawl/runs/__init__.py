"""What is known about runs: their statistics, history and verdicts (no Scrapy)."""
