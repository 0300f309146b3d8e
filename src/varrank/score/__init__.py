"""The SCORE stage."""
