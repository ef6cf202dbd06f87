"""The conversion app's services: converting a lead (convert), and changing customers,
contacts and opportunities (records)."""
