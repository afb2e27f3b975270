"""EM Studio input/output: reading data files and writing results atomically."""
