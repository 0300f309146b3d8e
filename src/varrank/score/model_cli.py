"""`varrank model`: build and check model bundles (export spliceai, verify)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from varrank.score.bundle import load_bundle

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "model", help="build and check ONNX model bundles",
        description="Model bundles (docs/models.md): `export spliceai` converts the Keras "
                    "weights of the spliceai wheel into an ONNX bundle (needs the export "
                    "extra: torch, h5py, onnx); `verify` checks a bundle's manifest, "
                    "checksums and graph.")
    actions = parser.add_subparsers(dest="model_command", metavar="ACTION")
    actions.required = True

    export = actions.add_parser("export", help="build a bundle from upstream weights",
                                description="Build a model bundle from upstream weights. "
                                            "Nothing is downloaded: pass the wheel file "
                                            "(pip download --no-deps spliceai==1.3.1).")
    export.add_argument("model", choices=("spliceai",), help="which model to export")
    export.add_argument("--wheel", type=Path, required=True,
                        help="spliceai wheel file (spliceai-1.3.1-py2.py3-none-any.whl)")
    export.add_argument("--out", type=Path, required=True, help="bundle folder to write")
    export.add_argument("--force", action="store_true", help="overwrite an existing bundle")
    export.set_defaults(func=_export)

    verify = actions.add_parser("verify", help="check manifest, checksums and graph inputs",
                                description="Validate a bundle: manifest version and fields, "
                                            "sha256 of every file, and that onnxruntime loads "
                                            "the graph with the input the manifest declares.")
    verify.add_argument("bundle", type=Path, help="bundle folder")
    verify.set_defaults(func=_verify)


def _export(args: argparse.Namespace) -> int:
    from varrank.score.export.spliceai_export import export_spliceai

    path = export_spliceai(args.wheel, args.out, force=args.force)
    print(path)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from varrank.score import providers
    from varrank.score.registry import check_input_shape

    bundle = load_bundle(args.bundle, verify=True)
    session = providers.make_session(bundle.graph, providers.choose_providers(requested="cpu"))
    check_input_shape(bundle, session)
    print(json.dumps({"ok": True, **bundle.provenance(),
                      "inputs": [[i.name, i.shape] for i in session.get_inputs()],
                      "outputs": [[o.name, o.shape] for o in session.get_outputs()]}, indent=2))
    return 0
