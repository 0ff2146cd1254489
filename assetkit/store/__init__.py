"""assetkit.store"""
