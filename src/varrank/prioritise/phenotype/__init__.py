"""Phenotype matching: the patient's HPO terms against gene and disease annotations."""
