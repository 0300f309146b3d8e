"""The PRIORITISE stage."""
