"""assetkit.analysis"""
