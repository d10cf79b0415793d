"""Test tooling shared by tests and benchmarks: update factories, session stores, flow checks,
and a fake Bot API server that validates every call against the official specification."""
