"""assetkit.demo"""
