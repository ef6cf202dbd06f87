"""Number formats for Simplified Chinese: amounts grouped by thousands (12,345,678.00), as
Chinese finance and CRM screens show them (Django's own zh_Hans formats do not group)."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
