"""Territories, typologies and geometry: the one place that knows about geography."""
