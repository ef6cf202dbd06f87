"""The conversion app's forms, one module per part of the product."""
