"""Custom property definitions for the CRM import file, so the first import needs no manual setup.

HubSpot and Salesforce match import columns to properties/fields that must already exist;
`export crm` writes their definitions next to the contacts file, from the `custom` types in
crm_columns.yaml:

- HubSpot: `<name>.properties.json`, the body of `POST /crm/v3/properties/contacts/batch/create`
  (`{"inputs": [{name, label, type, fieldType, groupName, options}]}`), and
  `<name>.properties.csv`, the same list to create by hand (Settings → Properties).
- Salesforce: `<name>.fields.csv`, one row per custom Contact field (label, API name, type,
  length / decimals, picklist values) for Setup → Object Manager → Contact → Fields.

`Buyer Stage` (HubSpot) and `Lifecycle_Stage__c` (Salesforce) are dropdowns of the documented
stages, so a value outside them is rejected by the CRM rather than stored.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

_HUBSPOT_TYPES = {"text": ("string", "text"), "number": ("number", "number"), "date": ("date", "date"),
                  "stage": ("enumeration", "select")}


def _kind(spec: str) -> tuple[str, int]:
    """'number 4' -> ('number', 4); 'number' -> ('number', 2); 'text' -> ('text', 0)."""
    kind, _, scale = spec.partition(" ")
    return kind, int(scale) if scale else (2 if kind == "number" else 0)


def hubspot_properties(spec: dict[str, Any], stages: tuple[str, ...]) -> list[dict[str, Any]]:
    """HubSpot property definitions (CRM properties API v3) for the target's custom columns."""
    out = []
    for field, type_spec in spec["custom"].items():
        kind, _ = _kind(type_spec)
        label = spec["columns"][field]
        prop: dict[str, Any] = {"name": re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_"), "label": label,
                                "type": _HUBSPOT_TYPES[kind][0], "fieldType": _HUBSPOT_TYPES[kind][1],
                                "groupName": "contactinformation", "description": f"assetkit: {field}"}
        if kind == "stage":
            prop["options"] = [{"label": s, "value": s, "displayOrder": i} for i, s in enumerate(stages)]
        out.append(prop)
    return out


def salesforce_fields(spec: dict[str, Any], stages: tuple[str, ...]) -> list[dict[str, Any]]:
    """Salesforce custom Contact fields: label, API name, type and its size, picklist values."""
    types = {"text": "Text", "number": "Number", "date": "Date", "stage": "Picklist"}
    out = []
    for field, type_spec in spec["custom"].items():
        kind, scale = _kind(type_spec)
        api = spec["columns"][field]
        out.append({"Field Label": api.removesuffix("__c").replace("_", " "), "API Name": api,
                    "Data Type": types[kind], "Length": {"text": 255, "number": 18 - scale}.get(kind, ""),
                    "Decimal Places": scale if kind == "number" else "",
                    "Picklist Values": ";".join(stages) if kind == "stage" else ""})
    return out


def write_definitions(target: str, spec: dict[str, Any], stages: tuple[str, ...], out: Path) -> list[str]:
    """Write the definition files for `target` next to `out`; their paths (none for csv)."""
    from assetkit.atomic import write_text_atomic
    from assetkit.export.output import write_csv_safe

    def table(rows: list[dict[str, Any]]) -> str:
        buffer = io.StringIO()
        write_csv_safe(([r[k] for k in rows[0]] for r in rows), list(rows[0]), buffer)
        return buffer.getvalue()

    stem = out.with_suffix("")
    if target == "hubspot":
        props = hubspot_properties(spec, stages)
        listing = [{"Label": p["label"], "Internal name": p["name"], "Field type": p["fieldType"],
                    "Group": p["groupName"], "Options": ";".join(o["value"] for o in p.get("options", []))}
                   for p in props]
        return [str(write_text_atomic(Path(f"{stem}.properties.json"),
                                      json.dumps({"inputs": props}, indent=2) + "\n")),
                str(write_text_atomic(Path(f"{stem}.properties.csv"), table(listing)))]
    if target == "salesforce":
        return [str(write_text_atomic(Path(f"{stem}.fields.csv"), table(salesforce_fields(spec, stages))))]
    return []
