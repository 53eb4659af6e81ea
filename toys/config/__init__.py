"""Configuration: flags and TOYS_* variables into one frozen Settings, shared defaults, and
files that are followed while the server runs."""
