"""Unattended runs for cron and systemd timers (`assetkit run PIPELINE.yaml`)."""
