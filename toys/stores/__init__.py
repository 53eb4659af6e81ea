"""ToyStore implementations, and the record mapping they share."""
