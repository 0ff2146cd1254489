"""Builders, fixtures and dumps shared by the test modules.

Test modules import helpers from here, never from one another: a `test_*.py` file holds tests
only, and a helper two modules need lives in `tests/helpers/<name>.py`.
"""
