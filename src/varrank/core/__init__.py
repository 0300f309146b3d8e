"""Shared pieces every stage uses: schema, errors, ledger, table I/O, genome naming."""
