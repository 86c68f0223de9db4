// The Controller module. See ../../README.md and the design (module map) for its job.
