// The Store module. See ../../README.md and the design (module map) for its job.
