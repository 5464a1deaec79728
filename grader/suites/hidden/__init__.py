"""Test suite package."""
