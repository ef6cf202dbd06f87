"""The conversion app's forms."""
