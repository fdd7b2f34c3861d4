"""The fast validation engine: SHACL shapes compiled to SPARQL and run on the pyoxigraph store.

pySHACL is the reference engine; it walks the graph in Python and needs ~1 s per city. This module compiles
each constraint of a shapes graph into one SPARQL 1.1 SELECT that finds every violating focus node (and value)
in one pass over a store holding many cities, so validation grows linearly with the number of cities.

It supports the part of SHACL Core the bundled shapes use, plus SHACL-SPARQL constraints (sh:select):
targets (sh:targetClass, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf), paths (predicate, sh:inversePath,
sh:alternativePath, sequences, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath), sh:minCount, sh:maxCount,
sh:class, sh:datatype, sh:nodeKind, sh:in, sh:hasValue, sh:pattern, sh:qualifiedValueShape with
sh:qualifiedMinCount/sh:qualifiedMaxCount, sh:not, sh:or, sh:and, sh:node. ``compile_shapes`` raises
``Unsupported`` for anything else, and the caller falls back to pySHACL. Tests check that both engines give the
same results on every fixture, on the examples and on generated cities.

The store must hold the data with its OWL 2 RL entailments (types are matched with
``rdf:type/rdfs:subClassOf*``, as pySHACL does, so the ontology's class hierarchy must be in the store too).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .convert import to_rdflib_term
from .shacl import Result


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose rows are validation results."""

    query: str
    shape: Node
    severity: URIRef
    component: URIRef
    path: Node | None
    message: str
    value_var: str | None  # the variable holding sh:value, if any


_KNOWN_SHAPE_KEYS = {
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path, SH.property, SH.severity,
    SH.message, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue,
    SH.pattern, SH.flags, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH["not"], SH["or"],
    SH["and"], SH.node, SH.sparql, SH.deactivated, SH.name, SH.description, SH.order, SH.group, RDF.type,
}
_IGNORED_NS = ("http://www.w3.org/2000/01/rdf-schema#", "http://purl.org/dc/terms/",
               "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2002/07/owl#")
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_TYPE_PATH = _TYPE + "/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


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
            if p in _KNOWN_SHAPE_KEYS or str(p).startswith(_IGNORED_NS):
                continue
            if str(p).startswith(str(SH)):
                raise Unsupported(f"{p} on {shape}")

    # ------------------------------------------------------------------ paths
    def path(self, p: Node) -> str:
        if isinstance(p, URIRef):
            return f"<{p}>"
        if (p, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(x) for x in self.lst(p)) + ")"
        for key, fmt in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                         (SH.zeroOrOnePath, "({})?")):
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
        if (shape, RDF.type, RDF.Property) in self.g or (shape, RDF.type, URIRef(str(RDF) + "Class")) in self.g:
            raise Unsupported("implicit class targets")
        if not parts:
            return None
        return "{ SELECT DISTINCT " + v + " WHERE { " + " UNION ".join(parts) + " } }"

    # ------------------------------------------------------------------ conformance as a boolean expression
    def conforms(self, x: str, shape: Node) -> str:
        """A SPARQL expression true iff the node in ``x`` conforms to ``shape``."""
        self.check_keys(shape)
        conds: list[str] = []
        path = self.one(shape, SH.path)
        if path is not None:
            conds.extend(self._path_conditions(x, shape, self.path(path)))
        else:
            conds.extend(self._value_conditions(x, shape))
        for ps in self.g.objects(shape, SH.property):
            conds.append(self.conforms(x, ps))
        for n in self.g.objects(shape, SH.node):
            conds.append(self.conforms(x, n))
        if self.one(shape, SH.sparql) is not None:
            raise Unsupported("sh:sparql inside a logical constraint")
        return "(" + " && ".join(conds) + ")" if conds else "true"

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
        for v in (self.g.objects(shape, SH.hasValue) if has_value else ()):
            conds.append(f"sameTerm({x}, {_n3(v)})")
        for pat in self.g.objects(shape, SH.pattern):
            flags = self.one(shape, SH.flags)
            conds.append(f"(!isBlank({x}) && REGEX(STR({x}), {Literal(str(pat)).n3()}"
                         + (f", {Literal(str(flags)).n3()}" if flags else "") + "))")
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
        if mn is not None and int(mn) > 0:
            if int(mn) != 1:
                raise Unsupported("sh:minCount > 1 inside a logical constraint")
            conds.append(f"EXISTS {{ {x} {p} {y} }}")
        if mx is not None:
            if int(mx) != 0:
                raise Unsupported("sh:maxCount > 0 inside a logical constraint")
            conds.append(f"NOT EXISTS {{ {x} {p} {y} }}")
        for v in self.g.objects(shape, SH.hasValue):
            conds.append(f"EXISTS {{ {x} {p} {_n3(v)} }}")
        q = self.one(shape, SH.qualifiedValueShape)
        if q is not None:
            qmin, qmax = self.one(shape, SH.qualifiedMinCount), self.one(shape, SH.qualifiedMaxCount)
            if qmax is not None or (qmin is not None and int(qmin) != 1):
                raise Unsupported("qualified counts other than sh:qualifiedMinCount 1 inside a logical constraint")
            if qmin is not None:
                conds.append(f"EXISTS {{ {x} {p} {y} . FILTER({self.conforms(y, q)}) }}")
        # every value must conform to the value-type constraints
        value_conds = self._value_conditions(y, shape, has_value=False)
        if value_conds:
            conds.append(f"NOT EXISTS {{ {x} {p} {y} . FILTER(!({' && '.join(value_conds)})) }}")
        return conds

    # ------------------------------------------------------------------ top-level checks
    def compile(self) -> list[Check]:
        checks: list[Check] = []
        shapes = set(self.g.subjects(RDF.type, SH.NodeShape)) | set(self.g.subjects(RDF.type, SH.PropertyShape))
        shapes |= {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                   for s in self.g.subjects(p, None)}
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

    def _sev(self, shape: Node) -> URIRef:
        s = self.one(shape, SH.severity)
        return s if isinstance(s, URIRef) else SH.Violation

    def _node_checks(self, shape: Node, target: str) -> list[Check]:
        out = []
        sev, msg = self._sev(shape), self.message(shape)

        def add(cond: str, component: URIRef) -> None:
            q = f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!({cond})) }}"
            out.append(Check(q, shape, sev, component, None, msg, "this"))

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
            add(f"sameTerm(?this, {_n3(v)})", SH.HasValueConstraintComponent)
        for lst in self.g.objects(shape, SH["in"]):
            add(f"(?this IN ({', '.join(_n3(t) for t in self.lst(lst))}))", SH.InConstraintComponent)
        for k in self.g.objects(shape, SH.nodeKind):
            add(_node_kind("?this", k), SH.NodeKindConstraintComponent)
        for d in self.g.objects(shape, SH.datatype):
            add(_datatype_ok("?this", d), SH.DatatypeConstraintComponent)
        for sp in self.g.objects(shape, SH.sparql):
            out.append(self._sparql_check(shape, sp, target, None))
        return out

    def _property_checks(self, ps: Node, owner: Node, target: str) -> list[Check]:
        out = []
        path_node = self.one(ps, SH.path)
        p = self.path(path_node)
        sev, msg = self._sev(ps), self.message(ps)
        rpath = path_node

        def per_value(cond: str, component: URIRef) -> None:
            q = (f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {p} ?value . "
                 f"FILTER(!({cond.replace('?X', '?value')})) }}")
            out.append(Check(q, ps, sev, component, rpath, msg, "value"))

        def per_focus(body: str, component: URIRef) -> None:
            out.append(Check(f"SELECT DISTINCT ?this WHERE {{ {target} {body} }}", ps, sev, component, rpath, msg,
                             None))

        mn, mx = self.one(ps, SH.minCount), self.one(ps, SH.maxCount)
        if mn is not None and int(mn) > 0:
            per_focus(f"FILTER NOT EXISTS {{ ?this {p} ?any }}" if int(mn) == 1 else
                      f"{{ SELECT ?this (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {target} OPTIONAL {{ ?this {p} ?m }} }} "
                      f"GROUP BY ?this }} FILTER(?n < {int(mn)})", SH.MinCountConstraintComponent)
        if mx is not None:
            per_focus(f"{{ SELECT ?this (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {target} ?this {p} ?m }} GROUP BY ?this }} "
                      f"FILTER(?n > {int(mx)})", SH.MaxCountConstraintComponent)
        for c in self.g.objects(ps, SH["class"]):
            per_value(f"EXISTS {{ ?X {self.type_path} {_n3(c)} }}", SH.ClassConstraintComponent)
        for d in self.g.objects(ps, SH.datatype):
            per_value(_datatype_ok("?X", d), SH.DatatypeConstraintComponent)
        for k in self.g.objects(ps, SH.nodeKind):
            per_value(_node_kind("?X", k), SH.NodeKindConstraintComponent)
        for lst in self.g.objects(ps, SH["in"]):
            per_value(f"(?X IN ({', '.join(_n3(t) for t in self.lst(lst))}))", SH.InConstraintComponent)
        for pat in self.g.objects(ps, SH.pattern):
            flags = self.one(ps, SH.flags)
            per_value(f"(!isBlank(?X) && REGEX(STR(?X), {Literal(str(pat)).n3()}"
                      + (f", {Literal(str(flags)).n3()}" if flags else "") + "))", SH.PatternConstraintComponent)
        for v in self.g.objects(ps, SH.hasValue):
            per_focus(f"FILTER NOT EXISTS {{ ?this {p} {_n3(v)} }}", SH.HasValueConstraintComponent)
        for n in self.g.objects(ps, SH["not"]):
            per_value(f"!({self.conforms('?X', n)})", SH.NotConstraintComponent)
        for lst in self.g.objects(ps, SH["or"]):
            per_value("(" + " || ".join(self.conforms("?X", s) for s in self.lst(lst)) + ")", SH.OrConstraintComponent)
        for n in self.g.objects(ps, SH.node):
            per_value(self.conforms("?X", n), SH.NodeConstraintComponent)
        q = self.one(ps, SH.qualifiedValueShape)
        if q is not None:
            if self.one(ps, URIRef(str(SH) + "qualifiedValueShapesDisjoint")) == Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            cond = self.conforms("?m", q)
            count = (f"{{ SELECT ?this (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {target} OPTIONAL {{ ?this {p} ?m . "
                     f"FILTER({cond}) }} }} GROUP BY ?this }}")
            qmin, qmax = self.one(ps, SH.qualifiedMinCount), self.one(ps, SH.qualifiedMaxCount)
            if qmin is not None:
                per_focus(f"{count} FILTER(?n < {int(qmin)})", SH.QualifiedMinCountConstraintComponent)
            if qmax is not None:
                per_focus(f"{count} FILTER(?n > {int(qmax)})", SH.QualifiedMaxCountConstraintComponent)
        for sp in self.g.objects(ps, SH.sparql):
            out.append(self._sparql_check(ps, sp, target, rpath))
        return out

    def _sparql_check(self, shape: Node, sp: Node, target: str, path: Node | None) -> Check:
        select = self.one(sp, SH.select)
        if select is None:
            raise Unsupported("sh:sparql without sh:select")
        prefixes = self._prefixes(sp)
        text = re.sub(r"\$this\b", "?this", str(select))
        if path is not None:
            text = re.sub(r"\$PATH\b", self.path(path), text)
        if "$" in re.sub(r'"[^"]*"', "", text):
            raise Unsupported("pre-bound variables other than $this and $PATH")
        m = re.search(r"\bWHERE\s*\{", text, re.I)
        if not m:
            raise Unsupported("sh:select without a WHERE clause")
        text = text[:m.end()] + f" {target} " + text[m.end():]
        msg = self.message(sp) or self.message(shape)
        has_value = re.search(r"\?value\b", text[:m.start()]) is not None
        return Check(prefixes + text, shape, self._sev(shape), SH.SPARQLConstraintComponent, path, msg,
                     "value" if has_value else None)

    def _prefixes(self, sp: Node) -> str:
        lines = []
        for decl_owner in self.g.objects(sp, SH.prefixes):
            for decl in self.g.objects(decl_owner, SH.declare):
                lines.append(f"PREFIX {self.one(decl, SH.prefix)}: <{self.one(decl, SH.namespace)}>")
        return "\n".join(sorted(set(lines))) + "\n"


def _node_kind(x: str, kind: Node) -> str:
    table = {SH.IRI: f"isIRI({x})", SH.BlankNode: f"isBlank({x})", SH.Literal: f"isLiteral({x})",
             SH.BlankNodeOrIRI: f"(isIRI({x}) || isBlank({x}))", SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
             SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))"}
    if kind not in table:
        raise Unsupported(f"sh:nodeKind {kind}")
    return table[kind]


_WELL_FORMED = {  # lexical forms the reference engine accepts for the datatypes the shapes use
    "http://www.w3.org/2001/XMLSchema#date":
        r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?$",
    "http://www.w3.org/2001/XMLSchema#integer": r"^[+-]?[0-9]+$",
}


def _datatype_ok(x: str, d: Node) -> str:
    cond = f"(isLiteral({x}) && datatype({x}) = {_n3(d)}"
    if str(d) in _WELL_FORMED:
        cond += f" && REGEX(STR({x}), {Literal(_WELL_FORMED[str(d)]).n3()})"
    return cond + ")"


def compile_shapes(shapes: Graph, *, closed: bool = True) -> list[Check]:
    """Compile every constraint of ``shapes``; raises Unsupported when a feature is outside the subset.

    ``closed``: the store the checks run on holds the OWL 2 RL closure of data + ontology (as
    ``store.knowledge_store`` builds it), so class membership is a plain rdf:type lookup."""
    return _Compiler(shapes, closed).compile()


def _fill(message: str, sol, variables: list[str]) -> str:
    def repl(m):
        name = m.group(1)
        if name in variables and sol[name] is not None:
            t = sol[name]
            return t.value if hasattr(t, "value") else str(t)
        return m.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", repl, message)


def run_checks(store: ox.Store, checks: list[Check]) -> list[Result]:
    """Run compiled checks on ``store`` (union of its graphs); each row becomes a Result."""
    results: set[Result] = set()
    for c in checks:
        sols = store.query(c.query, use_default_graph_as_union=True)
        variables = [v.value for v in sols.variables]
        for sol in sols:
            focus = to_rdflib_term(sol["this"])
            value = None
            if c.value_var and c.value_var in variables and sol[c.value_var] is not None:
                value = to_rdflib_term(sol[c.value_var])
            path = c.path
            if c.component == SH.SPARQLConstraintComponent and "path" in variables and sol["path"] is not None:
                path = to_rdflib_term(sol["path"])
            results.add(Result(focus=focus, shape=c.shape, severity=c.severity, component=c.component,
                               path=path if not isinstance(path, BNode) else path, value=value,
                               message=_fill(c.message, sol, variables)))
    return sorted(results, key=lambda r: (str(r.focus), str(r.shape), str(r.path), str(r.value), r.message,
                                          str(r.component)))
