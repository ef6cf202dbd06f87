"""The conversion app's pages and API, one module per area (routes in conversion.routes)."""
