"""mamori (守り): Japan's response to online defamation and harassment, end to end."""

__version__ = "0.1.0"
