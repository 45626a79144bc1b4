"""Switchboard client: publish and consume events over the JSON mapping (see README.md)."""
