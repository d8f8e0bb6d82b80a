"""Signals sent by newscrawl components (in addition to Scrapy's)."""

#: Sent (synchronously) right before a feed's temporary file is renamed into
#: place; arguments: ``path`` (the final path) and ``temp`` (the temporary file).
#: Lets the state store record the file it is about to commit, so a kill after
#: the rename is recoverable. A receiver that raises stops the rename.
feed_committing = object()
