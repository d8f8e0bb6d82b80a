"""Item pipelines: one concern per module."""
