"""PED parsing: the real AJ trio PED, and one tiny PED per bad-input case, named for it."""

from __future__ import annotations

import pytest

from varrank.core.errors import InputError
from varrank.core.pedigree import check_samples, read_ped


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_real_trio_ped(shared_data):
    ped = read_ped(shared_data / "variants/patients/slivar_ashk-trio.ped", "HG002", "male")
    assert ped.parents("HG002") == ("HG003", "HG004")
    assert ped.sex_of("HG004") == "female" and ped.affected() == ["HG002"]
    assert ped.warnings == []


def test_sex_conflict_father_recorded_female(tmp_path):
    path = write(tmp_path, "sex_conflict.ped",
                 "f1 kid dad mum 1 2\nf1 dad 0 0 2 1\nf1 mum 0 0 2 1\n")
    ped = read_ped(path, "kid")
    assert any("sex conflict" in w and "'dad'" in w and "sex_conflict.ped:2" in w
               for w in ped.warnings)
    assert ped.sex_of("dad") == "unknown"
    assert ped.parents("kid") == ("dad", "mum")  # link kept; only the sex is untrusted


def test_sex_conflict_between_ped_and_sample_data(tmp_path):
    path = write(tmp_path, "proband_sex_conflict.ped", "f1 kid 0 0 2 2\n")
    ped = read_ped(path, "kid", proband_sex="male")
    assert ped.sex_of("kid") == "unknown"
    assert "female in the PED but male" in ped.warnings[0]


def test_missing_parent_is_treated_as_absent(tmp_path):
    path = write(tmp_path, "missing_parent.ped", "f1 kid dad mum 1 2\nf1 mum 0 0 2 1\n")
    ped = read_ped(path, "kid")
    assert any("father 'dad' of 'kid' has no PED line" in w for w in ped.warnings)
    assert "dad" not in ped.people


def test_parent_who_is_their_own_ancestor(tmp_path):
    path = write(tmp_path, "own_ancestor.ped",
                 "f1 kid dad mum 1 2\nf1 dad kid 0 1 1\nf1 mum 0 0 2 1\n")
    ped = read_ped(path, "kid")
    assert any("own ancestor" in w for w in ped.warnings)
    # the cycle is broken: walking up from anyone terminates
    for pid in ped.people:
        seen, stack = set(), [pid]
        while stack:
            p = stack.pop()
            assert p not in seen
            seen.add(p)
            stack += [x for x in ped.parents(p) if x in ped.people]


def test_individual_listed_as_own_parent(tmp_path):
    path = write(tmp_path, "self_parent.ped", "f1 kid kid 0 1 2\n")
    ped = read_ped(path, "kid")
    assert ped.parents("kid") == (None, None)
    assert "own parent" in ped.warnings[0]


def test_members_absent_from_vcf(tmp_path):
    path = write(tmp_path, "absent_member.ped",
                 "f1 kid dad mum 1 2\nf1 dad 0 0 1 1\nf1 mum 0 0 2 1\nf1 sib dad mum 2 1\n")
    ped = read_ped(path, "kid")
    assert check_samples(ped, {"kid", "dad", "mum"}, "kid") == ["sib"]
    assert "sib not in the VCF" in ped.warnings[-1]


def test_malformed_lines_skipped_good_lines_kept(tmp_path):
    path = write(tmp_path, "short_line.ped", "# comment\nf1 kid 0 0\nf1 mum 0 0 2 1\n")
    ped = read_ped(path)
    assert list(ped.people) == ["mum"]
    assert "short_line.ped:2" in ped.warnings[0]


def test_empty_or_missing_ped_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no valid individuals"):
        read_ped(write(tmp_path, "empty.ped", "# nothing\n"))
    with pytest.raises(InputError, match="not found"):
        read_ped(tmp_path / "nope.ped")
