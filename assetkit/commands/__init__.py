"""assetkit.commands"""
