"""A person's identifying values made comparable: normalised e-mail, phone numbers (E.164),
company and name, and the duplicate keys stored on each lead. Pure functions: nothing here
reads the database, so the models and the duplicate matcher both build on it."""
