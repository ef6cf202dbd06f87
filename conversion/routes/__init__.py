"""The conversion app's URL modules, one per area (mounted by conversion.urls)."""
