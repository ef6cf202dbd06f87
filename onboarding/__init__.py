"""The first run of a workspace: the setup checklist on the home page and the sample data."""
