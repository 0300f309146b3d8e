"""Allow `python -m varrank` (used by tests and by Nextflow tasks without an installed script)."""

from varrank.cli import main

raise SystemExit(main())
