"""assetkit.yaml validation and the option > environment > file > default precedence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.config import Config, load_config, parse_config
from assetkit.errors import ConfigError
from assetkit.settings import Settings


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config == Config()
    assert config.reporting_currency == "USD" and config.discount_rate == 0.10


def test_shipped_example_is_valid() -> None:
    from importlib.resources import files

    text = files("assetkit.data").joinpath("assetkit.example.yaml").read_text(encoding="utf-8")
    path = Path("assetkit.yaml")
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.business_name == "My Export Co."
    # Nothing is charged or preferred that the user did not state (issue 18: an active Alibaba
    # membership in the template billed every Shopify-only seller 2,999 USD a year).
    assert config.recurring_fees == () and config.target_markets == ()


def test_shipped_example_fees_uncommented_are_valid() -> None:
    """The commented examples are real YAML: removing the '# ' gives a valid fee list."""
    from importlib.resources import files

    text = files("assetkit.data").joinpath("assetkit.example.yaml").read_text(encoding="utf-8")
    uncommented = text.replace("  # - platform", "  - platform").replace("  #   ", "    ")
    path = Path("assetkit.yaml")
    path.write_text(uncommented, encoding="utf-8")
    config = load_config(path)
    assert [f.platform for f in config.recurring_fees] == ["alibaba", "amazon"]
    assert config.recurring_fees[0].start == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("data", "key", "hint"),
    [
        ({"reporting_currency": "dollars"}, "reporting_currency", "ISO 4217"),
        ({"gross_margin": 1.5}, "gross_margin", "fraction"),
        ({"gross_margin": 0}, "gross_margin", "fraction"),
        ({"discount_rate": 1}, "discount_rate", "fraction"),
        ({"colour": "blue"}, "colour", "allowed top-level keys"),
        ({"target_markets": ["USA"]}, "target_markets", "two-letter"),
        ({"recurring_fees": [{"platform": "x", "amount": 1, "period": "week", "start": "2024-01-01"}]},
         "recurring_fees[0].period", "month, quarter, year"),
        ({"recurring_fees": [{"platform": "x", "amount": -5, "period": "year", "start": "2024-01-01"}]},
         "recurring_fees[0].amount", "positive"),
        ({"recurring_fees": [{"platform": "x", "amount": 5, "period": "year", "start": "soon"}]},
         "recurring_fees[0].start", "YYYY-MM-DD"),
        ({"recurring_fees": [{"platform": "x", "amount": 5, "period": "year"}]},
         "recurring_fees[0]", "start"),
        ({"recurring_fees": [{"platform": "x", "fee_type": "bribe", "amount": 5, "period": "year",
                              "start": "2024-01-01"}]}, "recurring_fees[0].fee_type", "membership"),
    ],
)
def test_bad_values_name_the_key_and_the_allowed_values(data: dict, key: str, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, Path("assetkit.yaml"))
    assert f"'{key}'" in info.value.message
    assert hint in (info.value.hint or "") + info.value.message
    assert info.value.exit_code == 2


def test_percent_strings_are_accepted() -> None:
    assert parse_config({"gross_margin": "40%"}).gross_margin == pytest.approx(0.40)


def test_unsafe_yaml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("business: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)


def test_precedence_option_over_env_over_file_over_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().db_path == Path("assetkit.duckdb")
    assert Settings().config_path is None
    Path("assetkit.yaml").write_text("database: from-file.duckdb\n", encoding="utf-8")
    assert Settings().config_path == Path("assetkit.yaml")
    assert Settings().db_path == Path("from-file.duckdb")
    monkeypatch.setenv("ASSETKIT_DB", "from-env.duckdb")
    assert Settings().db_path == Path("from-env.duckdb")
    assert Settings(db_option=Path("from-option.duckdb")).db_path == Path("from-option.duckdb")
    other = tmp_path / "other.yaml"
    other.write_text("reporting_currency: EUR\n", encoding="utf-8")
    monkeypatch.setenv("ASSETKIT_CONFIG", str(other))
    assert Settings().config.reporting_currency == "EUR"
    assert Settings(config_option=Path("assetkit.yaml")).config.reporting_currency == "USD"


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Settings(config_option=tmp_path / "nope.yaml").config  # noqa: B018 - reading the property raises
