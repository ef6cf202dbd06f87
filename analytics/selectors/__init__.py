"""Read-only figures for the reports. Nothing here writes; nothing else imports analytics."""
