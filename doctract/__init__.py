"""doctract: turn REST API tutorials into contract tests."""

__version__ = "0.1.0"
