"""``sscrdf docs -o DIR``: offline HTML documentation of the ontology, generated from the ontology files.

One self-contained page (``index.html``, inline CSS, no scripts, no external assets): the ontology's IRI,
version and description; per module its classes (with their place in the class hierarchy), properties (domain and
range) and named individuals and concepts, each with its label, definition, clause (``dcterms:source``) and IRI.
Everything comes from the ``.ttl`` files, so a new term is documented without code.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..io.output import write_atomic
from ..namespaces import DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, SSC
from . import ontology as onto

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node


def _load_rdflib() -> None:
    """Bind the rdflib names this module uses (as module globals), when a page is made: importing the module
    (the API does) must not load rdflib."""
    global Graph, URIRef, Node
    from rdflib import Graph, URIRef  # heavy: only `sscrdf docs` needs it here
    from rdflib.term import Node


_CSS = """\
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ccc;margin-top:2.5rem}h3{margin-top:1.6rem}
.term{border-left:4px solid #7a9;padding:.2rem .8rem;margin:1rem 0}.term h4{margin:.2rem 0}
.iri,.meta{color:#555;font-size:.9em}code{background:#f3f3f3;padding:0 .2em}ul.tree{margin:.2rem 0}
nav ul{columns:2}"""


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


class _Doc:
    def __init__(self, g: Graph):
        self.g = g

    def label(self, t: Node) -> str:
        for p in (RDFS.label, SKOS.prefLabel):
            vals = sorted(
                self.g.objects(t, p), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v))
            )
            if vals:
                return str(vals[0])
        s = str(t)
        return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]

    def anchor(self, t: Node) -> str:
        s = str(t)
        return s[len(str(SSC)) :] if s.startswith(str(SSC)) else ""

    def link(self, t: Node) -> str:
        a = self.anchor(t)
        if isinstance(t, URIRef) and a:
            return f'<a href="#{_e(a)}">{_e(self.label(t))}</a>'
        if isinstance(t, URIRef):  # a W3C term: its label, with its prefixed name on hover
            return f'<span title="{_e(self.g.namespace_manager.normalizeUri(t))}">{_e(self.label(t))}</span>'

        return "(a class expression)"

    def texts(self, t: Node, p: URIRef) -> list[str]:
        return sorted(str(v) for v in self.g.objects(t, p))

    def term(self, t: URIRef, kind: str, extra: list[tuple[str, str]]) -> str:
        rows = [
            f'<div class="term" id="{_e(self.anchor(t))}"><h4>{_e(self.label(t))} '
            f'<span class="meta">({kind})</span></h4>',
            f'<div class="iri">{_e(t)}</div>',
        ]
        for d in self.texts(t, SKOS.definition):
            rows.append(f"<p>{_e(d)}</p>")
        for name, value in extra:
            if value:
                rows.append(f'<div class="meta"><b>{_e(name)}:</b> {value}</div>')
        src = "; ".join(self.texts(t, DCTERMS.source))
        if src:
            rows.append(f'<div class="meta"><b>Source:</b> {_e(src)}</div>')
        if (t, OWL.deprecated, None) in self.g:
            rows.append('<div class="meta"><b>Deprecated</b></div>')
        rows.append("</div>")
        return "\n".join(rows)

    def links(self, t: Node, p: URIRef) -> str:
        return ", ".join(self.link(o) for o in sorted(self.g.objects(t, p), key=str))


def _tree(doc: _Doc, classes: set[URIRef]) -> str:
    """The class hierarchy of ``classes`` (roots: classes with no superclass among them) as nested lists."""
    children: dict[Node, list[URIRef]] = {}
    roots = []
    for c in sorted(classes, key=doc.label):
        parents = [p for p in doc.g.objects(c, RDFS.subClassOf) if p in classes and p != c]
        for p in parents:
            children.setdefault(p, []).append(c)
        if not parents:
            roots.append(c)

    def render(c: URIRef, seen: frozenset[URIRef]) -> str:
        kids = [k for k in children.get(c, []) if k not in seen]
        inner = "".join(render(k, seen | {k}) for k in kids)
        return f"<li>{doc.link(c)}" + (f'<ul class="tree">{inner}</ul>' if inner else "") + "</li>"

    return '<ul class="tree">' + "".join(render(r, frozenset({r})) for r in roots) + "</ul>"


def render_html() -> str:
    """The documentation page of the bundled ontology."""
    _load_rdflib()
    full = onto.ontology_graph(include_vocab=True)  # the W3C subsets give their terms' labels
    doc = _Doc(full)
    info = onto.info()
    iri = URIRef(ONTOLOGY_IRI)
    property_types = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    ssc_classes = {
        c for c in full.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(str(SSC))
    }
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(doc.label(iri))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(doc.label(iri))}</h1>",
        f'<p class="iri">{_e(ONTOLOGY_IRI)} · version {_e(info.version_info or "?")} · '
        f"version IRI {_e(info.version_iri or '?')}</p>",
    ]
    for d in doc.texts(iri, DCTERMS.description) + doc.texts(iri, RDFS.comment):
        parts.append(f"<p>{_e(d)}</p>")
    parts.append("<h2>Class hierarchy</h2>" + _tree(doc, ssc_classes))
    mods = [m for m in onto.modules() if not m.vocab]
    parts.append(
        "<nav><h2>Modules</h2><ul>"
        + "".join(f'<li><a href="#module-{_e(m.name)}">{_e(m.name)}</a></li>' for m in mods)
        + "</ul></nav>"
    )
    for m in mods:
        g = onto.module_graph(m)
        subjects = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(SSC))}
        classes = sorted((s for s in subjects if (s, RDF.type, OWL.Class) in g), key=doc.label)
        props = sorted((s for s in subjects if any((s, RDF.type, t) in g for t in property_types)), key=doc.label)
        others = sorted(set(subjects) - set(classes) - set(props), key=doc.label)
        parts.append(
            f'<h2 id="module-{_e(m.name)}">Module {_e(m.name)} <span class="meta">({_e(m.path.name)})</span></h2>'
        )
        if classes:
            parts.append("<h3>Classes</h3>")
            parts.extend(
                doc.term(
                    c,
                    "class",
                    [("Subclass of", doc.links(c, RDFS.subClassOf)), ("Disjoint with", doc.links(c, OWL.disjointWith))],
                )
                for c in classes
            )
        if props:
            parts.append("<h3>Properties</h3>")
            parts.extend(
                doc.term(
                    p,
                    "property",
                    [
                        ("Domain", doc.links(p, RDFS.domain)),
                        ("Range", doc.links(p, RDFS.range)),
                        ("Subproperty of", doc.links(p, RDFS.subPropertyOf)),
                        ("Inverse of", doc.links(p, OWL.inverseOf)),
                    ],
                )
                for p in props
            )
        if others:
            parts.append("<h3>Individuals, concepts and schemes</h3>")
            parts.extend(
                doc.term(
                    o,
                    "individual",
                    [
                        (
                            "Type",
                            ", ".join(
                                doc.link(t)
                                for t in sorted(full.objects(o, RDF.type), key=str)
                                if t != OWL.NamedIndividual
                            ),
                        ),
                        ("In scheme", doc.links(o, SKOS.inScheme)),
                    ],
                )
                for o in others
            )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_docs(out_dir: str | os.PathLike[str]) -> Path:
    """Write ``index.html`` into ``out_dir`` (created if needed, written atomically); returns its path."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():  # a file, a device (/dev/full), a FIFO: mkdir would fail with FileExistsError
        raise InputError("the output for the documentation must be a folder; this is not one", path=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", path=out) from None
    page = out / "index.html"
    write_atomic(page, render_html())
    return page


__all__ = ["render_html", "write_docs"]
