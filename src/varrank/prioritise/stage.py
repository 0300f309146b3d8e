"""PRIORITISE: evidence, phenotype match, inheritance fit and rank for one patient's table.

``prioritise_table`` is the pure function (table in, table out) that the benchmark and
``varrank run`` call in-process; ``run_prioritise`` adds the file I/O of the CLI contract:
``<out>/<patient>.prioritise.parquet`` and ``<patient>.prioritise.ledger.json``.

Only ``--hpo`` (and the HPO release) changes the phenotype part; nothing earlier in the
chain reads HPO terms, so re-ranking with new terms re-runs PRIORITISE and REPORT only.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa

from varrank.core import schema
from varrank.core.errors import InputError
from varrank.core.frequency import FILTERING_AF_COLUMNS
from varrank.core.genome import bare_name, is_mitochondrial
from varrank.core.ledger import Ledger
from varrank.core.stage_io import attach_columns, read_stage_table, write_stage_outputs
from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import AcmgClass, EvidenceKind, EvidenceStatus, Stage, Zygosity
from varrank.prioritise import acmg
from varrank.prioritise.acmg.clinvar import clinvar_rank_points
from varrank.prioritise.acmg.computational import pangolin_rank_points
from varrank.prioritise.acmg.combine import (acmg_points, classify_2015, classify_points,
                                             posterior_probability)
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import Row
from varrank.prioritise.acmg.protein_index import ProteinIndex
from varrank.prioritise.acmg import mito
from varrank.prioritise.acmg.thresholds import Thresholds
from varrank.prioritise.consequence_prior import impact_of
from varrank.prioritise.inheritance import modes as inh
from varrank.prioritise.inheritance.mito import heteroplasmy_factor
from varrank.core.pedigree import Pedigree, check_samples, read_ped, single_sample
from varrank.prioritise.phenotype.excluded import ExcludedTerms, consistent_exclusions
from varrank.prioritise.phenotype.hpo_index import HpoIndex, hp_id, load_index
from varrank.prioritise.phenotype.similarity import GeneMatch, PatientProfile, match_gene
from varrank.prioritise.phenotype.terms import resolve_terms
from varrank.prioritise.rank import RankWeights, inheritance_factor, phenotype_factor

LOG = logging.getLogger(__name__)

# Ablation switches (benchmark, --skip-evidence): evidence kinds -> what they switch off.
K = EvidenceKind
EVIDENCE_KINDS = {
    K.PVS1: {"PVS1"}, K.PROTEIN: {"PS1", "PM5"}, K.FREQUENCY: {"PM2", "BA1", "BS1"},
    K.LENGTH: {"PM4", "BP3"}, K.COMPUTATIONAL: {"PP3", "BP4", "BP7"}, K.CLINVAR: {"ClinVar", "MITOMAP"},
    K.CONSEQUENCE: set(), K.PHENOTYPE: set(), K.INHERITANCE: set(), K.EXCLUDED_PHENOTYPE: set(),
}
assert set(EVIDENCE_KINDS) == set(EvidenceKind)
# database assertions' evidence kinds in evidence_json (ranking only)
ASSERTION_KINDS = {"ClinVar": "clinvar", "MITOMAP": "mitomap"}


@dataclass
class PrioritiseOptions:
    hpo: list[str] = field(default_factory=list)
    hpo_excluded: list[str] = field(default_factory=list)   # features looked for, absent
    ped: Path | None = None
    hpo_dir: Path | None = None
    clinvar_protein: Path | None = None
    lof_genes: Path | None = None
    preset: Path | None = None
    skip: frozenset[str] = frozenset()


@dataclass
class Resources:
    """Loaded once and reusable across patients (the benchmark shares them)."""

    index: HpoIndex | None
    protein_index: ProteinIndex | None
    lof_genes: frozenset[str] | None
    thresholds: Thresholds
    weights: RankWeights


def load_resources(options: PrioritiseOptions) -> Resources:
    thresholds, weights = Thresholds(), RankWeights()
    if options.preset:
        try:
            preset = json.loads(Path(options.preset).read_text())
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read preset: {err}", path=options.preset) from err
        thresholds = Thresholds.from_mapping(preset.get("thresholds"))
        weights = RankWeights.from_mapping(preset.get("ranking"))
    lof = None
    if options.lof_genes:
        path = Path(options.lof_genes)
        if not path.is_file():
            raise InputError("LoF gene list not found", path=path)
        lof = frozenset(line.split()[0] for line in path.read_text().splitlines()
                        if line.strip() and not line.startswith("#"))
    protein = ProteinIndex.load(options.clinvar_protein) if options.clinvar_protein else None
    return Resources(load_index(options.hpo_dir), protein, lof, thresholds, weights)


def run_prioritise(in_path: Path | str, out_dir: Path | str,
                   options: PrioritiseOptions) -> dict[str, Path]:
    table, metadata = read_stage_table(in_path, Stage.PRIORITISE)
    resources = load_resources(options)
    out_table, ledger, info = prioritise_table(table, metadata, options, resources)
    out_meta = dataclasses.replace(metadata.with_stage(Stage.PRIORITISE, **info),
                                   hpo_terms=list(info["hpo_terms"]),
                                   hpo_excluded=list(info["hpo_excluded"]))
    return write_stage_outputs(Stage.PRIORITISE, out_dir, metadata.patient, table=out_table,
                               meta=out_meta, ledger=ledger)


def prioritise_table(table: pa.Table, metadata: TableMetadata | Mapping[str, Any],
                     options: PrioritiseOptions,
                     resources: Resources, evidence_cache: dict | None = None,
                     explain: bool = True) -> tuple[pa.Table, Ledger, dict[str, Any]]:
    """Prioritise one patient's table in memory.

    ``evidence_cache`` (a dict the caller keeps) reuses a row's ACMG evidence across calls
    with the *same* ``resources``, keyed by variant and switched-off evidence: re-ranking
    the same table with other HPO terms (the benchmark's many cases over one background)
    then costs only the phenotype and ranking steps. ``explain=False`` leaves
    ``evidence_json`` null; ranks and scores are identical.
    """
    started = time.time()
    metadata = TableMetadata.coerce(metadata)
    patient = metadata.patient or "patient"
    proband = metadata.proband or patient
    ledger = Ledger(Stage.PRIORITISE, patient, records_in=table.num_rows)
    rows = table.to_pylist()
    skip = frozenset().union(*(EVIDENCE_KINDS.get(k, {k}) for k in options.skip))

    ped = _pedigree(options, rows, proband, metadata, ledger)
    profile, phenotype_note = _phenotype_profile(options, resources, ledger)
    use_phenotype = profile is not None and K.PHENOTYPE not in options.skip
    if profile is not None and K.EXCLUDED_PHENOTYPE in options.skip:
        profile.excluded = None
    use_inheritance = K.INHERITANCE not in options.skip
    use_consequence = K.CONSEQUENCE not in options.skip
    genes = _hpo_gene_names(resources.index, rows)
    matches = _gene_matches(profile, genes) if use_phenotype else {}
    ctx = _rule_context(resources, rows, genes, metadata)
    if not ctx.frequency_data:
        ledger.notes.append("no population frequencies in the table: PM2/BA1/BS1 not evaluated")

    results = _evaluate_rows(rows, ctx, skip, resources.weights, use_consequence, evidence_cache)
    benign = {i for i, res in enumerate(results)
              if res["class_points"] in (AcmgClass.BENIGN, AcmgClass.LIKELY_BENIGN)}
    scores = [posterior_probability(_rank_points(res), ctx.thresholds) for res in results]
    fits, partners = _inheritance(rows, ped, proband, use_inheritance, benign, scores)
    family_data = use_inheritance and len(ped.people) > 1
    out_cols = _score_and_rank(rows, results, fits, partners, matches, ctx, resources.weights,
                               use_phenotype, use_inheritance, family_data, ledger,
                               profile, disease_modes=ctx.gene_modes, explain=explain)
    ledger.records_out = table.num_rows
    out = attach_columns(table, Stage.PRIORITISE, out_cols)
    ledger.notes.append(phenotype_note)
    LOG.info("prioritised %d variants in %.1f s", table.num_rows, time.time() - started)
    return out, ledger, _stage_details(profile, resources, use_phenotype, phenotype_note, ped,
                                       options)


def _rule_context(resources: Resources, rows: list[dict], genes: list[str],
                  metadata: TableMetadata) -> RuleContext:
    """The rules' shared inputs; the mtDNA flags say which mtDNA sources ANNOTATE's bundle had
    (a source absent from the bundle means "not looked up", never "absent from it")."""
    annotate = metadata.stage_details(Stage.ANNOTATE) or {}
    kinds = set((annotate.get("source_kinds") or {}).values())
    return RuleContext(resources.thresholds, _gene_modes(resources.index, genes),
                       resources.lof_genes, resources.protein_index,
                       any(r.get(c) is not None for r in rows for c in FILTERING_AF_COLUMNS),
                       mt_frequency_data=bool(kinds & {"gnomad_mito", "helixmtdb"}),
                       mt_predictor_data=bool(kinds & {"mitotip", "mitimpact"}),
                       mitomap_data="mitomap" in kinds)


def _evaluate_rows(rows, ctx, skip, weights, use_consequence, cache: dict | None) -> list[dict]:
    """ACMG evidence and classes per row; ``cache`` reuses them across calls (same resources)."""
    if cache is None:
        return [_evaluate_row(r, ctx, skip, weights, use_consequence) for r in rows]
    results = []
    for r in rows:
        key = (Row(r).key, r.get("gene_symbol"), r.get("consequence"), skip, use_consequence)
        if key not in cache:
            cache[key] = _evaluate_row(r, ctx, skip, weights, use_consequence)
        results.append(cache[key])
    return results


def _stage_details(profile, resources, use_phenotype, phenotype_note, ped, options) -> dict:
    """PRIORITISE's entry in the table's stage history. No timings here: the same inputs
    must give the same table, metadata included."""
    return {
        "hpo_terms": profile.ids if profile else [],
        "hpo_excluded": profile.excluded_ids if profile and profile.excluded else [],
        "hpo_release": resources.index.release if resources.index else None,
        "phenotype_used": use_phenotype,
        "phenotype_note": phenotype_note,
        "pedigree_members": sorted(ped.people),
        "warnings": ped.warnings + (profile.warnings if profile else []),
        "skipped_evidence": sorted(options.skip),
    }


def _phenotype_profile(options, resources, ledger):
    if not options.hpo:
        return None, "no HPO terms given: ranked by variant evidence alone"
    if resources.index is None:
        raise InputError("HPO terms given but no HPO release could be loaded")
    terms = resolve_terms(list(options.hpo), resources.index)
    for w in terms.warnings + terms.ignored:
        ledger.notes.append(w)
    if not terms.numbers:
        return None, "no phenotypic-abnormality HPO terms left: ranked by variant evidence alone"
    prof = PatientProfile(terms.numbers, resources.index)
    excluded, warnings = _excluded_terms(options, resources, terms.numbers, ledger)
    note = (f"phenotype match on {len(terms.numbers)} HPO term(s) "
            f"({', '.join(terms.ids)}), HPO {resources.index.release}")
    if excluded:
        note += f"; {len(excluded.numbers)} excluded term(s) lower the diseases that have them"
    return _ProfileView(prof, terms.ids, terms.warnings + terms.ignored + warnings,
                        excluded), note


def _excluded_terms(options, resources, observed: list[int], ledger):
    """The patient's excluded terms (resolved like --hpo), or None when there are none."""
    if not options.hpo_excluded:
        return None, []
    resolved = resolve_terms(list(options.hpo_excluded), resources.index)
    numbers, warnings = consistent_exclusions(observed, resolved.numbers, resources.index)
    warnings = resolved.warnings + resolved.ignored + warnings
    for w in warnings:
        ledger.notes.append(w)
    if not numbers:
        return None, warnings
    w = resources.weights
    return ExcludedTerms(numbers, resources.index, w.excluded_floor,
                         w.excluded_unknown_frequency, n_observed=len(observed)), warnings


class _ProfileView:
    """The patient's profile with the resolved ids and any warnings, for the evidence JSON."""

    def __init__(self, profile: PatientProfile, ids: list[str], warnings: list[str],
                 excluded: ExcludedTerms | None = None):
        self.profile, self.ids, self.warnings = profile, ids, warnings
        self.excluded = excluded

    @property
    def excluded_ids(self) -> list[str]:
        return [hp_id(n) for n in self.excluded.numbers] if self.excluded else []


def _hpo_gene_names(index: HpoIndex | None, rows: list[dict]) -> dict[str, str]:
    """Table gene symbol -> the name HPO annotates that gene under.

    Joined on the NCBI Gene ID that ANNOTATE resolved through the bundle's HGNC table (HPO's
    own gene key), so a row annotated GBA meets HPO's GBA1; on the symbol where the row has
    no ID (a bundle without ``--genes``)."""
    out: dict[str, str] = {}
    for r in rows:
        symbol = r.get("gene_symbol")
        if symbol and (symbol not in out or out[symbol] == symbol):
            name = index.gene_name(symbol, r.get("gene_ncbi_id")) if index else symbol
            out[symbol] = name or symbol
    return out


def _gene_matches(view, genes: dict[str, str]) -> dict[str, GeneMatch]:
    out = {}
    for gene, hpo_name in sorted(genes.items()):
        m = match_gene(view.profile, hpo_name, view.excluded)
        if m is not None:
            out[gene] = m
    return out


def _gene_modes(index: HpoIndex | None, genes: dict[str, str]) -> dict[str, frozenset[str]]:
    if index is None:
        return {}
    out = {}
    for gene, hpo_name in sorted(genes.items()):
        modes = {m for d in index.gene_diseases.get(hpo_name, [])
                 for m in index.diseases[d].modes}
        if modes:
            out[gene] = frozenset(modes)
    return out


def _pedigree(options, rows, proband, metadata, ledger) -> Pedigree:
    """The family from --ped, checked against the VCF's samples (INGEST metadata ``samples``
    and the ``family_zygosity`` keys); the proband alone without a PED."""
    sex = metadata.declared_sex
    if not options.ped:
        return single_sample(proband, sex)
    ped = read_ped(options.ped, proband, sex)
    samples = {proband} | set(metadata.samples)
    for r in rows[:1000]:
        fz = r.get("family_zygosity")
        if fz:
            try:
                samples |= set(json.loads(fz))
            except ValueError:
                pass
    check_samples(ped, samples, proband)
    for w in ped.warnings:
        ledger.notes.append(w)
    if proband not in ped.people:
        return single_sample(proband, sex)
    return ped


def _evaluate_row(row: dict, ctx: RuleContext, skip: frozenset[str], weights: RankWeights,
                  use_consequence: bool = True):
    items = acmg.evaluate(Row(row), ctx, skip)
    t = ctx.thresholds
    impact = impact_of(row.get("impact"), row.get("consequence"))
    acmg_items = [e for e in items if e.code not in acmg.ASSERTION_CODES]
    clinvar_item = next(e for e in items if e.code == "ClinVar")
    mitomap_item = next((e for e in items if e.code == mito.MITOMAP_CODE), None)
    points = acmg_points(acmg_items, t)
    ba1 = any(e.code == "BA1" and e.met for e in acmg_items)
    pangolin = ((0, "not_evaluated", "computational evidence switched off") if "PP3" in skip
                else pangolin_rank_points(Row(row), ctx, weights.pangolin_min_delta,
                                          weights.pangolin_points))
    return {
        "pangolin": pangolin,
        "xpresso": _xpresso_item(row),
        "items": items,
        "points": points,
        "class_2015": classify_2015(acmg_items),
        "class_points": classify_points(points, t, stand_alone_benign=ba1),
        "clinvar_points": clinvar_rank_points(clinvar_item, ctx),
        "mitomap_points": mito.mitomap_rank_points(mitomap_item, ctx) if mitomap_item else 0,
        "impact": impact if use_consequence else None,
        "impact_points": weights.impact_points.get(impact, 0) if use_consequence and impact else 0,
        "codes": ";".join(e.label for e in acmg_items if e.met),
    }


def _inheritance(rows, ped: Pedigree, proband: str, enabled: bool, benign: set[int],
                 scores: list[float]):
    """Per row: modes fitted (None when the proband does not carry); comphet partners.

    Variants classified Benign/Likely benign by points are not offered as a compound
    heterozygous partner (Exomiser pairs only variants that pass its frequency filter):
    a common benign allele must not rescue a rare variant's recessive fit.
    """
    fits: list[set[str] | None] = []
    gts_all = []
    for r in rows:
        gts = inh.family_genotypes(proband, r.get("zygosity"), r.get("family_zygosity"))
        gts_all.append(gts)
        if not inh._carrier(gts.of(proband)):
            fits.append(None)
            continue
        fits.append(inh.variant_modes(str(r.get("chrom")), gts, ped, proband) if enabled
                    else {EvidenceStatus.NOT_EVALUATED})
    partners: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not enabled:
        return fits, partners
    by_gene: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if fits[i] is not None and r.get("gene_symbol") and gts_all[i].of(proband) == Zygosity.HET \
                and i not in benign and bare_name(str(r.get("chrom"))) not in ("X", "MT"):
            by_gene[r["gene_symbol"]].append(i)
    for gene, idx in by_gene.items():
        if len(idx) < 2:
            continue
        keys = {Row(rows[i]).key: i for i in idx}
        best = inh.comphet_partners([(Row(rows[i]).key, gts_all[i], scores[i]) for i in idx],
                                    ped, proband)
        for key, found in best.items():
            a = keys[key]
            for status, (partner, _score) in found.items():
                fits[a].add("autosomal_recessive_comphet" if status == "confirmed"
                            else "autosomal_recessive_comphet_possible")
                partners[a].append((keys[partner], status))
    return fits, partners


@dataclass
class _Scored:
    """Per-row scores on the way to the ranks (PRIORITISE columns in ``cols``)."""

    cols: dict[str, list]
    variant_score: list[float]
    combined: list[float]
    inh_factor: list[float]
    pheno_factor: list[float]
    excluded: list[str | None]
    evidence: list[list[dict]]

    @classmethod
    def empty(cls, n: int) -> _Scored:
        return cls({c.name: [None] * n for c in schema.PRIORITISE}, [0.0] * n, [0.0] * n,
                   [1.0] * n, [1.0] * n, [None] * n, [[] for _ in range(n)])


def _score_and_rank(rows, results, fits, partners, matches, ctx, weights, use_phenotype,
                    use_inheritance, family_data, ledger, view, disease_modes, explain=True):
    s = _Scored.empty(len(rows))
    for i, (row, res) in enumerate(zip(rows, results)):
        gene = row.get("gene_symbol")
        match = matches.get(gene) if gene else None
        s.variant_score[i] = posterior_probability(_rank_points(res), ctx.thresholds)
        s.pheno_factor[i] = phenotype_factor(match.score if match else None, weights,
                                             use_phenotype)
        modes = (match.modes if match and match.modes else
                 tuple(sorted(disease_modes.get(gene, ()))) if gene else ())
        inh_text = _inheritance_outcome(s, i, row, fits[i], modes, weights, use_inheritance,
                                        family_data)
        s.combined[i] = s.variant_score[i] * s.pheno_factor[i] * s.inh_factor[i]
        if explain:
            s.evidence[i] = _evidence_items(res, ctx.thresholds, match, use_phenotype,
                                            s.pheno_factor[i], fits[i], s.inh_factor[i],
                                            inh_text, partners.get(i, []), rows, view)
        if s.excluded[i]:
            ledger.flag(s.excluded[i].split(" (")[0], example=Row(row).key)
        _row_columns(s.cols, i, res, match if use_phenotype else None, modes, fits[i],
                     s.variant_score[i], s.excluded[i])
    _rank(s, rows, partners, explain)
    return s.cols


def _inheritance_outcome(s: _Scored, i: int, row, fit, modes, weights, use_inheritance,
                         family_data) -> str:
    """Set row ``i``'s inheritance factor or exclusion; return the text for its evidence."""
    if fit is None:
        s.excluded[i] = f"proband does not carry the allele (zygosity {row.get('zygosity')})"
        return s.excluded[i]
    if not use_inheritance:
        return "inheritance not evaluated (switched off)"
    if not fit:
        text = "genotypes of the family fit no mode of inheritance"
        if family_data:
            s.excluded[i] = text
        return text
    s.inh_factor[i], text = inheritance_factor(fit, modes, weights, inh.DISEASE_MODE_FITS)
    if is_mitochondrial(str(row.get("chrom") or "")):
        factor, level = heteroplasmy_factor(row, weights)
        s.inh_factor[i] *= factor
        text += f"; {level}" if level else ""
    return text


def _row_columns(cols: dict[str, list], i: int, res: dict, match, modes, fit,
                 variant_score: float, excluded: str | None) -> None:
    cols["acmg_codes"][i] = res["codes"]
    cols["acmg_class"][i] = res["class_2015"]
    cols["acmg_points"][i] = res["points"]
    cols["acmg_class_points"][i] = res["class_points"]
    if match is not None:
        cols["phenotype_score"][i] = round(float(match.score), 4)
        cols["phenotype_disease"][i] = (f"{match.disease_id} {match.disease_name}"
                                        if match.disease_id else None)
    cols["disease_inheritance"][i] = ";".join(modes) or None
    cols["inheritance_fit"][i] = ";".join(sorted(fit)) if fit else None
    cols["variant_score"][i] = round(variant_score, 6)
    cols["excluded_reason"][i] = excluded


def _rank(s: _Scored, rows, partners, explain: bool) -> None:
    """Gene scores, then ranks of variants and genes over the rows not excluded."""
    n, cols = len(rows), s.cols
    gene_score = _gene_scores(rows, s.combined, s.variant_score, s.pheno_factor, s.inh_factor,
                              partners, s.excluded)
    order = sorted((i for i in range(n) if s.excluded[i] is None),
                   key=lambda i: (-gene_score[i], -s.combined[i], Row(rows[i]).key))
    gene_rank: dict[str, int] = {}
    for rank, i in enumerate(order, 1):
        cols["rank"][i] = rank
        gene = rows[i].get("gene_symbol")
        if gene and gene not in gene_rank:
            gene_rank[gene] = len(gene_rank) + 1
    for i in range(n):
        gene = rows[i].get("gene_symbol")
        cols["gene_score"][i] = round(gene_score[i], 6) if s.excluded[i] is None else None
        cols["gene_rank"][i] = gene_rank.get(gene) if gene and s.excluded[i] is None else None
        if explain:
            s.evidence[i].append({
                "kind": "score", "variant_score": round(s.variant_score[i], 6),
                "phenotype_factor": round(s.pheno_factor[i], 4),
                "inheritance_factor": s.inh_factor[i], "combined": round(s.combined[i], 6),
                "gene_score": cols["gene_score"][i], "rank": cols["rank"][i],
                "gene_rank": cols["gene_rank"][i]})
            cols["evidence_json"][i] = json.dumps(s.evidence[i], separators=(",", ":"))


def _excluded_evidence(match: GeneMatch, ix: HpoIndex) -> dict:
    """The excluded terms that lowered the matched disease, for the phenotype item."""
    if not match.excluded_hits:
        return {}
    return {"excluded_factor": match.excluded_factor, "excluded": [
        {"excluded": hp_id(h.excluded), "excluded_name": ix.name_of(h.excluded),
         "disease_term": hp_id(h.disease_term), "disease_term_name": ix.name_of(h.disease_term),
         "frequency": h.frequency, "factor": h.factor} for h in match.excluded_hits]}


def _xpresso_item(row: dict) -> dict | None:
    """Xpresso's promoter effect as non-coding evidence: shown with its value, never weighed
    (no clinical calibration of expression predictions exists)."""
    delta = row.get("xpresso_delta")
    if delta is None:
        return None
    return {"kind": "xpresso", "points": 0, "status": EvidenceStatus.NOT_EVALUATED,
            "reason": f"Xpresso: {delta:+.3f} log10 predicted expression of "
                      f"{row.get('xpresso_gene')} (alt minus ref promoter)",
            "note": "non-coding evidence, shown only: no clinical calibration"}


def _rank_points(res: dict) -> int:
    """ACMG points + ClinVar ranking weight + consequence prior + Pangolin's ranking point:
    the variant score's input."""
    return res["points"] + res["clinvar_points"] + res.get("mitomap_points", 0) + \
        res["impact_points"] + res["pangolin"][0]


def _gene_scores(rows, combined, variant_score, pheno, inh_factor, partners, excluded):
    """Best unit per gene (single variant, or a compound-het pair's mean); variants without
    a gene are their own unit."""
    best: dict[str, float] = defaultdict(float)
    for i, row in enumerate(rows):
        if excluded[i]:
            continue
        unit = combined[i]
        for j, _status in partners.get(i, []):
            if not excluded[j]:
                pair = (variant_score[i] + variant_score[j]) / 2 * pheno[i] * inh_factor[i]
                unit = max(unit, pair)
        gene = row.get("gene_symbol") or f"variant:{Row(row).key}"
        best[gene] = max(best[gene], unit)
    return [best[row.get("gene_symbol") or f"variant:{Row(row).key}"] for row in rows]


def _evidence_items(res, t, match, use_phenotype, pfactor, fit, ifactor, inh_text, partner_list,
                    rows, view) -> list[dict]:
    items = []
    for e in res["items"]:
        d = e.to_dict(t)
        d["kind"] = ASSERTION_KINDS.get(e.code, "acmg")
        if e.code in ASSERTION_KINDS:
            d["points"] = res["clinvar_points" if e.code == "ClinVar" else "mitomap_points"]
            d["note"] = "ranking only; not part of the ACMG class (PP5/BP6 retired)"
        items.append(d)
    items.append({"kind": "consequence", "impact": res["impact"],
                  "points": res["impact_points"],
                  "note": "ranking only (Exomiser-style variant-effect prior)",
                  "status": EvidenceStatus.MET if res["impact"] else EvidenceStatus.NOT_EVALUATED})
    points, status, reason = res["pangolin"]
    items.append({"kind": "pangolin", "points": points, "status": status, "reason": reason,
                  "note": "ranking only: no published ClinGen calibration of Pangolin"})
    if res.get("xpresso") is not None:
        items.append(res["xpresso"])
    items.append({"kind": "classification", "acmg_class_2015": res["class_2015"],
                  "acmg_points": res["points"], "acmg_class_points": res["class_points"]})
    if not use_phenotype:
        items.append({"kind": "phenotype", "status": EvidenceStatus.NOT_EVALUATED,
                      "reason": "no HPO terms (or phenotype switched off)", "factor": 1.0})
    elif match is None:
        items.append({"kind": "phenotype", "status": EvidenceStatus.NOT_MET,
                      "reason": "gene has no HPO annotation", "score": 0.0,
                      "factor": round(pfactor, 4)})
    else:
        ix = view.profile.index
        items.append({
            "kind": "phenotype",
            "status": EvidenceStatus.MET if match.score > 0 else EvidenceStatus.NOT_MET,
            "score": round(float(match.score), 4), "factor": round(pfactor, 4),
            "gene_level": round(float(match.gene_level), 4),
            "disease": match.disease_id, "disease_name": match.disease_name,
            "disease_score": round(float(match.disease_score), 4),
            "disease_inheritance": list(match.modes),
            "matches": [{"patient": hp_id(p), "patient_name": ix.name_of(p),
                         "matched": hp_id(m), "matched_name": ix.name_of(m), "ic": ic}
                        for p, m, ic in match.best_pairs],
            **_excluded_evidence(match, ix),
        })
    inh_item = {"kind": "inheritance", "fits": sorted(fit) if fit else [],
                "factor": ifactor, "reason": inh_text}
    if partner_list:
        inh_item["compound_het_partners"] = [
            {"variant": Row(rows[j]).key, "phase": status} for j, status in partner_list]
    items.append(inh_item)
    return items
