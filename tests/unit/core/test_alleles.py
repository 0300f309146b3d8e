"""core.alleles: one classification of REF/ALT strings, Python and Arrow alike."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from varrank.core.alleles import (NON_SEQUENCE_LIST_PATTERN, SEQUENCE_LIST_PATTERN, AlleleClass,
                                  allele_class, is_valid_allele, sequence_mask)

CASES = [("A", AlleleClass.SEQUENCE), ("acgtN", AlleleClass.SEQUENCE),
         ("R", AlleleClass.IUPAC), ("ACRT", AlleleClass.IUPAC), ("*", AlleleClass.SPANNING_DELETION),
         ("<DEL>", AlleleClass.SYMBOLIC), ("<NON_REF>", AlleleClass.SYMBOLIC),
         ("G]17:198982]", AlleleClass.BREAKEND), ("[13:123457[T", AlleleClass.BREAKEND),
         (".", AlleleClass.MISSING), ("", AlleleClass.MISSING), ("A-C", AlleleClass.OTHER),
         ("AX", AlleleClass.OTHER)]


@pytest.mark.parametrize("allele,cls", CASES)
def test_allele_class(allele, cls):
    assert allele_class(allele) is cls
    assert is_valid_allele(allele) == (cls in (AlleleClass.SEQUENCE, AlleleClass.SPANNING_DELETION,
                                               AlleleClass.SYMBOLIC, AlleleClass.BREAKEND))


def test_column_wise_rules_match_the_python_rule():
    alleles = [a for a, _ in CASES] + [None]
    mask = sequence_mask(pa.chunked_array([alleles[:5], alleles[5:]]))
    assert mask.tolist() == [a is not None and allele_class(a) is AlleleClass.SEQUENCE for a in alleles]
    joined = pa.array(["A,C", "A,<DEL>", "*", "A,*", "G]1:5]", "A,R", "<DUP>"])
    assert pc.match_substring_regex(joined, SEQUENCE_LIST_PATTERN).to_pylist() == [
        True, False, False, False, False, False, False]
    assert pc.match_substring_regex(joined, NON_SEQUENCE_LIST_PATTERN).to_pylist() == [
        False, True, True, True, True, False, True]
