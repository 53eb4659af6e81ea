"""toyctl: the command-line client of toy-factory."""
