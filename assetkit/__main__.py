"""`python -m assetkit` runs the command line (used by tests and cron alike)."""

from assetkit.cli import main

main()
