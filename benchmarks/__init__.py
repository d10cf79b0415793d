"""Scripts that print performance figures (docs/benchmarks.md); run each with python -m."""
