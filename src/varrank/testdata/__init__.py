"""Test and demo data: manifest of public files mirrored in ../shared/data, and derivations."""
