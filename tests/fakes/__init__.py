"""Test doubles that speak real protocols (the fake Anthropic API server) and sample data."""
