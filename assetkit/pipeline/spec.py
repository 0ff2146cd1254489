"""The pipeline file for `assetkit run`: what to import, pull and refresh, validated up front.

A cron job should fail at once on a typo, not at 3 a.m. halfway through, so the whole file is
checked before the lock is taken and every message names the key at fault.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetkit.errors import ConfigError

REPORT_FORMATS = ("html", "md", "json")
CRM_TARGETS = ("hubspot", "salesforce", "csv")
TOP_KEYS = ("database", "config", "inbox", "archive", "failed", "pulls", "outputs")
OUTPUT_KEYS = ("dir", "report", "site", "crm", "tables")


@dataclass(frozen=True)
class InboxFolder:
    path: Path
    platform: str | None = None
    kind: str | None = None
    mapping: Path | None = None


@dataclass(frozen=True)
class Pull:
    source: str
    since_days: int = 2


@dataclass(frozen=True)
class Outputs:
    dir: Path
    report_formats: tuple[str, ...] = ()
    redact: bool = False
    site: Path | None = None
    crm_target: str | None = None
    crm_file: Path | None = None
    tables: Path | None = None
    tables_format: str = "parquet"


@dataclass(frozen=True)
class PipelineSpec:
    path: Path
    inbox: tuple[InboxFolder, ...]
    archive: Path
    failed: Path
    outputs: Outputs
    pulls: tuple[Pull, ...] = ()
    database: Path | None = None
    config: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def load_pipeline(path: Path) -> PipelineSpec:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"pipeline file {path} does not exist",
                          hint="copy examples/pipeline.yaml and edit it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return parse_pipeline(data, Path(path))


def parse_pipeline(data: dict[str, Any], path: Path) -> PipelineSpec:
    base = path.parent

    def rel(value: Any) -> Path:
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else base / p

    def fail(key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(f"{path}: '{key}' {message}", hint=hint)

    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise fail(unknown[0], "is not a pipeline key", "allowed: " + ", ".join(TOP_KEYS))
    inbox_raw = data.get("inbox")
    if not inbox_raw:
        raise fail("inbox", "is missing", "name at least one folder: inbox: [{path: inbox/}]")
    if isinstance(inbox_raw, (str, dict)):
        inbox_raw = [inbox_raw]
    folders = []
    for i, item in enumerate(inbox_raw):
        key = f"inbox[{i}]"
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict) or "path" not in item:
            raise fail(key, "needs a 'path'", "e.g. - {path: inbox/etsy, platform: etsy}")
        extra = sorted(set(item) - {"path", "platform", "kind", "mapping"})
        if extra:
            raise fail(f"{key}.{extra[0]}", "is not an inbox key", "allowed: path, platform, kind, mapping")
        folders.append(InboxFolder(rel(item["path"]), item.get("platform"), item.get("kind"),
                                   rel(item["mapping"]) if item.get("mapping") else None))
    pulls = []
    for i, item in enumerate(data.get("pulls") or []):
        key = f"pulls[{i}]"
        if not isinstance(item, dict) or item.get("source") != "indiamart":
            raise fail(key, "must be a mapping with source: indiamart", "the API pulls assetkit speaks: indiamart")
        days = item.get("since_days", 2)
        if not isinstance(days, int) or days < 1 or days > 365:
            raise fail(f"{key}.since_days", f"is {days!r}", "use a whole number of days from 1 to 365")
        pulls.append(Pull("indiamart", days))
    outputs = _outputs(data.get("outputs") or {}, rel, fail, base)
    spec = PipelineSpec(
        path=path,
        inbox=tuple(folders),
        archive=rel(data.get("archive", "archive")),
        failed=rel(data.get("failed", "failed")),
        outputs=outputs,
        pulls=tuple(pulls),
        database=rel(data["database"]) if data.get("database") else None,
        config=rel(data["config"]) if data.get("config") else None,
        raw=data,
    )
    _check_output_places(spec, data.get("outputs"), fail)
    return spec


def _output_places(outputs: Outputs, raw: Any) -> list[tuple[str, Path, bool, bool]]:
    """(key, path, is a folder replaced whole, was placed by an absolute path) per output."""
    raw = raw if isinstance(raw, dict) else {}

    def absolute(own: Any) -> bool:
        if isinstance(own, dict):
            own = own.get("dir") or own.get("file")
        value = own if isinstance(own, str) else raw.get("dir")
        return isinstance(value, str) and Path(value).expanduser().is_absolute()

    found = [(f"outputs.report ({fmt})", outputs.dir / f"report.{fmt}", False, absolute(None))
             for fmt in outputs.report_formats]
    if outputs.site:
        found.append(("outputs.site", outputs.site, True, absolute(raw.get("site"))))
    if outputs.crm_file:
        found.append(("outputs.crm.file", outputs.crm_file, False, absolute(raw.get("crm"))))
    if outputs.tables:
        found.append(("outputs.tables", outputs.tables, True, absolute(raw.get("tables"))))
    return found


def _check_output_places(spec: PipelineSpec, raw_outputs: Any, fail) -> None:  # noqa: ANN001
    """Outputs stay inside the pipeline's folder unless placed by an absolute path, and never
    land on (or, for a folder replaced whole, around) the pipeline file, the database, the
    configuration, or into the inbox, archive or failed folders. Checked on the paths as
    written; symbolic links are refused when the output is written (one failed output)."""
    base = _lexical(spec.path.parent)
    keep = [(spec.path, "the pipeline file"), *((f.path, "an inbox folder") for f in spec.inbox),
            (spec.archive, "the archive folder"), (spec.failed, "the failed folder")]
    if spec.database:
        keep += [(spec.database, "the database"), (Path(f"{spec.database}.wal"), "the database's write-ahead log")]
    if spec.config:
        keep.append((spec.config, "the configuration file"))
    for key, path, folder, absolute in _output_places(spec.outputs, raw_outputs):
        where = _lexical(path)
        if not where.is_relative_to(base) and not absolute:
            raise fail(key, f"points outside the pipeline's folder ({path})",
                       "keep outputs under the pipeline's folder, or give an absolute path to put them elsewhere")
        for other, what in keep:
            at = _lexical(other)
            if at == where or (folder and at.is_relative_to(where)) or (what.endswith("folder") and where.is_relative_to(at)):
                raise fail(key, f"would write over or into {what} ({other})", "give each output a path of its own")


def _lexical(path: Path) -> Path:
    """Absolute and normalised (`..` folded) without following symbolic links."""
    return Path(os.path.normpath(os.path.abspath(path)))


def _outputs(raw: Any, rel, fail, base: Path) -> Outputs:  # noqa: ANN001
    if not isinstance(raw, dict):
        raise fail("outputs", "must be a mapping")
    unknown = sorted(set(raw) - set(OUTPUT_KEYS))
    if unknown:
        raise fail(f"outputs.{unknown[0]}", "is not an output key", "allowed: " + ", ".join(OUTPUT_KEYS))
    out_dir = rel(raw.get("dir", "out"))
    report = raw.get("report") or {}
    if isinstance(report, list):
        report = {"formats": report}
    formats = tuple(report.get("formats", ["html"])) if report is not None else ()
    bad = [f for f in formats if f not in REPORT_FORMATS]
    if bad:
        raise fail("outputs.report.formats", f"contains {bad[0]!r}", "allowed: " + ", ".join(REPORT_FORMATS))
    site = raw.get("site")
    crm = raw.get("crm")
    crm_target = crm_file = None
    if crm:
        if not isinstance(crm, dict) or crm.get("target") not in CRM_TARGETS:
            raise fail("outputs.crm.target", f"is {crm.get('target') if isinstance(crm, dict) else crm!r}",
                       "allowed: " + ", ".join(CRM_TARGETS))
        crm_target = crm["target"]
        crm_file = rel(crm.get("file", out_dir / f"crm-{crm_target}.csv"))
    tables = raw.get("tables")
    tables_format = "parquet"
    if isinstance(tables, dict):
        tables_format = tables.get("format", "parquet")
        if tables_format not in ("parquet", "csv"):
            raise fail("outputs.tables.format", f"is {tables_format!r}", "allowed: parquet, csv")
        tables = tables.get("dir", out_dir / "tables")
    elif tables is True:
        tables = out_dir / "tables"
    return Outputs(
        dir=out_dir,
        report_formats=formats,
        redact=bool(report.get("redact", False)) if isinstance(report, dict) else False,
        site=rel(site.get("dir", out_dir / "site") if isinstance(site, dict) else out_dir / "site") if site else None,
        crm_target=crm_target,
        crm_file=crm_file,
        tables=rel(tables) if tables else None,
        tables_format=tables_format,
    )
