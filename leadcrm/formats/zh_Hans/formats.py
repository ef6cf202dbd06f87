"""Number formats for Simplified Chinese: amounts grouped by thousands (12,345,678.00), as
Chinese finance and CRM screens show them (Django's own zh_Hans formats do not group)."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# "12月3日", not Django's zero-padded "12月03日" (the weekly digest's date range).
MONTH_DAY_FORMAT = "n月j日"
