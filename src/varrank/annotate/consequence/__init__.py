"""Gene/transcript consequences and HGVS from a real annotator (snpEff default, VEP alternative),
parsed into one schema, with one preferred transcript per variant."""
