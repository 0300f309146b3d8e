#!/usr/bin/env bash
# Annotation resources for -profile test, built from the real test data with varrank's own
# commands, beside what `varrank testdata prepare` wrote:
#   PREPARED/resources/bundle   `varrank resources build`: 1000 Genomes phase 3 BRCA1 GRCh38
#                               allele frequencies (the data holds no GRCh38 ClinVar VCF in the
#                               official CLNSIG format, so the bundle has no ClinVar source)
#   PREPARED/resources/snpeff   `varrank resources snpeff-db`: GENCODE v19 BRCA1 models on GRCh38
#   PREPARED/resources.json     {"annotation_db": ..., "snpeff_db": ...}, read by conf/test.config
# so the test profile runs INGEST -> ANNOTATE -> PRIORITISE -> REPORT. SCORE stays skipped:
# a model bundle needs `varrank model export spliceai` (torch + the spliceai wheel).
# Usage: scripts/nextflow/test-resources.sh PREPARED_DIR [TEST_DATA_DIR]   (idempotent)
set -euo pipefail
prepared="$(cd "${1:?usage: $0 PREPARED_DIR [TEST_DATA_DIR]}" && pwd)"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
data="$(cd "${2:-${VARRANK_TEST_DATA:-$repo/../shared/data}}" && pwd)"
python="${PYTHON:-python3}"
fasta="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["fasta"])' "$prepared/params.json")"
out="$prepared/resources"
mkdir -p "$out"

if [ ! -f "$out/bundle/manifest.json" ]; then
  "$python" -m varrank -q resources build --genome GRCh38 --fasta "$fasta" \
    --popfreq "1kg=$data/variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf" \
    --out "$out/bundle" --force >/dev/null
fi
if [ ! -f "$out/snpeff/manifest.json" ]; then
  "$python" -m varrank -q resources snpeff-db --genome GRCh38 --fasta "$fasta" \
    --gff3 "$data/annotation/BRCA1_gencode_v19.GRCh38.gff3" --out "$out/snpeff" --force >/dev/null
fi
printf '{\n  "annotation_db": "%s",\n  "snpeff_db": "%s"\n}\n' "$out/bundle" "$out/snpeff" \
  > "$prepared/resources.json.tmp"
mv "$prepared/resources.json.tmp" "$prepared/resources.json"
echo "$prepared/resources.json"
