"""`manage.py bench NAME`: one module per benchmark, listed in `registry.BENCHMARKS`."""
