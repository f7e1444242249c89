"""ml-gates: quality and safety gates for machine-learning repositories, on one policy file."""

__version__ = "0.2.0"
