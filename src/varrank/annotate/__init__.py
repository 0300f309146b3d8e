"""The ANNOTATE stage."""
