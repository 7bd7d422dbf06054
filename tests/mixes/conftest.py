"""Session fixtures of the mix tests: a finished run and its export (see tests/mix_fixtures.py)."""

from tests.mix_fixtures import mix_export, mix_run  # noqa: F401
