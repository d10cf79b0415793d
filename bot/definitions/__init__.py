"""Flow definitions apart from the engine: read, check and compile the files volunteers write."""
