"""The ``sscrdf`` command line (click): arguments, output and exit codes only. Every command reaches the engine
through the public API, :mod:`sscrdf.api` (``KnowledgeBase``), and nothing else.

Exit codes: 0 success; 1 the check ran and found something at or above the threshold; 2 input the tool
cannot use (bad file, syntax error, unknown term, ...), always with a one-line message and no traceback.
"""

from __future__ import annotations

import difflib
import gc
import json
import logging
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__, api
from .api import KnowledgeBase, as_date, check_not_an_input, serialize, write_output
from .errors import InputError, SscrdfError
from .namespaces import LOCAL
from .progress import configure, detail, info as _info

if TYPE_CHECKING:
    # the API imports these when first used (README "The package"): the commands that need them read them from
    # the api module as they run, so that the other commands do not load the server or the authoring checks
    from .api import CheckReport, Connection

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
#: seconds `sscrdf query` gives a query on FILES unless --timeout says otherwise
_QUERY_TIMEOUT_ENV = "SSCRDF_QUERY_TIMEOUT"
#: where an unexpected internal error should be reported
REPORT_TO = "the sscrdf issue tracker (include the command line and, if you can, the input)"


class _Group(click.Group):
    """A click group that turns sscrdf's own errors into a one-line message and exit code 2, and any
    unexpected error into one line plus where to report it (exit 3; the traceback only with --debug)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's usage errors (bad flag, bad value, unknown command) as one line too, exit 2."""
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            if not standalone_mode:
                return rv
            sys.exit(rv if isinstance(rv, int) else 0)  # non-standalone click returns ctx.exit()'s code
        except click.UsageError as exc:
            if not standalone_mode:
                raise
            hint = f" — see `{exc.ctx.command_path} --help`" if exc.ctx else ""
            click.echo(f"error: {' '.join(exc.format_message().split())}{hint}", err=True)
            sys.exit(EXIT_INPUT)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            click.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            if not standalone_mode:
                raise
            sys.exit(exc.exit_code)
        except click.Abort:
            if not standalone_mode:
                raise
            click.echo("aborted", err=True)
            sys.exit(1)

    def invoke(self, ctx: click.Context) -> Any:  # click's own return type: what the command returns
        try:
            return super().invoke(ctx)
        except SscrdfError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # the promise: no traceback unless asked for
            if ctx.meta.get("sscrdf.debug"):
                raise
            first = (str(exc).splitlines() or [""])[0]
            click.echo(
                f"internal error: {type(exc).__name__}: {first} — this is a bug in sscrdf; please report it "
                f"to {REPORT_TO}; rerun with --debug for the traceback",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


def _emit(text: str, output: str | None, inputs: Sequence[str] = ()) -> None:
    if output:
        write_output(output, text if text.endswith("\n") else text + "\n", inputs)
    else:
        click.echo(text.rstrip("\n"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="sscrdf")
@click.option("--debug", is_flag=True, help="show the Python traceback of an unexpected internal error")
@click.option("-q", "--quiet", is_flag=True, help="no progress bar and no status lines on standard error")
@click.option("-v", "--verbose", is_flag=True, help="also the time each stage took, on standard error")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool, verbose: bool) -> None:
    """sscrdf: stakeholders of smart sustainable cities as linked data (ITU-T Y Suppl. 34).

    Load a city's stakeholder register, reason over it with the bundled ontology, validate it with SHACL,
    derive gaps, overlaps and engagement strategies, and report or serve the results.
    A FILE named - is read from standard input. A progress bar is shown on standard error when it is a terminal.
    """
    ctx.meta["sscrdf.debug"] = debug
    # rdflib logs a traceback for every literal whose lexical form is invalid; sscrdf reports those itself
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    configure(quiet=quiet, verbose=verbose)


# ------------------------------------------------------------------------------------------- info


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--usage", is_flag=True, help="List the ontology terms that no rule, shape or query uses.")
def info(fmt: str, usage: bool) -> None:
    """Show the ontology IRI and version and what each module holds."""
    if usage:
        _info_usage(fmt)
        return
    oi = KnowledgeBase.info()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "sscrdf": __version__,
                    "ontology": oi.iri,
                    "versionIRI": oi.version_iri,
                    "versionInfo": oi.version_info,
                    "modules": [m.__dict__ for m in oi.modules],
                    "totals": oi.totals,
                },
                indent=2,
            )
        )
        return
    click.echo(f"sscrdf {__version__}")
    click.echo(f"ontology     {oi.iri}")
    click.echo(f"version IRI  {oi.version_iri}")
    click.echo(f"version      {oi.version_info}")
    click.echo("")
    head = f"{'module':<16}{'triples':>8}{'classes':>9}{'properties':>12}{'individuals':>13}{'schemes':>9}"
    click.echo(head)
    click.echo("-" * len(head))
    for m in oi.modules:
        click.echo(
            f"{m.name:<16}{m.triples:>8}{m.classes:>9}{m.properties:>12}{m.individuals:>13}{m.concept_schemes:>9}"
        )
    t = oi.totals
    click.echo("-" * len(head))
    click.echo(
        f"{'total':<16}{t['triples']:>8}{t['classes']:>9}{t['properties']:>12}{t['individuals']:>13}"
        f"{t['concept_schemes']:>9}"
    )


def _info_usage(fmt: str) -> None:
    """`sscrdf info --usage`: the declared ssc: terms no rule, shape or query uses, by module."""
    usage = KnowledgeBase.usage()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "declared": usage.declared,
                    "checks": usage.checks,
                    "unused": [{"term": u.term, "label": u.label, "module": u.module} for u in usage.unused],
                },
                indent=2,
            )
        )
        return
    click.echo(
        f"{len(usage.unused)} of {usage.declared} ontology terms are used by none of the {usage.checks} rules, "
        "shapes and queries (named in one, or reached from a named term through the ontology):"
    )
    by_module: dict[str, list[tuple[str, str]]] = {}  # module -> (term, label)
    for u in usage.unused:
        by_module.setdefault(u.module or "?", []).append((u.term, u.label or ""))
    for name in sorted(by_module):
        click.echo(f"\n{name} ({len(by_module[name])})")
        for term, label in by_module[name]:
            click.echo(f"  {label}  [ssc:{term.rsplit('#', 1)[-1]}]")


# ------------------------------------------------------------------------------------------- ontology


@cli.group()
def ontology() -> None:
    """Work on the ontology itself (for knowledge engineers)."""


@ontology.command("check")
@click.argument("extra", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def ontology_check(extra: tuple[str, ...], fmt: str) -> None:
    """Check the ontology: it parses, is consistent under OWL 2 RL, every ssc: term is labelled, defined and
    sourced (meta-shape), and no ssc: IRI is used undeclared.

    EXTRA Turtle files are checked together with the bundled modules (to try an extension before adding it).
    Exit 0 when all checks pass, 1 with a list of problems otherwise.
    """
    report = KnowledgeBase.check_ontology(extra)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(report.by_kind().items()))
    _check_report(
        fmt,
        report,
        [f"PROBLEM  {i}" for i in report.issues],
        "ontology OK",
        f"ontology has {len(report.issues)} problem(s): {counts}",
    )


def _check_report(fmt: str, report: CheckReport, lines: Sequence[str], ok_text: str, fail_text: str) -> None:
    """Print a check's outcome (text: what was checked, one line per problem, a summary; or JSON) and exit 0 or 1."""
    if fmt == "json":
        click.echo(
            json.dumps(
                {"ok": report.ok, "checks": report.checked, "problems": [i.__dict__ for i in report.issues]}, indent=2
            )
        )
    else:
        for c in report.checked:
            click.echo(f"checked  {c}")
        for line in lines:
            click.echo(line)
        click.echo(ok_text if report.ok else fail_text)
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


# ------------------------------------------------------------------------------------------- check


@cli.command("check")
@click.option("--ontology", "onto", multiple=True, type=click.Path(), help="extra ontology module (.ttl, repeatable)")
@click.option("--shapes", multiple=True, type=click.Path(), help="extra shapes file or directory (repeatable)")
@click.option("--rules", multiple=True, type=click.Path(), help="extra rule file or directory (repeatable)")
@click.option("--queries", multiple=True, type=click.Path(), help="extra query file or directory (repeatable)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check_command(
    onto: tuple[str, ...], shapes: tuple[str, ...], rules: tuple[str, ...], queries: tuple[str, ...], fmt: str
) -> None:
    """Check every knowledge file: the ontology (as `ontology check`), the shapes (SHACL-for-SHACL, every sh: term
    valid), the rules and queries (SPARQL syntax, complete header), and every ssc: term in all of them.

    The bundled files are always checked; the options add files to check with them. Each problem is printed as
    FILE:LINE: KIND: MESSAGE. Exit 0 when all checks pass, 1 when problems are found.
    """
    report = KnowledgeBase.check(ontology=onto, shapes=shapes, rules=rules, queries=queries)
    _check_report(
        fmt, report, [str(i) for i in report.issues], "all knowledge files OK", f"{len(report.issues)} problem(s)"
    )


@cli.command("docs")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="directory to write index.html into (created if needed)",
)
def docs_command(out_dir: str) -> None:
    """Write HTML documentation of the ontology (one self-contained page, readable offline)."""
    click.echo(f"wrote {KnowledgeBase.write_docs(out_dir)}")


# ------------------------------------------------------------------------------------------- validate

_FORMAT_HELP = "force the input format instead of guessing it from the extension"
_INPUT_FORMATS = ["turtle", "trig", "nquads", "ntriples", "json-ld", "rdf-xml", "csv", "xlsx"]
_FROM_EXTENSION = "default: from the output file's extension, else {}"


def _output_format(fmt: str | None, output: str | None, by_ext: dict[str, str], default: str) -> str:
    """The format of a command's output: ``--format`` when given, else the one the output file's extension
    names (``by_ext``: extension -> format, the first extension of a format is its usual one), else
    ``default`` (standard output, or a file name without an extension). A ``--format`` that contradicts a known
    extension, and an extension that names none of the command's formats, are InputErrors: a report written
    as text into ``report.json`` looks broken to whoever opens it."""
    ext = Path(output).suffix.lower().lstrip(".") if output else ""
    if fmt is not None:
        if ext in by_ext and by_ext[ext] != fmt:
            usual = next(e for e, f in by_ext.items() if f == fmt)
            raise InputError(
                f"--format {fmt} does not match the output file's extension .{ext}",
                path=output,
                hint=f"use --format {by_ext[ext]}, or name the file *.{usual}",
            )
        return fmt
    if not ext:
        return default
    if ext not in by_ext:
        close = difflib.get_close_matches(ext, list(by_ext), n=1)
        raise InputError(
            f"the output file's extension .{ext} names none of the formats this command writes",
            path=output,
            hint=(f"did you mean .{close[0]}? Otherwise name the file " if close else "name the file ")
            + ", ".join(f"*.{e}" for e in by_ext)
            + ", or give --format",
        )
    return by_ext[ext]


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "ttl", "md"]),
    default=None,
    help="report format (" + _FROM_EXTENSION.format("text") + ")",
)
@click.option("--shapes", "extra_shapes", multiple=True, type=click.Path(), help="extra SHACL shapes file (repeatable)")
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="exit 1 when a result of this severity or worse is found",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the report to this file (atomically)")
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
@click.option(
    "--reasoner",
    type=click.Choice(["fast", "owlrl"]),
    default="fast",
    show_default=True,
    help="OWL 2 RL engine applied before validation (owlrl is the slow reference)",
)
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="SHACL engine: fast compiles the shapes to SPARQL (pySHACL is used for shapes it cannot "
    "compile); pyshacl is the reference",
)
def validate(
    files: tuple[str, ...],
    fmt: str | None,
    extra_shapes: tuple[str, ...],
    fail_on: str,
    output: str | None,
    input_format: str | None,
    reasoner: str,
    engine: str,
) -> None:
    """Validate city stakeholder registers against the SHACL shapes of Y Suppl. 34.

    FILES (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML or a CSV register) are merged; a dataset with
    one named graph per city is validated city by city. Exit 0 when nothing is at or above --fail-on, 1 when
    something is, 2 when the input cannot be validated.
    """
    check_not_an_input(output, files)
    fmt = _output_format(fmt, output, {"txt": "text", "json": "json", "ttl": "ttl", "md": "md"}, "text")
    kb = KnowledgeBase(reasoner=reasoner, engine=engine, extra_shapes=extra_shapes)
    # the vocabulary check runs on the terms the validation collects batch by batch (no extra scan)
    result = kb.validate(kb.load(*files, fmt=input_format, check="deferred"))
    text = {
        "text": result.to_text,
        "json": lambda: result.to_json(fail_on),
        "ttl": result.to_turtle,
        "md": result.to_markdown,
    }[fmt]()
    _emit(text, output, files)
    sys.exit(EXIT_FINDINGS if result.fails(fail_on) else EXIT_OK)


# ------------------------------------------------------------------------------------------- infer


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="output file (default: standard output)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["trig", "nquads", "ttl", "nt"]),
    default=None,
    help="output format (" + _FROM_EXTENSION.format("trig") + ")",
)
@click.option("--only-inferred", is_flag=True, help="write only the inferred triples, not the asserted ones")
@click.option(
    "--reasoner",
    type=click.Choice(["fast", "owlrl"]),
    default="fast",
    show_default=True,
    help="fast: sscrdf's schema-driven OWL 2 RL subset; owlrl: the complete reference engine (slow)",
)
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
def infer(
    files: tuple[str, ...],
    output: str | None,
    fmt: str | None,
    only_inferred: bool,
    reasoner: str,
    input_format: str | None,
) -> None:
    """Materialise the OWL 2 RL entailments of the ontology and FILES.

    Inferred triples stay apart from asserted ones: in TriG or N-Quads output they are in their own named
    graph (https://w3id.org/sscrdf/graph/inferred, or ...inferred?graph=<city graph> for a named city graph);
    with --only-inferred, only they are written. Triple formats (ttl, nt) need --only-inferred, since they
    cannot keep the two apart.
    """
    check_not_an_input(output, files)
    fmt = _output_format(fmt, output, {"trig": "trig", "nq": "nquads", "ttl": "ttl", "nt": "nt"}, "trig")
    if fmt in ("ttl", "nt") and not only_inferred:
        raise InputError(
            f"{fmt} output cannot keep inferred triples apart from asserted ones",
            hint="add --only-inferred, or write TriG (--format trig)",
        )
    kb = KnowledgeBase(reasoner=reasoner)
    # TriG and N-Quads input is read and reasoned over graph by graph, the output merged from sorted runs
    written, n_inf = kb.write_inferred(
        *files, output=output, out_format=fmt, only_inferred=only_inferred, fmt=input_format
    )
    if output:
        _info(f"wrote {output}: {written} triples ({n_inf} inferred, engine {reasoner})")


def _store_options(f: Any) -> Any:
    """The options of every command that talks to a store: authentication, retries, timeout."""
    for opt in reversed(
        [
            click.option("--user", help="user name for HTTP authentication (with --password)"),
            click.option(
                "--password",
                envvar="SSCRDF_STORE_PASSWORD",
                show_envvar=True,
                help="password for --user (better from the environment variable than on the command line)",
            ),
            click.option(
                "--auth",
                "auth_scheme",
                type=click.Choice(["basic", "digest"]),
                default="basic",
                show_default=True,
                help="HTTP authentication scheme for --user (Virtuoso's /sparql-auth: digest)",
            ),
            click.option(
                "--token",
                envvar="SSCRDF_STORE_TOKEN",
                show_envvar=True,
                help="bearer token (Authorization: Bearer ...) instead of --user",
            ),
            click.option(
                "--retries",
                type=click.IntRange(0, 10),
                default=3,
                show_default=True,
                help="times a request is sent again after a 5xx answer, a lost connection or a timeout "
                "(waiting 0 s, 1 s, 2 s, 4 s, ... in between)",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0, min_open=True),
                default=60,
                show_default=True,
                help="seconds to wait for each answer of the store",
            ),
        ]
    ):
        f = opt(f)
    return f


def _connection(
    user: str | None, password: str | None, auth_scheme: str, token: str | None, retries: int, timeout: float
) -> Connection:
    return api.Connection(
        user=user, password=password, auth_scheme=auth_scheme, token=token, retries=retries, timeout=timeout
    )


# ------------------------------------------------------------------------------------------- analyze


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json", "ttl", "html"]),
    default=None,
    help="html: one self-contained, printable page with charts (" + _FROM_EXTENSION.format("text") + ")",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the report to this file (atomically)")
@click.option("--as-of", help="analyse as of this date (YYYY-MM-DD; default today): the review-period rule uses it")
@click.option("--shapes", "extra_shapes", multiple=True, type=click.Path(), help="extra SHACL shapes file (repeatable)")
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
@click.option(
    "--reasoner",
    type=click.Choice(["fast", "owlrl"]),
    default="fast",
    show_default=True,
    help="OWL 2 RL engine (owlrl is the slow reference)",
)
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="SHACL engine (pyshacl is the slow reference)",
)
@click.option(
    "--endpoint",
    help="analyse the cities in this SPARQL store (its query URL) inside the store, instead "
    'of FILES: see README, "Running a portal"',
)
@click.option("--update-endpoint", help="the store's SPARQL Update URL, where the rules write (with --endpoint)")
@click.option(
    "--graph-per-city",
    is_flag=True,
    help="with --endpoint: the rules read each city on its own and write to its own derived graph",
)
@click.option(
    "--city",
    "cities",
    multiple=True,
    metavar="IRI",
    help="with --graph-per-city: analyse only this city (its data graph IRI or city IRI; repeatable), "
    "replacing only its derived graph",
)
@_store_options
def analyze(
    files: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    as_of: str | None,
    extra_shapes: tuple[str, ...],
    input_format: str | None,
    reasoner: str,
    engine: str,
    endpoint: str | None,
    update_endpoint: str | None,
    graph_per_city: bool,
    cities: tuple[str, ...],
    **conn_flags: Any,
) -> None:
    """Analyse city stakeholder registers: load, infer, run the rules, validate, query, report.

    The report gives, per city: a summary; completeness by category and by municipal unit; the
    power/interest grid with each stakeholder's strategy; engagement gaps with next steps; gaps, overlaps,
    risks and recommendations, each with its clause; and the validation results. --format ttl writes the
    findings and derived facts as RDF for portals. Exit 0 on success, 2 when the input cannot be used.
    """
    check_not_an_input(output, files)
    fmt = _output_format(
        fmt, output, {"txt": "text", "md": "md", "json": "json", "ttl": "ttl", "html": "html", "htm": "html"}, "text"
    )
    kb = KnowledgeBase(reasoner=reasoner, engine=engine, extra_shapes=extra_shapes)
    if endpoint:
        if files:
            raise InputError("give either FILES or --endpoint, not both")
        report = kb.analyze_endpoint(
            endpoint,
            update_endpoint,
            as_of=as_date(as_of),
            graph_per_city=graph_per_city,
            cities=cities,
            connection=_connection(**conn_flags),
        )
    else:
        if not files:
            raise InputError("no data files given", hint="name one or more FILES, or use --endpoint URL")
        if update_endpoint or graph_per_city or cities:
            raise InputError("--update-endpoint, --graph-per-city and --city go with --endpoint")
        if fmt in ("json", "text", "md"):  # read graph by graph and written city by city where the input allows
            summary = kb.write_analysis(
                *files, output=output, report_format=fmt, as_of=as_date(as_of), fmt=input_format
            )
            for stage, seconds in summary.timings.items():
                detail(f"{stage}: {seconds:.2f} s")
            return
        # the vocabulary check runs on the terms the validation collects batch by batch (no extra scan)
        report = kb.analyze(kb.load(*files, fmt=input_format, check="deferred"), as_of=as_date(as_of))
    for stage, seconds in report.timings.items():
        detail(f"{stage}: {seconds:.2f} s")
    text = {
        "text": report.to_text,
        "md": report.to_markdown,
        "json": report.to_json,
        "ttl": report.to_turtle,
        "html": report.to_html,
    }[fmt]()
    _emit(text, output, files)


# ------------------------------------------------------------------------------------------- queries


@cli.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_queries(fmt: str) -> None:
    """List the bundled SPARQL queries with the question each answers."""
    qs = KnowledgeBase.queries()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": q.id,
                        "question": q.header["question"],
                        "clause": q.header["clause"],
                        "columns": q.columns,
                        "file": q.path.name,
                    }
                    for q in qs
                ],
                indent=2,
            )
        )
        return
    for q in qs:
        click.echo(
            f"{q.id}\n    {q.header['question']}\n    clause: {q.header['clause']}; columns: {', '.join(q.columns)}"
        )


@cli.command()
@click.argument("name")
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), help=_FROM_EXTENSION.format("table").capitalize()
)
@click.option("--endpoint", help="run on this SPARQL 1.1 endpoint instead of the FILES (which must then be omitted)")
@click.option("--as-of", help="date the rules use (YYYY-MM-DD; default today)")
@click.option("--no-rules", is_flag=True, help="query the data and its entailments without running the rules")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the result to this file (atomically)")
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help=f"seconds the query may take on FILES (checking it, then running it) [${_QUERY_TIMEOUT_ENV}, else 60]",
)
def query(
    name: str,
    files: tuple[str, ...],
    fmt: str | None,
    endpoint: str | None,
    as_of: str | None,
    no_rules: bool,
    output: str | None,
    input_format: str | None,
    timeout: float | None,
) -> None:
    """Run the query NAME (an id from `sscrdf queries`, or a .rq file) on FILES or on --endpoint.

    On FILES the query sees the ontology, the data, its OWL 2 RL entailments and (unless --no-rules)
    everything the rules derive. On an endpoint it runs unchanged, as standard SPARQL 1.1.
    """
    check_not_an_input(output, (*files, name))
    fmt = _output_format(fmt, output, {"txt": "table", "csv": "csv", "json": "json"}, "table")
    kb = KnowledgeBase()
    limit = _query_timeout(timeout)
    with _time_limit(limit, name):
        q = kb.find_query(name)
    if endpoint:
        if files:
            raise InputError("give either FILES or --endpoint, not both")
        table = kb.query_endpoint(q, endpoint)
    else:
        if not files:
            raise InputError("no data files given", hint="name one or more FILES, or use --endpoint URL")
        store = kb.prepare(kb.load(*files, fmt=input_format), rules=not no_rules, as_of=as_date(as_of))
        with _time_limit(limit, name):
            table = kb.run_query(q, store)
    _emit({"table": table.to_text, "csv": table.to_csv, "json": table.to_json}[fmt](), output, (*files, name))


def _query_timeout(option: float | None) -> float:
    """The seconds `sscrdf query` gives a query: --timeout, else $SSCRDF_QUERY_TIMEOUT, else 60. At most
    threading.TIMEOUT_MAX: the timer thread cannot wait longer (``inf`` gave a traceback from it)."""
    if option is not None:
        if not option <= threading.TIMEOUT_MAX:
            raise InputError(f"--timeout {option} is more than the {threading.TIMEOUT_MAX:.0f} s a timer can wait")
        return option
    env = os.environ.get(_QUERY_TIMEOUT_ENV, "").strip()
    if not env:
        return 60.0
    try:
        value = float(env)
    except ValueError:
        value = -1.0
    if not 0 < value <= threading.TIMEOUT_MAX:  # also NaN and inf
        raise InputError(
            f"{_QUERY_TIMEOUT_ENV}={env!r} is not a number of seconds > 0 and <= {threading.TIMEOUT_MAX:.0f}",
            hint=f"e.g. {_QUERY_TIMEOUT_ENV}=60",
        )
    return value


@contextmanager
def _time_limit(seconds: float, query_name: str) -> Iterator[None]:
    """Within the block, end the process after ``seconds`` with one line on standard error and exit 2.
    pyoxigraph cannot cancel a query, and one that does all its work before its first row (a COUNT over a cross
    product) does not come back to Python until it ends; it releases the GIL meanwhile, so a timer thread can
    end the process. No output file is being written inside the block (outputs are written after it)."""

    def expire() -> None:
        try:
            click.echo(
                f"error: {query_name}: the query took longer than {seconds:g} s and was stopped — make it more "
                f"selective, or allow more time with --timeout or {_QUERY_TIMEOUT_ENV}",
                err=True,
            )
            sys.stderr.flush()
        finally:
            os._exit(EXIT_INPUT)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# ------------------------------------------------------------------------------------------- serve / push


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--port",
    default=7878,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="port to listen on (0: any free port)",
)
@click.option("--as-of", help="date the rules use (YYYY-MM-DD; default today)")
@click.option("--no-rules", is_flag=True, help="serve the data and its entailments without the rules' output")
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
@click.option("--query-timeout", type=click.FloatRange(min=0, min_open=True), help="seconds a query may run [10]")
@click.option("--max-results", type=click.IntRange(min=1), help="rows or triples one answer may hold [100000]")
@click.option("--max-body", type=click.IntRange(min=1), help="bytes of a POST request body [1048576]")
@click.option("--read-timeout", type=click.FloatRange(min=0, min_open=True), help="seconds a socket read may wait [10]")
@click.option(
    "--idle-timeout", type=click.FloatRange(min=0, min_open=True), help="seconds a connection may stay silent [30]"
)
@click.option("--threads", type=click.IntRange(min=1), help="request-handling threads [16]")
@click.option(
    "--max-concurrent-queries",
    type=click.IntRange(min=1),
    help="queries evaluated at once, each in its own worker process [4]",
)
@click.option(
    "--worker-memory",
    type=click.IntRange(min=1),
    help="MiB a query worker may stop sharing with the loaded data before it is replaced [256]",
)
@click.option("--backlog", type=click.IntRange(min=1), help="listen backlog [128]")
@click.option("--max-connections", type=click.IntRange(min=1), help="open connections, idle ones included [1024]")
@click.option(
    "--cors",
    "cors",
    multiple=True,
    metavar="ORIGIN",
    help="send CORS headers to this origin (scheme://host[:port], or * for any); repeatable; none by default",
)
@click.option(
    "--watch",
    is_flag=True,
    help='reload a changed file while serving, deriving again only its cities (README, "Re-analysing one city")',
)
@click.option(
    "--watch-interval",
    type=click.FloatRange(0.1, 60),
    default=2.0,
    show_default=True,
    help="seconds between two looks at the files' modification times and sizes (with --watch)",
)
def serve(
    files: tuple[str, ...],
    host: str,
    port: int,
    as_of: str | None,
    no_rules: bool,
    input_format: str | None,
    cors: tuple[str, ...],
    watch: bool,
    watch_interval: float,
    **limit_flags: float | None,
) -> None:
    """Serve FILES (with the ontology, entailments and findings) as a read-only SPARQL 1.1 endpoint at /sparql.

    Answers are negotiated on Accept (SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, RDF/XML);
    GET /sparql without a query gives the service description; /queries lists the bundled queries and
    /queries/NAME runs one; / is a page to type a query in a browser. Every bundled query runs against it
    unchanged: `sscrdf query NAME --endpoint http://HOST:PORT/sparql`. Queries with SERVICE and updates are
    refused; queries run in worker processes and one past the time limit is killed; every resource is bounded
    (flags below, or the environment variables SSCRDF_SERVE_QUERY_TIMEOUT, ..._MAX_RESULTS, ..._MAX_BODY, ...).
    Stop with Ctrl-C.
    """
    limits = api.Limits.from_env(**limit_flags)  # each limit: flag, else $SSCRDF_SERVE_<NAME>, else the default
    kb = KnowledgeBase()
    cors = api.check_origins(cors)
    if watch:  # each city derived on its own, so that a changed file's cities can be derived again alone
        watched = kb.watched_files(*files, fmt=input_format, rules=not no_rules, as_of=as_date(as_of))
        store = watched.store()
    else:
        store = kb.prepare(kb.load(*files, fmt=input_format), rules=not no_rules, as_of=as_date(as_of))
    quads = len(store)  # counted before the query workers are forked, so that they share the pages it touched
    server = kb.server(store, host, port, limits, cors)
    gc.freeze()  # what was loaded stays put: the collector does not write into the pages the workers share
    h, p = server.socket.getsockname()[:2]  # the bound address (port 0 asks for a free port)
    if watch:  # the thread starts after the query workers' template was forked (workers.py)
        kb.watch(server, watched, lambda line: click.echo(line, err=True), watch_interval)
    click.echo(f"SPARQL endpoint on http://{h}:{p}/sparql ({quads} quads); Ctrl-C to stop", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--store",
    "store_url",
    required=True,
    help="the store's Graph Store Protocol URL (Oxigraph: http://HOST:7878/store; Virtuoso: "
    "http://HOST:8890/sparql-graph-crud-auth), or its SPARQL Update URL with --protocol update",
)
@click.option(
    "--protocol",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="gsp: Graph Store Protocol; update: SPARQL 1.1 Update (INSERT DATA in chunks); auto: GSP, "
    "and Update if the URL does not speak GSP",
)
@click.option(
    "--what",
    type=click.Choice(["asserted", "inferred", "all"]),
    default="all",
    show_default=True,
    help="asserted: the files as they are; inferred: with OWL 2 RL entailments and the ontology; all: "
    "also the rules' derived facts and findings",
)
@click.option(
    "--replace",
    is_flag=True,
    help="replace the graphs of the cities pushed (other cities are not touched) instead of adding to them",
)
@click.option(
    "--default-graph",
    "default_graph",
    help="the graph a file's default-graph triples go to (default: the IRI of the one ssc:City in them)",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="triples per INSERT DATA request (SPARQL Update only)",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="the summary of what was written",
)
@click.option("--as-of", help="date the rules use (YYYY-MM-DD; default today)")
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
@_store_options
def push(
    files: tuple[str, ...],
    store_url: str,
    protocol: str,
    what: str,
    replace: bool,
    default_graph: str | None,
    chunk_size: int,
    fmt: str,
    as_of: str | None,
    input_format: str | None,
    **conn_flags: Any,
) -> None:
    """Write FILES to a SPARQL 1.1 store, one set of named graphs per city, for portals that query many cities.

    Each city's data goes to its own graph (its named graph in TriG/N-Quads, else the graph named by its
    ssc:City IRI), its entailments to https://w3id.org/sscrdf/graph/inferred?graph=<G>, what the rules derive to
    https://w3id.org/sscrdf/graph/derived?graph=<G>, the ontology to https://w3id.org/sscrdf/graph/ontology.
    With --replace only the graphs of the cities pushed are replaced. Prints one line per graph and
    "N graphs, M triples written".
    """
    url = urllib.parse.urlparse(store_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise InputError(
            f"--store {store_url!r} is not an http(s) URL",
            hint="give the store's URL, e.g. http://127.0.0.1:7878/store (Oxigraph) or "
            "http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso)",
        )
    if default_graph is not None:
        _check_iri(default_graph, "--default-graph")
    conn = _connection(**conn_flags)
    summary = KnowledgeBase().push(
        list(files),
        store_url,
        what=what,
        replace=replace,
        as_of=as_date(as_of),
        protocol=protocol,
        connection=conn,
        default_graph=default_graph,
        fmt=input_format,
        chunk_size=chunk_size,
    )
    if fmt == "json":
        click.echo(json.dumps(summary.as_json(), indent=2))
        return
    for graph, role, n in summary.graphs:
        click.echo(f"{n:>8}  {role:<8}  {graph}")
    click.echo(summary.line())


def _check_iri(value: str, option: str) -> str:
    """``value`` if it is an absolute IRI a store accepts as a graph name, else a one-line error."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\\x00-\x1f\x7f]+$", value):
        raise InputError(f"{option} {value!r} is not an absolute IRI", hint="e.g. https://example.org/graph/riverton")
    return value


# ------------------------------------------------------------------------------------------- register


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="xlsx: one workbook; csv: a folder with one CSV file per sheet (default: from -o)",
)
@click.option("-o", "--output", required=True, type=click.Path(), help="the .xlsx file, or the folder for CSV sheets")
def template(fmt: str | None, output: str) -> None:
    """Write an empty stakeholder register to fill in: one sheet per part of the register (city, units,
    stakeholders, assessors, assessments, responsibilities, collaborations, mechanisms, ...), a sample row in
    each, drop-down lists of the values the ontology allows, and an 'about' sheet explaining every column with
    its clause. The sheets and columns come from mappings/register.csv, the values from the ontology.
    """
    written = KnowledgeBase.template(output, fmt)
    _info(f"wrote register template {written}")


@cli.command("import")
@click.argument("register", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="the Turtle file to write")
@click.option("--city", "city_iri", help="the IRI of the register's city (default: from the city sheet)")
@click.option(
    "--base",
    "base_iri",
    help=f"the IRI local-name ids are appended to (default: the city sheet's base IRI, else {LOCAL}<file name>:)",
)
def import_(register: str, output: str, city_iri: str | None, base_iri: str | None) -> None:
    """Read a register (an .xlsx workbook, a folder of CSV sheets, or a single-sheet CSV register) and write
    it as Turtle. Every bad cell is reported at once (sheet, row, column, value, allowed values, nearest
    one) and nothing is written then. The same rows always give the same IRIs.
    """
    path = Path(register)
    if base_iri is not None:
        _check_iri(base_iri, "--base")
    quads = KnowledgeBase.import_register(path, base_iri=base_iri, city_iri=city_iri)
    if Path(output).resolve() == path.resolve():
        raise InputError("the output would overwrite the register", path=output)
    write_output(output, serialize(quads, "ttl"))
    _info(f"wrote {output}: {len(quads)} triples")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="register.xlsx, or a folder for CSV sheets")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None, help="default: from -o")
@click.option("--base", "base_iri", help="ids are written relative to this IRI (default: the city's namespace)")
@click.option("--input-format", type=click.Choice(_INPUT_FORMATS), help=_FORMAT_HELP)
def export(
    files: tuple[str, ...], output: str, fmt: str | None, base_iri: str | None, input_format: str | None
) -> None:
    """Write the stakeholder register of FILES as a spreadsheet (the inverse of `sscrdf import`).

    Triples no column of the register holds are listed on standard error (and left out).
    """
    kb = KnowledgeBase()
    # export writes what the register's columns can hold and lists the rest, so it does not refuse unknown terms
    result = kb.export_register(kb.load(*files, fmt=input_format, check="deferred"), output, fmt, base_iri=base_iri)
    rows = ", ".join(f"{n} {name}" for name, n in result.rows.items())
    _info(f"wrote {result.path}: {rows}")
    if result.left_out:
        left = ", ".join(f"{p} ({n})" for p, n in sorted(result.left_out.items()))
        _info(f"left out (no column in the register): {left}")


def main() -> None:  # console-script entry point
    try:
        cli(prog_name="sscrdf")
    except SystemExit as exc:
        _exit_at_once(exc.code)
        raise


def _exit_at_once(code: object) -> None:
    """End the process now with exit code ``code`` when nothing is left to do in it: the command has written its
    output (files are written whole and closed, see sscrdf.io.output), standard output and error are flushed
    here, no other thread runs and no worker process was started. Python's own exit would then only take the
    process's objects apart one by one, which cost about 25 ms of a one-city ``analyze`` (a tenth of it).
    Otherwise (a code that is a message, a flush that fails, another thread, multiprocessing in use) it returns
    and Python exits as usual."""
    if not (code is None or isinstance(code, int)) or threading.active_count() > 1 or "multiprocessing" in sys.modules:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: no console (pythonw)
                stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: Python's exit reports it as it always did
        return
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
