"""Scenario assumptions: numbers or distributions, read from YAML and validated by key.

The defaults live in `template.yaml` next to this module (data, not code) so that the file
`assetkit scenario --template` prints is exactly what the engine uses when the user gives
nothing. Every assumption is sampled through its inverse CDF from one uniform stream per key
(`SeedSequence(seed).spawn`), so a key's draws depend only on the seed and the key: changing
one assumption, or the shift, leaves every other draw untouched (common random numbers for
`compare_shifts` and `sensitivity`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

    from assetkit.config import Config

# key -> (lowest allowed, highest allowed, what it is). The order is the sampling order.
BOUNDS: dict[str, tuple[float, float, str]] = {
    "shift": (0.0, 1.0, "a share between 0 and 1 (0.2 = 20 %)"),
    "shift_ramp_months": (1.0, 120.0, "months, at least 1"),
    "platform_ad_roas": (0.0, 100.0, "revenue per unit of platform ad spend, 0 or more"),
    "platform_ad_saturation": (0.01, 100.0, "a multiple of the platform ad budget, above 0"),
    "platform_adstock": (0.0, 0.99, "a carry-over between 0 and 0.99"),
    "owned_roas": (0.0, 100.0, "revenue per unit of spend, 0 or more"),
    "owned_saturation": (0.01, 100.0, "a multiple of the platform ad budget, above 0"),
    "owned_adstock": (0.0, 0.99, "a carry-over between 0 and 0.99"),
    "owned_half_life_months": (0.1, 120.0, "months, above 0"),
    "migration_reach": (0.0, 1.0, "a share between 0 and 1"),
    "migration_conversion": (0.0, 1.0, "a share between 0 and 1"),
    "migration_loss": (0.0, 1.0, "a share between 0 and 1"),
    "fee_reduction": (0.0, 1.0, "a share between 0 and 1"),
    "owned_clv_uplift": (0.0, 10.0, "a multiplier between 0 and 10"),
    "own_site_fee_rate": (0.0, 1.0, "a share between 0 and 1"),
    "site_build_cost": (0.0, 1e12, "an amount, 0 or more"),
    "content_cost": (0.0, 1e12, "an amount, 0 or more"),
    "owned_running_cost": (0.0, 1e12, "an amount per month, 0 or more"),
    "gross_margin": (0.0, 1.0, "a share between 0 and 1"),
    "discount_rate": (0.0, 1.0, "an annual rate between 0 and 1"),
}
BOUNDS = {"programme": (0.0, 1.0, "0 (off) or 1 (on)"), **BOUNDS}
KEYS: tuple[str, ...] = tuple(BOUNDS)
# The order of the random streams: keys added later go last, so every older key keeps its
# stream (the same seed gives the same draws as before the key existed).
STREAM_ORDER: tuple[str, ...] = tuple(k for k in KEYS if k != "programme") + ("programme",)
# Switches: a number 0 or 1, never a distribution (a half-built site is not a thing).
SWITCHES = frozenset({"programme"})
# Assumptions no published study backs (the template says so for each): the sensitivity
# table marks them, so their weight in the result is read as a guess, not a finding.
UNSOURCED = frozenset({"platform_ad_roas", "owned_roas", "owned_saturation", "migration_reach", "migration_conversion", "migration_loss", "owned_clv_uplift",
                       "owned_half_life_months", "site_build_cost", "content_cost", "owned_running_cost"})


@dataclass(frozen=True)
class Dist:
    """One assumption: `kind` is number, triangular, uniform or normal; `args` its parameters.

    number: (value,); triangular: (low, mode, high); uniform: (low, high);
    normal: (mean, sd, low, high) with the bounds always set (the key's range by default).
    """

    kind: str
    args: tuple[float, ...]

    @property
    def uncertain(self) -> bool:
        return self.kind != "number" and self.ppf_scalar(0.0) != self.ppf_scalar(1.0)

    def central(self) -> float:
        """The value of the deterministic projection: mode, midpoint, or truncated mean."""
        if self.kind == "number":
            return self.args[0]
        if self.kind == "triangular":
            return self.args[1]
        if self.kind == "uniform":
            return (self.args[0] + self.args[1]) / 2
        mean, _sd, low, high = self.args
        return min(max(mean, low), high)

    def ppf_scalar(self, q: float) -> float:
        import numpy as np

        return float(self.ppf(np.array([q]))[0])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF, vectorised: maps uniforms in [0, 1] to this distribution."""
        import numpy as np

        if self.kind == "number":
            return np.full(u.shape, self.args[0])
        if self.kind == "uniform":
            low, high = self.args
            return low + u * (high - low)
        if self.kind == "triangular":
            low, mode, high = self.args
            if high == low:
                return np.full(u.shape, low)
            split = (mode - low) / (high - low)
            left = low + np.sqrt(u * (high - low) * (mode - low))
            right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
            return np.where(u < split, left, right)
        from scipy.special import ndtr, ndtri

        mean, sd, low, high = self.args
        if sd == 0:
            return np.full(u.shape, min(max(mean, low), high))
        lo_p, hi_p = ndtr((low - mean) / sd), ndtr((high - mean) / sd)
        x = mean + sd * ndtri(lo_p + u * (hi_p - lo_p))
        return np.clip(x, low, high)

    def to_dict(self) -> Any:
        if self.kind == "number":
            return self.args[0]
        if self.kind == "normal":
            return {"normal": dict(zip(("mean", "sd", "low", "high"), self.args))}
        return {self.kind: list(self.args)}


@dataclass(frozen=True)
class Assumptions:
    """All assumptions by key, plus where each came from (template, config, file, override)."""

    values: Mapping[str, Dist]
    sources: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Dist:
        return self.values[key]

    def replace(self, **changes: Dist | float) -> Assumptions:
        """A copy with some keys changed (numbers become fixed assumptions)."""
        new = dict(self.values)
        src = dict(self.sources)
        for key, value in changes.items():
            new[key] = value if isinstance(value, Dist) else parse_value(key, value, "override")
            src[key] = "override"
        return Assumptions(new, src)

    def central(self) -> dict[str, np.ndarray]:
        """Every assumption at its central value, as length-1 arrays for the engine."""
        import numpy as np

        return {k: np.array([self.values[k].central()]) for k in KEYS}

    def sample(self, runs: int, seed: int) -> dict[str, np.ndarray]:
        """`runs` draws per key; the draws of a key depend only on (seed, key)."""
        import numpy as np

        children = np.random.SeedSequence(seed).spawn(len(STREAM_ORDER))
        out = {}
        for key, child in zip(STREAM_ORDER, children):
            u = np.random.default_rng(child).random(runs)
            out[key] = self.values[key].ppf(u)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {k: {"value": self.values[k].to_dict(), "source": self.sources.get(k, "template")} for k in KEYS}


def template_text() -> str:
    """The commented template, exactly as shipped (also the source of the defaults)."""
    return resources.files("assetkit.analysis.scenario").joinpath("template.yaml").read_text("utf-8")


def _num(key: str, value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}: {key}: expected a number, found {value!r}", hint=f"{key} is {BOUNDS[key][2]}")
    return float(value)


def _check_range(key: str, values: tuple[float, ...], where: str) -> None:
    low, high, what = BOUNDS[key]
    for v in values:
        if not low <= v <= high:
            raise ConfigError(f"{where}: {key}: {v:g} is out of range [{low:g}, {high:g}]", hint=f"{key} is {what}")


def parse_value(key: str, raw: Any, where: str) -> Dist:
    """One YAML value -> Dist, raising ConfigError that names the key and the fix."""
    if key not in BOUNDS:
        raise ConfigError(
            f"{where}: unknown assumption {key!r}",
            hint="known keys: " + ", ".join(KEYS) + " (assetkit scenario --template shows them all)",
        )
    if key in SWITCHES:
        if isinstance(raw, bool):
            raw = int(raw)
        if raw not in (0, 1) or isinstance(raw, dict):
            raise ConfigError(f"{where}: {key}: expected 0 (off) or 1 (on), found {raw!r}",
                              hint=f"{key} is a switch: on or off, not a distribution")
        return Dist("number", (float(raw),))
    if not isinstance(raw, dict):
        value = _num(key, raw, where)
        _check_range(key, (value,), where)
        return Dist("number", (value,))
    if len(raw) != 1:
        raise ConfigError(
            f"{where}: {key}: a distribution has exactly one of triangular, uniform, normal; found {sorted(raw)}",
            hint="e.g. {triangular: [low, mode, high]}",
        )
    (kind, args), = raw.items()
    shapes = {"triangular": 3, "uniform": 2}
    if kind in shapes:
        if not isinstance(args, list) or len(args) != shapes[kind]:
            raise ConfigError(f"{where}: {key}: {kind} takes a list of {shapes[kind]} numbers, found {args!r}")
        nums = tuple(_num(key, a, where) for a in args)
        if list(nums) != sorted(nums):
            raise ConfigError(f"{where}: {key}: {kind} values must be in order low <= ... <= high, found {list(nums)}")
        _check_range(key, nums, where)
        return Dist(kind, nums)
    if kind == "normal":
        if not isinstance(args, dict) or not {"mean", "sd"} <= set(args) or set(args) - {"mean", "sd", "low", "high"}:
            raise ConfigError(
                f"{where}: {key}: normal takes {{mean, sd, low, high}} (low/high optional), found {args!r}",
                hint="e.g. {normal: {mean: 0.3, sd: 0.05, low: 0.2, high: 0.4}}",
            )
        mean, sd = _num(key, args["mean"], where), _num(key, args["sd"], where)
        low = _num(key, args.get("low", BOUNDS[key][0]), where)
        high = _num(key, args.get("high", BOUNDS[key][1]), where)
        if sd < 0 or low > high:
            raise ConfigError(f"{where}: {key}: normal needs sd >= 0 and low <= high")
        _check_range(key, (low, high), where)
        return Dist("normal", (mean, sd, low, high))
    raise ConfigError(
        f"{where}: {key}: unknown distribution {kind!r}", hint="use a number, triangular, uniform or normal"
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read assumptions file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"assumptions file {path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"assumptions file {path}: expected key: value lines, found {type(data).__name__}")
    return data


def load_assumptions(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    config: Config | None = None,
) -> Assumptions:
    """Defaults from the template, then assetkit.yaml (gross_margin, discount_rate and its
    `scenario:` section), then the user's file, then `overrides` (e.g. --shift); later layers win."""
    import yaml

    defaults = yaml.safe_load(template_text())
    values = {k: parse_value(k, defaults[k], "template") for k in KEYS}
    sources = dict.fromkeys(KEYS, "template")
    if config is not None:
        stated = {"gross_margin": config.gross_margin, "discount_rate": config.discount_rate}
        for key, value in stated.items():
            if key in config.raw or not config.raw:
                values[key] = parse_value(key, value, "assetkit.yaml")
                sources[key] = "config"
        for key, value in config.section("scenario").items():
            values[str(key)] = parse_value(str(key), value, "assetkit.yaml scenario")
            sources[str(key)] = "config"
    if path is not None:
        for key, raw in _read_yaml(Path(path)).items():
            values[str(key)] = parse_value(str(key), raw, str(path))
            sources[str(key)] = "file"
    for key, raw in (overrides or {}).items():
        values[key] = parse_value(key, raw, "override")
        sources[key] = "override"
    return Assumptions(values, sources)
