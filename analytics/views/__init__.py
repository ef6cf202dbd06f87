"""Analytics pages, one module per report. Thin: filters from the URL, figures from
analytics.selectors, shared parts in ``common``."""
