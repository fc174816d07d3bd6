"""Reporters: formatting of diagnostics only, one module per format."""
