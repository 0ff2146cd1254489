"""Write the demo business's platform exports to a folder (see docs/demo.md).

    python examples/make_demo_data.py demo-exports --seed 7

Then import them with `assetkit import demo-exports` (or run `assetkit demo`, which does both).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assetkit.demo import generate_demo  # noqa: E402
from assetkit.errors import AssetkitError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the exports to (new or an earlier demo)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives identical files")
    parser.add_argument("--manifest", action="store_true", help="print the manifest as JSON")
    args = parser.parse_args(argv)
    try:
        manifest = generate_demo(args.out_dir, seed=args.seed)
    except AssetkitError as exc:
        print(f"Error: {exc.message}" + (f"\n  {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return exc.exit_code
    if args.manifest:
        print(json.dumps(manifest.to_dict(), indent=2))
    else:
        print(f"Wrote {len(manifest.files)} files, {manifest.rows()} records, to {args.out_dir}")
        print("Suggested assetkit.yaml:\n" + manifest.config_yaml)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
