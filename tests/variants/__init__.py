"""Template-variant tests for the dzwww profile (issue 13).

``generate`` makes hundreds of variants of the replica articles (new date-line
forms, 来源/作者 forms, credit lines, caption markup, related lists, wrappers,
comments and whitespace, charsets, a missing headline), each keeping the
article's content; ``classify`` classes every field of each variant's record
as right, flagged-wrong or silently-wrong; ``report`` prints the shares per
mutation kind and every silently-wrong field (``python -m tests.variants.report``).
"""
