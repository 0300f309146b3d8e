"""The REPORT stage."""
