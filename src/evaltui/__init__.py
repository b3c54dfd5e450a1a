"""evaltui: eval-driven development for AI features, in the terminal."""

__version__ = "0.1.0"
