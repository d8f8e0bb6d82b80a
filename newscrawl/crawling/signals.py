"""Signals sent by newscrawl components (in addition to Scrapy's)."""

#: Sent (synchronously) right before a feed's temporary file is renamed into
#: place; arguments: ``path`` (the final path). Lets the state store record
#: the file it is about to commit, so a kill after the rename is recoverable.
feed_committing = object()
