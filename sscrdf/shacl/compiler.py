"""The fast validation engine: SHACL shapes compiled to SPARQL and run on the pyoxigraph store.

pySHACL is the reference engine; it walks the graph in Python and needs ~1 s per city. This module compiles
each constraint of a shapes graph into one SPARQL 1.1 SELECT that finds every violating focus node (and value)
in one pass over a store holding many cities, so validation grows linearly with the number of cities.

It supports the part of SHACL Core the bundled shapes use, plus SHACL-SPARQL constraints (sh:select):
targets (sh:targetClass, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf, implicit class targets), paths
(predicate, sh:inversePath, sh:alternativePath, sequences, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath),
sh:minCount, sh:maxCount, sh:class, sh:datatype, sh:nodeKind, sh:in, sh:hasValue, sh:pattern, sh:qualifiedValueShape
with sh:qualifiedMinCount/sh:qualifiedMaxCount, sh:not, sh:or, sh:and, sh:node, sh:property. ``compile_shapes``
raises ``Unsupported`` for anything else (and for SPARQL whose pre-binding of $this it could not honour), and the
caller falls back to pySHACL. Tests check that both engines give the same results on every fixture, on the
examples, on generated cities, and run both on the W3C SHACL test suite (README, "The W3C SHACL test suite").

The store must hold the data with its OWL 2 RL entailments (types are matched with
``rdf:type/rdfs:subClassOf*``, as pySHACL does, so the ontology's class hierarchy must be in the store too).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..convert import from_rdflib_term
from ..namespaces import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from ..query.guard import code_and_keywords
from ..terms import IRI, Term, from_ox
from .results import Result

if TYPE_CHECKING:
    from rdflib import Graph, Literal, URIRef
    from rdflib.collection import Collection
    from rdflib.term import Node


def _load_rdflib() -> None:
    """Bind the rdflib names the compiler uses (as module globals): compiling reads the shapes graph with
    rdflib, but running compiled checks (the checks come from the cache, sscrdf.cache) does not need it."""
    global Graph, Literal, URIRef, Collection, Node
    from rdflib import Graph, Literal, URIRef  # heavy: only compiling shapes needs rdflib
    from rdflib.collection import Collection
    from rdflib.term import Node


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose rows are validation results."""

    query: str
    shape: Term
    severity: IRI
    component: IRI
    path: Term | None
    message: str
    value_var: str | None  # the variable holding sh:value, if any
    extra: tuple[str, ...] = ()  # focus nodes of enclosing property shapes: one result per way a node is reached


_KNOWN_SHAPE_KEYS = frozenset(
    {
        f"{SH}{name}"
        for name in (
            "targetClass",
            "targetNode",
            "targetSubjectsOf",
            "targetObjectsOf",
            "path",
            "property",
            "severity",
            "message",
            "minCount",
            "maxCount",
            "class",
            "datatype",
            "nodeKind",
            "in",
            "hasValue",
            "pattern",
            "flags",
            "qualifiedValueShape",
            "qualifiedMinCount",
            "qualifiedMaxCount",
            "not",
            "or",
            "and",
            "node",
            "sparql",
            "deactivated",
            "name",
            "description",
            "order",
            "group",
        )
    }
    | {f"{RDF}type"}
)
_IGNORED_NS = (str(RDFS), str(DCTERMS), str(SKOS), str(OWL))
_TYPE = f"<{RDF}type>"
_TYPE_PATH = f"{_TYPE}/<{RDFS}subClassOf>*"


def _t(node: Node) -> Term:
    return from_rdflib_term(node)


def _iri(node: Node) -> IRI:
    return IRI(str(node))


def _count(node: Node) -> int:
    """The integer of a count literal (sh:minCount, sh:qualifiedMaxCount, ...): its lexical form read as int."""
    return int(str(node))


def _n3(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise Unsupported(f"blank node {term} used as a constant")


class _Compiler:
    def __init__(self, shapes: Graph, closed: bool = True):
        self.g = shapes
        self.counter = itertools.count()
        # On a store holding the OWL 2 RL closure every instance already carries all its superclasses, so a
        # plain rdf:type test equals SHACL's rdf:type/rdfs:subClassOf* — and is ~7x faster on pyoxigraph.
        self.type_path = _TYPE if closed else _TYPE_PATH

    # ------------------------------------------------------------------ helpers
    def var(self, stem: str = "v") -> str:
        return f"?{stem}{next(self.counter)}"

    def one(self, s: Node, p: URIRef) -> Node | None:
        return self.g.value(s, p)

    def lst(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def message(self, shape: Node) -> str:
        msgs = list(self.g.objects(shape, SH.message))
        en = sorted(str(m) for m in msgs if isinstance(m, Literal) and m.language in (None, "en"))
        return (en or sorted(str(m) for m in msgs) or [""])[0]

    def check_keys(self, shape: Node) -> None:
        for p in set(self.g.predicates(shape, None)):
            if str(p) in _KNOWN_SHAPE_KEYS or str(p).startswith(_IGNORED_NS):
                continue
            if str(p).startswith(str(SH)):
                raise Unsupported(f"sh:{str(p)[len(str(SH)) :]} on {shape}")

    # ------------------------------------------------------------------ paths
    def path(self, p: Node) -> str:
        if isinstance(p, URIRef):
            return f"<{p}>"
        if (p, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(x) for x in self.lst(p)) + ")"
        for key, fmt in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = self.one(p, key)
            if inner is not None:
                return fmt.format(self.path(inner))
        alt = self.one(p, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in self.lst(alt)) + ")"
        raise Unsupported(f"path {p}")

    # ------------------------------------------------------------------ targets
    def target(self, shape: Node, v: str) -> str | None:
        parts = []
        for c in self.g.objects(shape, SH.targetClass):
            parts.append(f"{{ {v} {self.type_path} {_n3(c)} . }}")
        for n in self.g.objects(shape, SH.targetNode):
            parts.append(f"{{ BIND({_n3(n)} AS {v}) }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ {v} {_n3(p)} [] . }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ [] {_n3(p)} {v} . }}")
        if isinstance(shape, URIRef) and self._is_class(shape):  # an implicit class target (SHACL 2.1.3.3)
            parts.append(f"{{ {v} {self.type_path} {_n3(shape)} . }}")
        if not parts:
            return None
        return "{ SELECT DISTINCT " + v + " WHERE { " + " UNION ".join(parts) + " } }"

    def _is_class(self, node: Node) -> bool:
        """``node`` is a SHACL instance of rdfs:Class in the shapes graph (rdf:type/rdfs:subClassOf*)."""
        return any(
            RDFS.Class in set(self.g.transitive_objects(t, RDFS.subClassOf)) for t in self.g.objects(node, RDF.type)
        )

    # ------------------------------------------------------------------ conformance as a boolean expression
    def conforms(self, x: str, shape: Node) -> str:
        """A SPARQL expression true iff the node in ``x`` conforms to ``shape``."""
        if self.one(shape, SH.deactivated) == Literal(True):
            return "true"  # a deactivated shape is conformed to by every node
        self.check_keys(shape)
        conds: list[str] = []
        path = self.one(shape, SH.path)
        if path is not None:  # sh:node and sh:property of a property shape apply to its values
            conds.extend(self._path_conditions(x, shape, self.path(path)))
        else:
            conds.extend(self._value_conditions(x, shape))
            conds.extend(self._nested_conditions(x, shape))
        if self.one(shape, SH.sparql) is not None:
            raise Unsupported("sh:sparql inside a logical constraint")
        return "(" + " && ".join(conds) + ")" if conds else "true"

    def _pattern(self, x: str, shape: Node, pat: Node) -> str:
        flags = self.one(shape, SH.flags)
        return (
            f"(!isBlank({x}) && REGEX(STR({x}), {Literal(str(pat)).n3()}"
            + (f", {Literal(str(flags)).n3()}" if flags else "")
            + "))"
        )

    def _nested_conditions(self, x: str, shape: Node) -> list[str]:
        """``x`` conforms to the shapes ``shape`` names with sh:property and sh:node."""
        return [self.conforms(x, ps) for ps in self.g.objects(shape, SH.property)] + [
            self.conforms(x, n) for n in self.g.objects(shape, SH.node)
        ]

    def _value_conditions(self, x: str, shape: Node, has_value: bool = True) -> list[str]:
        conds = []
        for c in self.g.objects(shape, SH["class"]):
            conds.append(f"EXISTS {{ {x} {self.type_path} {_n3(c)} }}")
        for d in self.g.objects(shape, SH.datatype):
            conds.append(_datatype_ok(x, d))
        for k in self.g.objects(shape, SH.nodeKind):
            conds.append(_node_kind(x, k))
        for lst in self.g.objects(shape, SH["in"]):
            conds.append(f"({x} IN ({', '.join(_n3(t) for t in self.lst(lst))}))")
        for v in self.g.objects(shape, SH.hasValue) if has_value else ():
            conds.append(f"sameTerm({x}, {_n3(v)})")
        for pat in self.g.objects(shape, SH.pattern):
            conds.append(self._pattern(x, shape, pat))
        for n in self.g.objects(shape, SH["not"]):
            conds.append(f"!({self.conforms(x, n)})")
        for lst in self.g.objects(shape, SH["or"]):
            conds.append("(" + " || ".join(self.conforms(x, s) for s in self.lst(lst)) + ")")
        for lst in self.g.objects(shape, SH["and"]):
            conds.append("(" + " && ".join(self.conforms(x, s) for s in self.lst(lst)) + ")")
        return conds

    def _path_conditions(self, x: str, shape: Node, p: str) -> list[str]:
        conds = []
        y = self.var("y")
        mn, mx = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
        if mn is not None and _count(mn) > 0:
            if _count(mn) != 1:
                raise Unsupported("sh:minCount > 1 inside a logical constraint")
            conds.append(f"EXISTS {{ {x} {p} {y} }}")
        if mx is not None:
            if _count(mx) != 0:
                raise Unsupported("sh:maxCount > 0 inside a logical constraint")
            conds.append(f"NOT EXISTS {{ {x} {p} {y} }}")
        for v in self.g.objects(shape, SH.hasValue):
            conds.append(f"EXISTS {{ {x} {p} {_n3(v)} }}")
        q = self.one(shape, SH.qualifiedValueShape)
        if q is not None:
            qmin, qmax = self.one(shape, SH.qualifiedMinCount), self.one(shape, SH.qualifiedMaxCount)
            if qmax is not None or (qmin is not None and _count(qmin) != 1):
                raise Unsupported("qualified counts other than sh:qualifiedMinCount 1 inside a logical constraint")
            if qmin is not None:
                conds.append(f"EXISTS {{ {x} {p} {y} . FILTER({self.conforms(y, q)}) }}")
        # every value must conform to the value-type constraints
        value_conds = self._value_conditions(y, shape, has_value=False) + self._nested_conditions(y, shape)
        if value_conds:
            conds.append(f"NOT EXISTS {{ {x} {p} {y} . FILTER(!({' && '.join(value_conds)})) }}")
        return conds

    # ------------------------------------------------------------------ top-level checks
    def compile(self) -> list[Check]:
        checks: list[Check] = []
        if (None, SH.parameter, None) in self.g or (None, RDF.type, SH.ConstraintComponent) in self.g:
            # their parameters are not sh: terms, so check_keys could not see them being ignored
            raise Unsupported("SHACL-SPARQL constraint components (sh:ConstraintComponent)")
        shapes = set(self.g.subjects(RDF.type, SH.NodeShape)) | set(self.g.subjects(RDF.type, SH.PropertyShape))
        shapes |= {
            s
            for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
            for s in self.g.subjects(p, None)
        }
        for shape in sorted(shapes, key=str):
            if self.one(shape, SH.deactivated) == Literal(True):
                continue
            target = self.target(shape, "?this")
            if target is None:
                continue  # only reached through sh:property / logical constraints
            self.check_keys(shape)
            if self.one(shape, SH.path) is not None:
                checks.extend(self._property_checks(shape, shape, target))
            else:
                checks.extend(self._node_checks(shape, target))
                for ps in self.g.objects(shape, SH.property):
                    if self.one(ps, SH.deactivated) != Literal(True):
                        self.check_keys(ps)
                        checks.extend(self._property_checks(ps, shape, target))
        return checks

    def _sev(self, shape: Node) -> IRI:
        s = self.one(shape, SH.severity)
        return _iri(s if isinstance(s, URIRef) else SH.Violation)

    def _node_checks(self, shape: Node, target: str) -> list[Check]:
        out = []
        sev, msg = self._sev(shape), self.message(shape)

        def add(cond: str, component: URIRef, value_var: str | None = "this") -> None:
            q = f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!({cond})) }}"
            out.append(Check(q, _t(shape), sev, _iri(component), None, msg, value_var))

        for c in self.g.objects(shape, SH["class"]):
            add(f"EXISTS {{ ?this {self.type_path} {_n3(c)} }}", SH.ClassConstraintComponent)
        for lst in self.g.objects(shape, SH["or"]):
            add("(" + " || ".join(self.conforms("?this", s) for s in self.lst(lst)) + ")", SH.OrConstraintComponent)
        for lst in self.g.objects(shape, SH["and"]):
            add("(" + " && ".join(self.conforms("?this", s) for s in self.lst(lst)) + ")", SH.AndConstraintComponent)
        for n in self.g.objects(shape, SH["not"]):
            add(f"!({self.conforms('?this', n)})", SH.NotConstraintComponent)
        for n in self.g.objects(shape, SH.node):
            add(self.conforms("?this", n), SH.NodeConstraintComponent)
        for v in self.g.objects(shape, SH.hasValue):
            add(f"sameTerm(?this, {_n3(v)})", SH.HasValueConstraintComponent, None)
        for lst in self.g.objects(shape, SH["in"]):
            add(f"(?this IN ({', '.join(_n3(t) for t in self.lst(lst))}))", SH.InConstraintComponent)
        for k in self.g.objects(shape, SH.nodeKind):
            add(_node_kind("?this", k), SH.NodeKindConstraintComponent)
        for d in self.g.objects(shape, SH.datatype):
            add(_datatype_ok("?this", d), SH.DatatypeConstraintComponent)
        for pat in self.g.objects(shape, SH.pattern):
            add(self._pattern("?this", shape, pat), SH.PatternConstraintComponent)
        for sp in self.g.objects(shape, SH.sparql):
            out.append(self._sparql_check(shape, sp, target, None))
        return out

    def _property_checks(self, ps: Node, owner: Node, target: str, extra: tuple[str, ...] = ()) -> list[Check]:
        out = []
        ex = "".join(" " + v for v in extra)
        path_node = self.one(ps, SH.path)
        if path_node is None:
            raise Unsupported(f"property shape {ps} without sh:path")
        p = self.path(path_node)
        sev, msg = self._sev(ps), self.message(ps)
        rpath = path_node

        def per_value(cond: str, component: URIRef) -> None:
            q = (
                f"SELECT DISTINCT ?this ?value{ex} WHERE {{ {target} ?this {p} ?value . "
                f"FILTER(!({cond.replace('?X', '?value')})) }}"
            )
            out.append(Check(q, _t(ps), sev, _iri(component), _t(rpath), msg, "value", extra))

        def per_focus(body: str, component: URIRef) -> None:
            out.append(
                Check(
                    f"SELECT DISTINCT ?this{ex} WHERE {{ {target} {body} }}",
                    _t(ps),
                    sev,
                    _iri(component),
                    _t(rpath),
                    msg,
                    None,
                    extra,
                )
            )

        mn, mx = self.one(ps, SH.minCount), self.one(ps, SH.maxCount)
        if mn is not None and _count(mn) > 0:
            per_focus(
                f"FILTER NOT EXISTS {{ ?this {p} ?any }}"
                if _count(mn) == 1
                else f"{{ SELECT ?this (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {target} OPTIONAL {{ ?this {p} ?m }} }} "
                f"GROUP BY ?this }} FILTER(?n < {_count(mn)})",
                SH.MinCountConstraintComponent,
            )
        if mx is not None:
            per_focus(
                f"{{ SELECT ?this (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {target} ?this {p} ?m }} GROUP BY ?this }} "
                f"FILTER(?n > {_count(mx)})",
                SH.MaxCountConstraintComponent,
            )
        for c in self.g.objects(ps, SH["class"]):
            per_value(f"EXISTS {{ ?X {self.type_path} {_n3(c)} }}", SH.ClassConstraintComponent)
        for d in self.g.objects(ps, SH.datatype):
            per_value(_datatype_ok("?X", d), SH.DatatypeConstraintComponent)
        for k in self.g.objects(ps, SH.nodeKind):
            per_value(_node_kind("?X", k), SH.NodeKindConstraintComponent)
        for lst in self.g.objects(ps, SH["in"]):
            per_value(f"(?X IN ({', '.join(_n3(t) for t in self.lst(lst))}))", SH.InConstraintComponent)
        for pat in self.g.objects(ps, SH.pattern):
            per_value(self._pattern("?X", ps, pat), SH.PatternConstraintComponent)
        for v in self.g.objects(ps, SH.hasValue):
            per_focus(f"FILTER NOT EXISTS {{ ?this {p} {_n3(v)} }}", SH.HasValueConstraintComponent)
        for n in self.g.objects(ps, SH["not"]):
            per_value(f"!({self.conforms('?X', n)})", SH.NotConstraintComponent)
        for lst in self.g.objects(ps, SH["or"]):
            per_value("(" + " || ".join(self.conforms("?X", s) for s in self.lst(lst)) + ")", SH.OrConstraintComponent)
        for lst in self.g.objects(ps, SH["and"]):
            per_value("(" + " && ".join(self.conforms("?X", s) for s in self.lst(lst)) + ")", SH.AndConstraintComponent)
        for n in self.g.objects(ps, SH.node):
            per_value(self.conforms("?X", n), SH.NodeConstraintComponent)
        for nested in self.g.objects(ps, SH.property):  # the values are the focus nodes of the nested shape
            if self.one(nested, SH.deactivated) != Literal(True):
                self.check_keys(nested)
                f = self.var("f")
                values = (
                    f"{{ SELECT DISTINCT ?this{ex} {f} WHERE {{ "
                    + re.sub(r"\?this\b", f, target)
                    + f" {f} {p} ?this . }} }}"
                )
                out.extend(self._property_checks(nested, ps, values, extra + (f,)))
        q = self.one(ps, SH.qualifiedValueShape)
        if q is not None:
            if self.one(ps, URIRef(str(SH) + "qualifiedValueShapesDisjoint")) == Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            cond = self.conforms("?m", q)
            count = (
                f"{{ SELECT ?this (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {target} OPTIONAL {{ ?this {p} ?m . "
                f"FILTER({cond}) }} }} GROUP BY ?this }}"
            )
            qmin, qmax = self.one(ps, SH.qualifiedMinCount), self.one(ps, SH.qualifiedMaxCount)
            if qmin is not None:
                per_focus(f"{count} FILTER(?n < {_count(qmin)})", SH.QualifiedMinCountConstraintComponent)
            if qmax is not None:
                per_focus(f"{count} FILTER(?n > {_count(qmax)})", SH.QualifiedMaxCountConstraintComponent)
        for sp in self.g.objects(ps, SH.sparql):
            if extra:
                raise Unsupported("sh:sparql in a property shape nested in a property shape")
            out.append(self._sparql_check(ps, sp, target, rpath))
        return out

    def _sparql_check(self, shape: Node, sp: Node, target: str, path: Node | None) -> Check:
        select = self.one(sp, SH.select)
        if select is None:
            raise Unsupported("sh:sparql without sh:select")
        prefixes = self._prefixes(sp)
        _check_prebinding(str(select))
        text = re.sub(r"\$this\b", "?this", str(select))
        if path is not None:
            text = re.sub(r"\$PATH\b", self.path(path), text)
        if "$" in re.sub(r'"[^"]*"', "", text):
            raise Unsupported("pre-bound variables other than $this and $PATH")
        m = re.search(r"\bWHERE\s*\{", text, re.I)
        if not m:
            raise Unsupported("sh:select without a WHERE clause")
        text = text[: m.end()] + f" {target} " + text[m.end() :]
        msg = self.message(sp) or self.message(shape)
        has_value = re.search(r"[?$]value\b", text[: m.start()]) is not None
        # sh:value is ?value when selected; for a node shape it is otherwise the focus node (SHACL 5.3.2)
        value_var = "value" if has_value else (None if path is not None else "this")
        return Check(
            prefixes + text,
            _t(shape),
            self._sev(shape),
            _iri(SH.SPARQLConstraintComponent),
            None if path is None else _t(path),
            msg,
            value_var,
        )

    def _prefixes(self, sp: Node) -> str:
        lines = []
        owners = list(self.g.objects(sp, SH.prefixes))
        for o in list(owners):  # declarations of an ontology include those of the ontologies it imports
            owners.extend(x for x in self.g.transitive_objects(o, OWL.imports) if x is not None and x not in owners)
        for decl_owner in owners:
            for decl in self.g.objects(decl_owner, SH.declare):
                lines.append(f"PREFIX {self.one(decl, SH.prefix)}: <{self.one(decl, SH.namespace)}>")
        return "\n".join(sorted(set(lines))) + "\n"


def _check_prebinding(select: str) -> None:
    """Raise Unsupported unless joining the focus nodes in front of the query equals pre-binding $this.

    SHACL-SPARQL pre-binds $this by substitution (SHACL 5.2.1). The compiler joins a target pattern at the start of
    the WHERE clause instead, which is the same only when every other use of $this sees that binding: at the top
    level of the WHERE clause or inside FILTER [NOT] EXISTS. MINUS, VALUES, SERVICE and sub-SELECTs, which the
    specification forbids or which would not see the binding, are refused too (pySHACL then validates)."""
    body, words = code_and_keywords(select)  # the query guard's SPARQL lexer: no IRIs, strings or comments
    if words & {"MINUS", "VALUES", "SERVICE"}:
        raise Unsupported("MINUS, VALUES or SERVICE in a SHACL-SPARQL query")
    if len(re.findall(r"\bSELECT\b", body, re.I)) > 1:
        raise Unsupported("a sub-SELECT in a SHACL-SPARQL query")
    if re.search(r"\bAS\s*[?$]this\b", body, re.I):
        raise Unsupported("$this assigned with AS")
    m = re.search(r"\bWHERE\s*\{", body, re.I)
    if m is None:
        return
    depth = 1
    exists_depths: list[int] = []
    for tok in re.finditer(r"\bEXISTS\s*\{|[{}]|[?$]this\b", body[m.end() :], re.I):
        t = tok.group(0)
        if t == "}":
            depth -= 1
            if exists_depths and exists_depths[-1] == depth:
                exists_depths.pop()
        elif t.endswith("{"):
            if t != "{":
                exists_depths.append(depth)
            depth += 1
        elif depth > 1 and not exists_depths:
            raise Unsupported("$this inside a nested group of a SHACL-SPARQL query")


def _node_kind(x: str, kind: Node) -> str:
    table: dict[Node, str] = {
        SH.IRI: f"isIRI({x})",
        SH.BlankNode: f"isBlank({x})",
        SH.Literal: f"isLiteral({x})",
        SH.BlankNodeOrIRI: f"(isIRI({x}) || isBlank({x}))",
        SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
        SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))",
    }
    if kind not in table:
        raise Unsupported(f"sh:nodeKind {kind}")
    return table[kind]


_XSD = str(XSD)
_TZ = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_DATE = r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_INT = r"^[+-]?[0-9]+$"
_WELL_FORMED = {  # XSD lexical spaces (XML Schema 1.1 part 2) of the datatypes whose well-formedness is checked
    "date": "^" + _DATE + _TZ + "$",
    "dateTime": "^" + _DATE + r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)" + _TZ + "$",
    "boolean": r"^(true|false|1|0)$",
    "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    "double": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    "float": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    "string": None,
    "anyURI": None,  # every string is a lexical form of these
}
_INTEGER_RANGES = {  # the integer datatypes: lexical form _INT, value within these bounds (None: unbounded)
    "integer": (None, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}


def _datatype_ok(x: str, d: Node) -> str:
    """``x`` is a well-formed literal of datatype ``d`` (SHACL 4.1.2). An XSD datatype whose lexical space the
    compiler does not know (e.g. xsd:duration, xsd:time) is Unsupported, so pySHACL checks it instead."""
    cond = f"(isLiteral({x}) && datatype({x}) = {_n3(d)}"
    local = str(d)[len(_XSD) :] if str(d).startswith(_XSD) else None
    if local in _INTEGER_RANGES:
        lo, hi = _INTEGER_RANGES[local]
        cond += f" && REGEX(STR({x}), {Literal(_INT).n3()})"
        cond += "".join(
            f" && <{_XSD}integer>(STR({x})) {op} {bound}" for op, bound in ((">=", lo), ("<=", hi)) if bound is not None
        )
    elif local in _WELL_FORMED:
        if _WELL_FORMED[local] is not None:
            cond += f" && REGEX(STR({x}), {Literal(_WELL_FORMED[local]).n3()})"
    elif local is not None:
        raise Unsupported(f"the well-formedness of xsd:{local} literals")
    return cond + ")"


#: the checks compiled last, by (closed, the shapes graph's triples): one process often validates many stores with
#: the same shapes (the tests validate every fixture, batches of cities); reading a graph's triples into a set
#: costs about a tenth of compiling them
_COMPILED: dict[tuple[bool, frozenset[tuple[Node, Node, Node]]], tuple[Check, ...]] = {}
_COMPILED_KEPT = 4


def compile_shapes(shapes: Graph, *, closed: bool = True) -> list[Check]:
    """Compile every constraint of ``shapes``; raises Unsupported when a feature is outside the subset.

    ``closed``: the store the checks run on holds the OWL 2 RL closure of data + ontology (as
    ``store.knowledge_store`` builds it), so class membership is a plain rdf:type lookup. The result depends only
    on the triples of ``shapes``: a graph with the same triples as one compiled before gets the same checks
    without compiling again (``shapes`` is never changed)."""
    _load_rdflib()
    key = (closed, frozenset(shapes))
    checks = _COMPILED.get(key)
    if checks is None:
        checks = tuple(_Compiler(shapes, closed).compile())
        while len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = checks
    return list(checks)


def _fill(message: str, sol: ox.QuerySolution, variables: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        t = sol[name] if name in variables else None
        if t is not None:
            return str(t) if isinstance(t, ox.Triple) else t.value
        return m.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", repl, message)


_SPARQL_COMPONENT = f"{SH}SPARQLConstraintComponent"


def run_checks(store: ox.Store, checks: list[Check]) -> list[Result]:
    """Run compiled checks on ``store`` (union of its graphs); each row becomes a Result."""
    results: list[Result] = []
    for c in checks:
        rows: dict[tuple[object, ...], Result] = {}  # one result per row; two constraints may give equal results
        sols = store.query(c.query, use_default_graph_as_union=True)
        assert not isinstance(sols, (ox.QueryBoolean, ox.QueryTriples))  # SELECT rows (or a remote store's)
        variables = [v.value for v in sols.variables]
        for sol in sols:
            focus = from_ox(sol["this"])
            value = None
            if c.value_var and c.value_var in variables and sol[c.value_var] is not None:
                value = from_ox(sol[c.value_var])
            path = c.path
            if c.component == _SPARQL_COMPONENT and "path" in variables and sol["path"] is not None:
                path = from_ox(sol["path"])
            r = Result(
                focus=focus,
                shape=c.shape,
                severity=c.severity,
                component=c.component,
                path=path,
                value=value,
                message=_fill(c.message, sol, variables),
            )
            rows[(r, *(sol[v[1:]] for v in c.extra))] = r
        results.extend(rows.values())
    return sorted(
        results, key=lambda r: (str(r.focus), str(r.shape), str(r.path), str(r.value), r.message, str(r.component))
    )
