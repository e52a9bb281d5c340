"""``isecg-qa`` command line: ingest, ask, search, eval, serve, doctor.

Each command parses, builds components through ``wiring``, calls one function and formats the
result. Errors the user can fix are one line on stderr (exit 2 for bad input, 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app.logs import configure_logging
from app.settings import Settings

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_STORE_MISMATCH = 3  # `make run` rebuilds on this one (the store predates the current settings)


class CliError(Exception):
    """A one-line error for the user, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings: defaults < environment < flags given on the command line."""
    overrides = {}
    for flag, field in (
        ("corpus", "corpus_dir"),
        ("k", "k"),
        ("backend", "backend"),
        ("mode", "retrieval_mode"),
        ("host", "host"),
        ("port", "port"),
        ("store", "store_dir"),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    return Settings(**overrides)


def _components(args: argparse.Namespace):
    from app.wiring import Components

    return Components(_settings(args))


# --- commands -------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    from app.render import render_ingest

    components = _components(args)
    paths = [Path(p).resolve() for p in args.paths] or None
    report = components.ingest(paths, rebuild=args.rebuild, progress=not args.json and sys.stderr.isatty())
    _out(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else render_ingest(report))
    return EXIT_OK


def cmd_ask(args: argparse.Namespace) -> int:
    from app.render import render_answer

    components = _components(args)
    backend = args.backend or components.settings.backend
    if args.json:
        answer = components.service.ask(args.question, k=args.k, backend=backend)
        _out(json.dumps(answer.to_json_dict(), ensure_ascii=False))
        return EXIT_OK
    streamed = []
    for piece in components.service.stream(args.question, k=args.k, backend=backend):
        if isinstance(piece, str):  # answer text as it is verified; the Answer comes last
            streamed.append(piece)
            sys.stdout.write(piece)
            sys.stdout.flush()
        else:
            answer = piece
    rendered = render_answer(answer)
    shown = "".join(streamed)
    _out(rendered[len(shown) :] if rendered.startswith(shown) else "\n" + rendered)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from app.render import render_passages

    passages = _components(args).service.search(args.query, k=args.k)
    if args.json:
        _out(json.dumps([p.model_dump() for p in passages], ensure_ascii=False))
    else:
        _out(render_passages(passages))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from app.ui import launch

    launch(_components(args))
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.doctor import render_doctor, run_doctor

    report = run_doctor(_components(args), fix=args.fix)
    _out(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else render_doctor(report))
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_eval(args: argparse.Namespace) -> int:
    from evals.cli import run_eval_command

    return run_eval_command(args, _components)


# --- parser ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isecg-qa", description="Cited answers from ISECG reports.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest the corpus into the store (incremental)")
    p.add_argument("paths", nargs="*", help="only these files or folders (inside the corpus)")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="build a fresh store beside the old one, then swap")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    p.add_argument("--k", type=int, help="number of passages")
    p.add_argument("--backend", help="extractive (default), llamacpp or openai")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="retrieval mode")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("search", help="ranked passages, no answer")
    p.add_argument("query")
    p.add_argument("--k", type=int, help="number of passages")
    p.add_argument("--json", action="store_true")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="retrieval mode")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("serve", help="start the Gradio chat UI")
    p.add_argument("--host", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("doctor", help="check the store against the corpus; --fix repairs drift")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: corpus/)")
    p.add_argument("--fix", action="store_true", help="delete orphans, re-ingest drifted files, rebuild if damaged")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=cmd_doctor)

    from evals.cli import add_eval_arguments

    p = sub.add_parser("eval", help="run an eval set and report metrics")
    add_eval_arguments(p)
    p.set_defaults(func=cmd_eval)
    return parser


def _known_errors() -> tuple[type[BaseException], ...]:
    from ingest.embedding import ModelNotFoundError
    from ingest.location import IngestLockedError
    from ingest.store import StoreError
    from retriever.service import QuestionError

    return (QuestionError, StoreError, IngestLockedError, ModelNotFoundError)


def _store_failures() -> tuple[type[BaseException], ...]:
    import sqlite3

    from chromadb.errors import ChromaError

    return (ChromaError, sqlite3.Error)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except CliError as exc:
        sys.stderr.write(f"isecg-qa: error: {exc}\n")
        return exc.code
    except _known_errors() as exc:
        from ingest.store import StoreMismatchError
        from retriever.service import QuestionError

        sys.stderr.write(f"isecg-qa: error: {exc}\n")
        if isinstance(exc, StoreMismatchError):
            return EXIT_STORE_MISMATCH
        return EXIT_USAGE if isinstance(exc, QuestionError) else EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("isecg-qa: interrupted\n")
        return 130
    except _store_failures() as exc:  # a full disk shows up as a Chroma "compaction" error
        sys.stderr.write(
            f"isecg-qa: error: the store could not be read or written ({exc.__class__.__name__}: {exc}); "
            "if its disk is full, free space, then run `isecg-qa doctor --fix`\n"
        )
        return EXIT_ERROR
    except OSError as exc:
        sys.stderr.write(f"isecg-qa: error: {exc.strerror or exc} ({exc.__class__.__name__})\n")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
