"""assetkit.importers"""
