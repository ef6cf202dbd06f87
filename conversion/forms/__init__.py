"""Forms of the conversion app: they parse what people type; the rules live in services."""
