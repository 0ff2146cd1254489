"""docs/profiles.md documents exactly the keys the profile loader accepts, and the loader
rejects every other key at each level, naming the file and the key.

The documented keys are the first cells of the page's tables written as a key path in
backticks (`read.earliest`, `fields.<name>.col`, `outputs[].supersedes`, top-level keys
bare); `registry.KEY_LISTS` gives the loader's keys under the same paths.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from assetkit.errors import ConfigError
from assetkit.importers.registry import KEY_LISTS, check_supersedes, profile_from_dict
from tests.helpers.paths import REPO

DOC = REPO / "docs" / "profiles.md"
KEY_ROW = re.compile(r"^\| `([a-z_]+(?:\.<name>|\[\])?(?:\.[a-z_]+)?)` \|", re.MULTILINE)
EXCERPT = re.compile(r"```yaml\n# (assetkit/importers/profiles/[a-z0-9_]+\.yaml)\n(.*?)```", re.DOTALL)


def _documented() -> dict[str, set[str]]:
    """Level path -> the keys docs/profiles.md documents there."""
    found: dict[str, set[str]] = {}
    for path in KEY_ROW.findall(DOC.read_text(encoding="utf-8")):
        level, _, key = path.rpartition(".")
        found.setdefault(level, set()).add(key)
    return found


def test_every_key_the_loader_accepts_is_documented() -> None:
    documented = _documented()
    for level, keys in KEY_LISTS.items():
        missing = sorted(set(keys) - documented.get(level, set()))
        assert not missing, f"docs/profiles.md does not document {[f'{level}.{k}'.lstrip('.') for k in missing]}"


def test_every_documented_key_is_one_the_loader_accepts() -> None:
    for level, keys in _documented().items():
        assert level in KEY_LISTS, f"docs/profiles.md documents keys under {level!r}, a level the loader does not know"
        extra = sorted(keys - set(KEY_LISTS[level]))
        assert not extra, f"docs/profiles.md documents {[f'{level}.{k}'.lstrip('.') for k in extra]}, unknown to the loader"


def _base() -> dict[str, Any]:
    """A valid profile with every level present."""
    return {"name": "x", "platform": "x", "kind": "fees", "channel": "marketplace",
            "detect": {"required": ["A"]}, "read": {"earliest": "2005-01-01"},
            "fields": {"a": {"col": "A"}}, "buyer": {"ref": "a"},
            "outputs": [{"table": "fees", "key": "a", "values": {"amount": "1"}}],
            "reconcile": [{"name": "n", "label": "sum of A", "expected": "sum(1)", "got": {"fees": "sum(amount)"}}]}


def _level(profile: dict[str, Any], level: str) -> dict[str, Any]:
    return {"": profile, "detect": profile["detect"], "read": profile["read"], "fields.<name>": profile["fields"]["a"],
            "outputs[]": profile["outputs"][0], "reconcile[]": profile["reconcile"][0], "buyer": profile["buyer"]}[level]


def test_the_base_profile_is_valid() -> None:
    assert profile_from_dict(_base(), "x.yaml").name == "x"


@pytest.mark.parametrize("level", sorted(KEY_LISTS))
def test_an_unknown_key_at_any_level_is_refused_naming_the_file_and_the_key(level: str) -> None:
    profile = _base()
    _level(profile, level)["earliset"] = "2005-01-01"
    with pytest.raises(ConfigError, match=r"^my_shop\.yaml: .*unknown key 'earliset'") as caught:
        profile_from_dict(profile, "my_shop.yaml")
    assert "allowed keys here:" in (caught.value.hint or "")


@pytest.mark.parametrize("level", ["detect", "read", "buyer"])
def test_a_level_that_is_not_a_mapping_is_refused_naming_it(level: str) -> None:
    profile = {**_base(), level: "oops"}
    with pytest.raises(ConfigError, match=rf"^x\.yaml: {level}: expected a mapping of keys, found str"):
        profile_from_dict(profile, "x.yaml")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("fields", ["A", "B"], r"^x\.yaml: fields: expected a mapping"),
    ("outputs", {"table": "fees"}, r"^x\.yaml: outputs: expected a list"),
])
def test_fields_and_outputs_of_the_wrong_shape_are_refused(key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        profile_from_dict({**_base(), key: value}, "x.yaml")


@pytest.mark.parametrize(("place", "named"), [
    (lambda p: p["outputs"][0]["values"].update(amount=0), r"outputs\[0\]\.values\.amount"),
    (lambda p: p["outputs"][0].update(key=5), r"outputs\[0\]\.key"),
    (lambda p: p["outputs"][0].update(where=True), r"outputs\[0\]\.where"),
    (lambda p: p["buyer"].update(ref=1), r"buyer\.ref"),
    (lambda p: p.update(skip=False), r"skip"),
])
def test_sql_written_as_a_bare_yaml_number_or_boolean_is_refused_naming_the_key(place: Any, named: str) -> None:
    profile = _base()
    place(profile)
    with pytest.raises(ConfigError, match=rf"^x\.yaml: {named}: expected an SQL expression in a string") as caught:
        profile_from_dict(profile, "x.yaml")
    assert (caught.value.hint or "").startswith("quote it")


def test_output_values_that_are_not_a_mapping_are_refused() -> None:
    profile = _base()
    profile["outputs"][0]["values"] = ["amount"]
    with pytest.raises(ConfigError, match=r"^x\.yaml: outputs\[0\]\.values: expected a mapping"):
        profile_from_dict(profile, "x.yaml")


@pytest.mark.parametrize(("key", "value"), [("kind", "order"), ("channel", "shop")])
def test_an_unknown_kind_or_channel_is_refused_naming_the_choices(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^x\.yaml: {key}: '{value}' is not one of \w+, "):
        profile_from_dict({**_base(), key: value}, "x.yaml")


def test_a_trailer_that_is_not_a_regular_expression_is_refused_naming_it() -> None:
    profile = _base()
    profile["read"]["trailer"] = ["^ok$", "(unclosed"]
    with pytest.raises(ConfigError, match=r"^x\.yaml: read\.trailer\[1\]: '\(unclosed' is not a regular expression"):
        profile_from_dict(profile, "x.yaml")


def test_supersedes_must_name_a_profile_of_the_set() -> None:
    stand_in = profile_from_dict(_base(), "x.yaml")
    ledger = _base()
    ledger["name"] = "ledger"
    ledger["outputs"][0]["supersedes"] = ["x"]
    check_supersedes([("x.yaml", stand_in), ("ledger.yaml", profile_from_dict(ledger, "ledger.yaml"))])
    ledger["outputs"][0]["supersedes"] = ["y"]
    with pytest.raises(ConfigError, match=r"^ledger\.yaml: outputs\[0\]\.supersedes: 'y' is not a profile"):
        check_supersedes([("x.yaml", stand_in), ("ledger.yaml", profile_from_dict(ledger, "ledger.yaml"))])


def test_the_worked_example_is_quoted_unchanged_from_its_profile() -> None:
    excerpts = EXCERPT.findall(DOC.read_text(encoding="utf-8"))
    assert len(excerpts) >= 3, "docs/profiles.md: the worked example's excerpts were not found"
    for path, text in excerpts:
        assert text in (REPO / path).read_text(encoding="utf-8"), \
            f"docs/profiles.md quotes {path} in a form the file no longer has:\n{text}"
