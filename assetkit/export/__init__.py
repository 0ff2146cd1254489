"""assetkit.export"""
