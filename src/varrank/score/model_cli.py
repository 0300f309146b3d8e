"""`varrank model`: build and check model bundles (export spliceai|pangolin, verify)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from varrank.core.errors import InputError
from varrank.score.bundle import load_bundle

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "model", help="build and check ONNX model bundles",
        description="Model bundles (docs/models.md): `export spliceai` converts the Keras "
                    "weights of the spliceai wheel, `export pangolin` the PyTorch state "
                    "files of tkzeng/Pangolin, into an ONNX bundle (needs the export extra: "
                    "torch, onnx, h5py for SpliceAI); `verify` checks a bundle's manifest, "
                    "checksums and graph.")
    actions = parser.add_subparsers(dest="model_command", metavar="ACTION")
    actions.required = True

    export = actions.add_parser("export", help="build a bundle from upstream weights",
                                description="Build a model bundle from upstream weights. "
                                            "Nothing is downloaded: pass the spliceai wheel "
                                            "(pip download --no-deps spliceai==1.3.1) or the "
                                            "folder of Pangolin's final.*.3.v2 files.")
    export.add_argument("model", choices=("spliceai", "pangolin", "xpresso"),
                        help="which model to export")
    export.add_argument("--wheel", type=Path,
                        help="spliceai: wheel file (spliceai-1.3.1-py2.py3-none-any.whl)")
    export.add_argument("--weights", type=Path,
                        help="pangolin: folder with the v2 state files final.{1,2,3}.{0..7}.3.v2 "
                             "(tkzeng/Pangolin pangolin/models) and its LICENSE; xpresso: folder "
                             "with human_trainepoch.11-0.426.h5 (vagarwal87/Xpresso Fig5_S5) "
                             "and LICENSE.txt")
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
    source = args.wheel if args.model == "spliceai" else args.weights
    if source is None:
        raise InputError(f"export {args.model} needs "
                         f"{'--wheel' if args.model == 'spliceai' else '--weights'}",
                         hint="see `varrank model export --help` and docs/models.md")
    if args.model == "spliceai":
        from varrank.score.export.spliceai_export import export_spliceai as export
    elif args.model == "pangolin":
        from varrank.score.export.pangolin_export import export_pangolin as export
    else:
        from varrank.score.export.xpresso_export import export_xpresso as export
    print(export(source, args.out, force=args.force))
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
