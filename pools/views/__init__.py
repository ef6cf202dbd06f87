"""The pools app's pages (see urls.py)."""
