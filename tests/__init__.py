"""The test suite; a package so its tooling (tests/auxil) imports by name, also from benchmarks."""
