"""Tests of the Python SDK and CLI; the integration tests share one real standalone server per run."""
