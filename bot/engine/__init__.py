"""The conversation engine: pure data in, data out; no file, environment, network or database."""
