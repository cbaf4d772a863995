"""bench/run's parts: one job per module (see bench/README.md)."""
