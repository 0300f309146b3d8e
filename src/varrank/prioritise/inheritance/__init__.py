"""Inheritance: the pedigree and the fit of each variant's family genotypes to a mode."""
