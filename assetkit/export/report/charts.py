"""Vega-Lite chart specs for the report, rendered to SVG offline with vl-convert.

Why vl-convert: charts stay declarative data (a spec per chart, no plotting code), rendering
needs no browser, no network and no font download, and the SVG it writes contains no script.
The SVG is still passed through `sanitise_svg` before it is inlined, because chart labels
come from user data (channel names, product names).
"""

from __future__ import annotations

import re
from typing import Any

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_BASE_CONFIG = {
    "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridColor": "#e5e7eb"},
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
}


def _spec(data: list[dict[str, Any]], body: dict[str, Any], width: int = 560, height: int = 240) -> dict[str, Any]:
    return {"$schema": _SCHEMA, "width": width, "height": height, "config": _BASE_CONFIG,
            "data": {"values": data}, **body}


def line_chart(data: list[dict[str, Any]], x: str, y: str, color: str, *, y_title: str,
               y_format: str = ",.0f", x_type: str = "ordinal") -> dict[str, Any]:
    return _spec(data, {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": x, "type": x_type, "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": y, "type": "quantitative", "title": y_title, "axis": {"format": y_format}},
            "color": {"field": color, "type": "nominal", "title": None},
        },
    })


def stacked_bar(data: list[dict[str, Any]], x: str, y: str, color: str, *, y_title: str,
                y_format: str = ",.0f") -> dict[str, Any]:
    return _spec(data, {
        "mark": "bar",
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": y, "type": "quantitative", "title": y_title, "axis": {"format": y_format},
                  "stack": "zero"},
            "color": {"field": color, "type": "nominal", "title": None},
        },
    })


def bar_chart(data: list[dict[str, Any]], category: str, value: str, *, x_title: str,
              x_format: str = ",.0f") -> dict[str, Any]:
    return _spec(data, {
        "mark": "bar",
        "encoding": {
            "y": {"field": category, "type": "nominal", "title": None, "sort": "-x"},
            "x": {"field": value, "type": "quantitative", "title": x_title, "axis": {"format": x_format}},
        },
    }, height=max(60, 28 * len({d.get(category) for d in data})))


def heatmap(data: list[dict[str, Any]], x: str, y: str, value: str, *, value_title: str,
            x_title: str = "periods since first order") -> dict[str, Any]:
    return _spec(data, {
        "mark": "rect",
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": x_title},
            "y": {"field": y, "type": "ordinal", "title": "cohort"},
            "color": {"field": value, "type": "quantitative", "title": value_title,
                      "scale": {"scheme": "blues", "domain": [0, 1]},
                      "legend": {"format": ".0%", "gradientLength": 240, "values": [0, 0.25, 0.5, 0.75, 1]}},
        },
    }, height=max(120, 14 * len({d.get(y) for d in data})))


def fan_chart(data: list[dict[str, Any]], x: str, low: str, mid: str, high: str, *, y_title: str) -> dict[str, Any]:
    return _spec(data, {
        "layer": [
            {"mark": {"type": "area", "opacity": 0.25, "color": "#2563eb"},
             "encoding": {"x": {"field": x, "type": "quantitative", "title": "month",
                                "scale": {"nice": False, "zero": False}},
                          "y": {"field": low, "type": "quantitative", "title": y_title},
                          "y2": {"field": high}}},
            {"mark": {"type": "line", "color": "#1d4ed8"},
             "encoding": {"x": {"field": x, "type": "quantitative"},
                          "y": {"field": mid, "type": "quantitative"}}},
            # the zero line is decorative: no ARIA role, so screen readers (and axe) skip it
            {"mark": {"type": "rule", "strokeDash": [4, 4], "color": "#6b7280", "aria": False},
             "encoding": {"y": {"datum": 0}}},
        ],
    })


_UNSAFE = re.compile(r"<\s*(script|foreignObject|iframe|object|embed)\b.*?(</\s*\1\s*>|/>)", re.I | re.S)
_EVENT_ATTR = re.compile(r"\s on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)".replace(" ", ""), re.I)
_JS_HREF = re.compile(r"(href\s*=\s*[\"'])\s*javascript:[^\"']*", re.I)


def sanitise_svg(svg: str) -> str:
    """Drop anything executable from an SVG before it is inlined into HTML."""
    svg = _UNSAFE.sub("", svg)
    svg = _EVENT_ATTR.sub("", svg)
    return _JS_HREF.sub(r"\1#", svg)


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return sanitise_svg(svg)
