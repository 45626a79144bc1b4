"""python3 -m switchboard produce|consume ..."""

from .cli import entry

entry()
