// Shared test fixtures: temporary directories, free ports, external processes.
