"""The leads app's pages and API, one module per part of the product (see urls.py)."""
