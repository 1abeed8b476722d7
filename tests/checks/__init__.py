"""Tests of the app checks."""
