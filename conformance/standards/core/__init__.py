"""Rules every credential payload meets before any data model applies: readable, well-formed containers."""
