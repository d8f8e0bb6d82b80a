"""Repository-only helpers of the tests and benchmarks (not installed with the package).

:mod:`testing.synthetic`: a dzwww-shaped portal of any size, generated on request
(``python -m testing.synthetic --articles 2000`` from the repository root).
"""
