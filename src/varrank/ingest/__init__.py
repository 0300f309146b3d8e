"""The INGEST stage."""
