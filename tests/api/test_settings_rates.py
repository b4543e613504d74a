"""Rate-limit settings: the shipped defaults are valid `limits` strings (so reading them skips the parse, and a
command that never limits a rate does not import `limits`); any other value is parsed and a bad one refused."""

from __future__ import annotations

import subprocess
import sys

import pytest
from limits import RateLimitItem, parse

from api.settings import DEFAULT_RATES, Settings


@pytest.mark.parametrize("rate", DEFAULT_RATES)
def test_the_defaults_are_valid_rate_strings(rate: str) -> None:
    assert isinstance(parse(rate), RateLimitItem)


def test_the_settings_use_the_defaults() -> None:
    settings = Settings()  # type: ignore[call-arg]
    assert (settings.login_limit_account, settings.login_limit_address, settings.form_rate_limit) == DEFAULT_RATES


def test_another_rate_is_parsed_and_a_bad_one_refused() -> None:
    assert Settings(form_rate_limit="3 per minute").form_rate_limit == "3 per minute"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="form_rate_limit"):
        Settings(form_rate_limit="three a minute")  # type: ignore[call-arg]


def test_default_settings_do_not_import_limits() -> None:
    code = "import sys; from api.settings import Settings; Settings(); print('limits' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
