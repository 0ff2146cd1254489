"""assetkit.demo: a seeded, realistic example business written in the platforms' real export
formats (see docs/demo.md). Heavy imports happen inside `generate_demo`."""

from assetkit.demo.generate import DemoManifest, generate_demo

__all__ = ["DemoManifest", "generate_demo"]
