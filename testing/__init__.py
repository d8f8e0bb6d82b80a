"""Repository-only helpers of the tests and benchmarks (not installed with the package).

- :mod:`testing.synthetic`: a dzwww-shaped portal of any size, generated on request
  (``python -m testing.synthetic --articles 2000`` from the repository root);
- :mod:`testing.faults`: a portal that injects faults per path pattern and rate
  (``python -m testing.faults --fault 'PATTERN=KIND[:ARG][@RATE]'``);
- :mod:`testing.hostile`: hostile pages (deep nesting, huge text, gzip bombs …);
- :mod:`testing.measure`: a command's exit code, wall time and peak RSS;
- :mod:`testing.addresses`: the address-check allowance of crawls of local servers;
- :mod:`testing.redis_server`: real redis-server processes and shared-crawl workers.
"""
