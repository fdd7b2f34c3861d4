"""What a rule reads, as triple patterns: the exact test the rule engine uses to decide whether a rule must run
again after other rules derived something.

A rule's WHERE clause is read into its triple patterns, each with the group (``{ … }`` block) it sits in and its
polarity: a pattern under an odd number of negations (``FILTER NOT EXISTS``, ``MINUS``) can only remove
solutions, so a new triple matching it alone never makes the rule derive more. A new triple *can* feed a rule
when it matches one of its positive patterns: same predicate (or one of the IRIs of a property path), same
constant subject and object, and, for the patterns of the same group that share a variable with it, at least one
triple in the store with that variable bound the same way (a one-step join: a finding's ``dcterms:source`` does
not feed ``?class dcterms:source ?s . ?x a ?class``, because nothing has the finding as its class). A join
partner derived later is itself a new triple and is tested in turn, so the test never misses a rule that has
something new to read.

The reader covers the SPARQL 1.1 group graph pattern syntax the rules use (triples with ``;`` and ``,``,
``[ … ]`` blank nodes, property paths, OPTIONAL, UNION, MINUS, GRAPH, FILTER/BIND with (NOT) EXISTS, VALUES,
sub-SELECTs); for anything else (``SERVICE``, RDF collections) it gives up, and the engine falls back to the
coarser test of :func:`sscrdf.rules.engine.rule_io` for that rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..namespaces import RDF

_TYPE = f"{RDF}type"

# \w stands for SPARQL's name characters (Unicode letters and digits, "_"); spelling out the Unicode ranges made
# compiling this pattern cost 20 ms at import. It is compiled when first used (re keeps it): a run whose rules'
# plan comes from the cache reads no rule and does not compile it
_TOKEN = r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<str>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<bnode>_:\w[\w.\-]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d_][\w\-]*(?:\.[\w\-]+)*)?:(?:[\w\-%\\]+(?:\.[\w\-%\\]+)*)?)
  | (?P<num>[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].;,|/^*+?!=<>-])
    """


class Unreadable(Exception):
    """The WHERE clause uses syntax this reader does not follow (the engine then uses the coarse test)."""


#: a term of a pattern: ("v", name) a variable or blank node, ("i", iri) an IRI, ("x", "") anything else
Term = tuple[str, str]
_ANY: Term = ("x", "")


@dataclass(frozen=True)
class Pattern:
    """One triple pattern of a rule's WHERE clause.

    ``predicates``: the IRIs the pattern's predicate can be (one for a plain IRI, several for a property path),
    None for any predicate (a variable or a negated property set). ``simple``: the predicate is one IRI or a
    variable, so subject and object are the matched triple's own (for a path they are not)."""

    subject: Term
    predicate: Term
    object: Term
    predicates: frozenset[str] | None
    simple: bool
    group: int
    positive: bool


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        token = re.compile(_TOKEN, re.X)  # from re's cache after the first time
        while pos < len(text):
            m = token.match(text, pos)
            if m is None:
                raise Unreadable(f"unexpected character {text[pos]!r}")
            kind = m.lastgroup or ""
            if kind != "ws":
                self.tokens.append((kind, m.group()))
            pos = m.end()
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.patterns: list[Pattern] = []
        self.groups = 0
        self.parent: dict[int, int | None] = {}
        self.kind: dict[int, str] = {}
        self.projected: dict[int, set[str] | None] = {}
        self.fresh = 0

    # -- tokens ------------------------------------------------------------------------------------------------
    def peek(self, k: int = 0) -> tuple[str, str]:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else ("eof", "")

    def next(self) -> tuple[str, str]:
        tok = self.peek()
        if tok[0] == "eof":
            raise Unreadable("unexpected end of query")
        self.i += 1
        return tok

    def keyword(self, *words: str, k: int = 0) -> bool:
        kind, value = self.peek(k)
        return kind == "name" and value.upper() in words

    def expect(self, value: str) -> None:
        tok = self.next()
        if tok[1] != value:
            raise Unreadable(f"expected {value!r}, found {tok[1]!r}")

    def iri(self, tok: tuple[str, str]) -> str:
        kind, value = tok
        if kind == "iri":
            return value[1:-1]
        prefix, _, local = value.partition(":")
        if prefix not in self.prefixes:
            raise Unreadable(f"undeclared prefix {prefix!r}")
        return self.prefixes[prefix] + local.replace("\\", "")

    def skip_item(self) -> None:
        """Skip one token, or one parenthesised group when one starts here."""
        if self.peek()[1] == "(":
            self.skip_balanced("(", ")")
        else:
            self.next()

    def skip_balanced(self, open_: str, close: str, polarity: bool | None = None, parent: int | None = None) -> None:
        """Skip from an opening bracket to its match; (NOT) EXISTS groups met on the way are read (when
        ``polarity`` is given: the polarity of the expression they sit in, in group ``parent``)."""
        self.expect(open_)
        depth = 1
        while depth:
            if polarity is not None and self.keyword("NOT") and self.keyword("EXISTS", k=1):
                self.i += 2
                self.group(not polarity, parent, "exists")
                continue
            if polarity is not None and self.keyword("EXISTS"):
                self.i += 1
                self.group(polarity if self.peek(-2)[1] != "!" else not polarity, parent, "exists")
                continue
            value = self.next()[1]
            if value == open_:
                depth += 1
            elif value == close:
                depth -= 1

    # -- the query ---------------------------------------------------------------------------------------------
    def query(self) -> None:
        while self.keyword("PREFIX", "BASE"):
            if self.keyword("BASE"):
                raise Unreadable("BASE is not followed")
            self.i += 1
            kind, value = self.next()
            if kind != "pname" or not value.endswith(":"):
                raise Unreadable(f"bad PREFIX {value!r}")
            self.prefixes[value[:-1]] = self.iri(self.next())
        if not self.keyword("CONSTRUCT", "SELECT", "ASK"):
            raise Unreadable("not a CONSTRUCT, SELECT or ASK query")
        construct = self.keyword("CONSTRUCT")
        self.i += 1
        while self.peek()[1] != "{" and not self.keyword("WHERE"):
            self.skip_item()
        if construct and self.peek()[1] == "{":  # the template
            self.skip_balanced("{", "}")
        if self.keyword("WHERE"):
            self.i += 1
        self.group(True)

    def group(self, positive: bool, parent: int | None = None, kind: str = "plain") -> int:
        """A group graph pattern, from its ``{`` to its ``}``; its id. ``kind``: how it sits in its ``parent``
        group: "plain" (joined with it: a nested group, a GRAPH block), "union" (one branch of a UNION),
        "optional", "minus", "exists" (in a FILTER or BIND), "select" (a sub-SELECT, whose ``projected``
        variables alone are shared with the parent)."""
        self.expect("{")
        self.groups += 1
        gid = self.groups
        self.parent[gid], self.kind[gid] = parent, kind
        if self.keyword("SELECT"):  # a sub-SELECT: its projection, its WHERE group, its solution modifiers
            self.kind[gid] = "select"
            self.i += 1
            projected: set[str] | None = set()
            while self.peek()[1] != "{" and not self.keyword("WHERE"):
                kind_, value = self.peek()
                if value == "(":  # (expression AS ?v)
                    self.skip_balanced("(", ")")
                    if self.tokens[self.i - 2][0] == "var" and projected is not None:
                        projected.add(self.tokens[self.i - 2][1][1:])
                    continue
                if value == "*":
                    projected = None
                elif kind_ == "var" and projected is not None:
                    projected.add(value[1:])
                self.i += 1
            if self.keyword("WHERE"):
                self.i += 1
            self.projected[gid] = projected
            self.group(positive, gid)
            while self.peek()[1] != "}":
                value = self.peek()[1]
                if value == "(":
                    self.skip_balanced("(", ")")
                elif value == "{":
                    self.skip_balanced("{", "}")
                else:
                    self.next()
            self.expect("}")
            return gid
        while True:
            kind_, value = self.peek()
            if value == "}":
                self.i += 1
                return gid
            if value == "{":
                after_union = self.peek(-1)[1].upper() == "UNION"
                child = self.group(positive, gid, "union" if after_union else "plain")
                if self.keyword("UNION"):
                    self.kind[child] = "union"
                continue
            if value == ".":
                self.i += 1
            elif kind_ == "name":
                word = value.upper()
                if word == "OPTIONAL":
                    self.i += 1
                    self.group(positive, gid, "optional")
                elif word == "MINUS":
                    self.i += 1
                    self.group(not positive, gid, "minus")
                elif word == "UNION":
                    self.i += 1
                elif word == "GRAPH":
                    self.i += 2
                    self.group(positive, gid)
                elif word == "FILTER":
                    self.i += 1
                    if self.keyword("NOT") and self.keyword("EXISTS", k=1):
                        self.i += 2
                        self.group(not positive, gid, "exists")
                    elif self.keyword("EXISTS"):
                        self.i += 1
                        self.group(positive, gid, "exists")
                    else:
                        if self.peek()[0] in ("name", "pname", "iri"):  # FILTER regex(...) and the like
                            self.i += 1
                        self.skip_balanced("(", ")", positive, gid)
                elif word == "BIND":
                    self.i += 1
                    self.skip_balanced("(", ")", positive, gid)
                elif word == "VALUES":
                    self.i += 1
                    self.skip_item()
                    self.skip_balanced("{", "}")
                else:
                    raise Unreadable(f"{value} is not followed")
            else:
                self.triples(gid, positive)

    # -- triples -----------------------------------------------------------------------------------------------
    def term(self, gid: int, positive: bool) -> Term:
        kind, value = self.peek()
        if value == "[":
            self.i += 1
            self.fresh += 1
            node: Term = ("v", f" b{self.fresh}")
            if self.peek()[1] != "]":
                self.property_list(node, gid, positive)
            self.expect("]")
            return node
        if value == "(":
            raise Unreadable("RDF collections are not followed")
        self.i += 1
        if kind == "var":
            return ("v", value[1:])
        if kind == "bnode":
            return ("v", " " + value)
        if kind in ("iri", "pname"):
            return ("i", self.iri((kind, value)))
        if kind == "str":
            if self.peek()[0] == "lang":
                self.i += 1
            elif self.peek()[1] == "^^":
                self.i += 2
            return _ANY
        if kind == "num" or (kind == "name" and value.lower() in ("true", "false")):
            return _ANY
        raise Unreadable(f"unexpected {value!r} in a triple")

    def triples(self, gid: int, positive: bool) -> None:
        subject = self.term(gid, positive)
        if self.peek()[1] in (".", "}") and subject[1].startswith(" b"):  # [ p o ] alone
            return
        self.property_list(subject, gid, positive)

    def property_list(self, subject: Term, gid: int, positive: bool) -> None:
        while True:
            predicate, predicates, simple, inverse = self.verb()
            while True:
                obj = self.term(gid, positive)
                s, o = (obj, subject) if inverse else (subject, obj)
                if not simple:
                    s, o = _ANY, _ANY
                self.patterns.append(Pattern(s, predicate, o, predicates, simple, gid, positive))
                if self.peek()[1] != ",":
                    break
                self.i += 1
            if self.peek()[1] != ";":
                return
            while self.peek()[1] == ";":
                self.i += 1
            kind, value = self.peek()
            if not (kind in ("var", "iri", "pname") or value in ("a", "^", "(", "!")):
                return  # a trailing ";"

    def verb(self) -> tuple[Term, frozenset[str] | None, bool, bool]:
        """(predicate term, the IRIs it can be or None for any, simple, inverse) of the next verb."""
        kind, value = self.peek()
        if kind == "var":
            self.i += 1
            return ("v", value[1:]), None, True, False
        start = self.i
        iris = self.path()
        taken = self.tokens[start : self.i]
        if len(taken) == 1 and iris is not None and len(iris) == 1:
            return ("i", next(iter(iris))), iris, True, False
        if len(taken) == 2 and taken[0][1] == "^" and iris is not None and len(iris) == 1:
            return ("i", next(iter(iris))), iris, True, True
        if iris is not None and all(v == "|" for _, v in taken[1::2]) and all(v != "|" for _, v in taken[::2]):
            return _ANY, iris, True, False  # p|q|...: a triple with one of them, between subject and object
        return _ANY, iris, False, False

    def path(self) -> frozenset[str] | None:
        """The IRIs a property path can match (None: any predicate)."""
        out: set[str] | None = set()
        while True:
            if self.peek()[1] == "^":
                self.i += 1
            kind, value = self.peek()
            if value == "(":
                self.i += 1
                inner = self.path()
                self.expect(")")
                out = None if out is None or inner is None else out | inner
            elif value == "!":
                self.i += 1
                self.skip_item()
                out = None
            elif kind == "name" and value == "a":
                self.i += 1
                if out is not None:
                    out.add(_TYPE)
            elif kind in ("iri", "pname"):
                self.i += 1
                if out is not None:
                    out.add(self.iri((kind, value)))
            else:
                raise Unreadable(f"unexpected {value!r} as a predicate")
            if self.peek()[1] in ("*", "+", "?"):
                self.i += 1
            if self.peek()[1] in ("/", "|"):
                self.i += 1
                continue
            return None if out is None else frozenset(out)


@dataclass(frozen=True)
class RulePatterns:
    """The triple patterns of a query's WHERE clause and how its groups nest (see :meth:`_Reader.group`)."""

    patterns: list[Pattern]
    parent: dict[int, int | None]
    kind: dict[int, str]
    projected: dict[int, set[str] | None]

    def partners(self, pattern: Pattern) -> Iterator[tuple[Pattern, set[str] | None]]:
        """The other patterns a solution of ``pattern`` must join with, each with the variables it shares with
        ``pattern`` by name (None: all): those of its own group, of the groups joined with it (nested plain
        groups and sub-SELECTs, down), and of the groups it is joined into (up: a UNION branch, an OPTIONAL or
        an EXISTS is evaluated against its parent's solutions). A sub-SELECT shares only what it projects."""
        by_group: dict[int, list[Pattern]] = {}
        children: dict[int, list[int]] = {}
        for p in self.patterns:
            by_group.setdefault(p.group, []).append(p)
        for child, parent in self.parent.items():
            if parent is not None:
                children.setdefault(parent, []).append(child)

        def narrow(shared: set[str] | None, g: int) -> set[str] | None:
            if self.kind.get(g) != "select":
                return shared
            projected = self.projected.get(g)
            if projected is None:
                return shared
            return set(projected) if shared is None else shared & projected

        def down(g: int, shared: set[str] | None, skip: int | None) -> Iterator[tuple[Pattern, set[str] | None]]:
            if shared is not None and not shared:
                return
            for p in by_group.get(g, ()):
                if p is not pattern:
                    yield p, shared
            for c in children.get(g, ()):
                if c != skip and self.kind[c] in ("plain", "select"):
                    yield from down(c, narrow(shared, c), None)

        at: int | None = pattern.group
        shared: set[str] | None = None
        came: int | None = None
        while at is not None:
            yield from down(at, shared, came)
            shared = narrow(shared, at)
            came, at = at, self.parent.get(at)


def read_patterns(text: str) -> RulePatterns:
    """The triple patterns of a query's WHERE clause; :class:`Unreadable` for syntax the reader does not follow."""
    reader = _Reader(text)
    reader.query()
    return RulePatterns(reader.patterns, reader.parent, reader.kind, reader.projected)


Lookup = Callable[[ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None], bool]


class Feeds:
    """Which rules a new triple can feed (see the module's docstring), from the rules' patterns."""

    def __init__(self, rules: dict[str, RulePatterns]) -> None:
        #: rule id -> (the predicates its positive patterns read, None for any; the classes its ``?x a C``
        #: patterns read): where a derived triple must be offered to the rule
        self.reads: dict[str, tuple[set[str] | None, set[str]]] = {}
        self._by_key: dict[tuple[str, str], list[Pattern]] = {}
        self._any: dict[str, list[Pattern]] = {}
        self._partners: dict[int, list[tuple[Pattern, set[str] | None]]] = {}
        #: the same as (pattern, partners) pairs, in the order of the rules and their patterns (for to_json)
        self._partner_list: list[tuple[Pattern, list[tuple[Pattern, set[str] | None]]]] = []
        for rid, rp in rules.items():
            predicates: set[str] | None = set()
            classes: set[str] = set()
            for p in rp.patterns:
                if not p.positive:
                    continue
                self._partners[id(p)] = [(q, shared) for q, shared in rp.partners(p) if q.simple]
                self._partner_list.append((p, self._partners[id(p)]))
                if p.predicates is None:
                    predicates = None
                    self._any.setdefault(rid, []).append(p)
                    continue
                for iri in p.predicates:
                    if iri == _TYPE and p.simple and p.object[0] == "i":
                        classes.add(p.object[1])
                        self._by_key.setdefault((rid, "class " + p.object[1]), []).append(p)
                    else:
                        if predicates is not None:
                            predicates.add(iri)
                        self._by_key.setdefault((rid, iri), []).append(p)
            self.reads[rid] = (predicates, classes)

    def to_json(self) -> dict[str, object]:
        """The index as JSON values (for the cache, see :func:`sscrdf.rules.engine._plan`): every pattern once, in
        a list, and the index's maps naming patterns by their position in it."""
        index: dict[int, int] = {}
        patterns: list[list[object]] = []

        def at(p: Pattern) -> int:
            if id(p) not in index:
                index[id(p)] = len(patterns)
                preds = None if p.predicates is None else sorted(p.predicates)
                patterns.append([*p.subject, *p.predicate, *p.object, preds, p.simple, p.group, p.positive])
            return index[id(p)]

        partners = [
            [at(p), [[at(q), None if shared is None else sorted(shared)] for q, shared in pairs]]
            for p, pairs in self._partner_list
        ]
        return {
            "reads": {rid: [None if ps is None else sorted(ps), sorted(cs)] for rid, (ps, cs) in self.reads.items()},
            "by_key": [[rid, key, [at(p) for p in ps]] for (rid, key), ps in self._by_key.items()],
            "any": {rid: [at(p) for p in ps] for rid, ps in self._any.items()},
            "partners": partners,
            "patterns": patterns,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Feeds:
        """The index :meth:`to_json` gave; any error (KeyError, TypeError, ValueError, IndexError) for a value
        that is not such JSON."""

        def term(kind: object, value: object) -> Term:
            if kind not in ("v", "i", "x") or not isinstance(value, str):
                raise ValueError(f"not a pattern term: {kind!r} {value!r}")
            return (kind, value)

        patterns = [
            Pattern(
                term(sk, sv),
                term(pk, pv),
                term(ok, ov),
                None if preds is None else frozenset(str(x) for x in preds),
                bool(simple),
                int(group),
                bool(positive),
            )
            for sk, sv, pk, pv, ok, ov, preds, simple, group, positive in data["patterns"]
        ]
        feeds = cls({})
        for rid, (ps, cs) in dict(data["reads"]).items():
            feeds.reads[str(rid)] = (None if ps is None else {str(x) for x in ps}, {str(x) for x in cs})
        for rid, key, ps in data["by_key"]:
            feeds._by_key[(str(rid), str(key))] = [patterns[i] for i in ps]
        for rid, ps in dict(data["any"]).items():
            feeds._any[str(rid)] = [patterns[i] for i in ps]
        for i, pairs in data["partners"]:
            p = patterns[i]
            shared_of = [(patterns[j], None if shared is None else {str(x) for x in shared}) for j, shared in pairs]
            feeds._partner_list.append((p, shared_of))
            feeds._partners[id(p)] = shared_of
        return feeds

    def patterns(self, rid: str, t: ox.Triple) -> list[Pattern]:
        """The positive patterns of rule ``rid`` that ``t`` may match, by its predicate (and class)."""
        out = self._by_key.get((rid, t.predicate.value), []) + self._any.get(rid, [])
        if t.predicate.value == _TYPE and isinstance(t.object, ox.NamedNode):
            out += self._by_key.get((rid, "class " + t.object.value), [])
        return out

    def feeds_any(self, pattern: Pattern, batch: list[ox.Triple], exists: Lookup) -> bool:
        """Whether one of ``batch`` (triples of one predicate; of one class for rdf:type) can feed ``pattern``.
        For a batch of one class, the partners that join on the class are looked up once for the batch."""
        if not pattern.simple:
            return bool(batch)
        first = batch[0]
        if (
            first.predicate.value == _TYPE
            and isinstance(first.object, ox.NamedNode)
            and pattern.object[0] == "v"
            and pattern.object != pattern.subject
            and not self._joins(pattern, {pattern.object[1]: first.object}, exists)
        ):
            return False
        return any(self.feeds(pattern, t, exists) for t in batch)

    def _joins(
        self, pattern: Pattern, binding: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple], exists: Lookup
    ) -> bool:
        """Whether every partner of ``pattern`` that shares a variable of ``binding`` has a triple in the store with
        it bound so (the other variables free)."""
        for other, shared in self._partners[id(pattern)]:
            terms = (other.subject, other.predicate, other.object)
            usable = [x[0] == "v" and x[1] in binding and (shared is None or x[1] in shared) for x in terms]
            if not any(usable):
                continue
            lookup: list[ox.NamedNode | None] = []
            for term, use in zip(terms, usable, strict=True):
                if term[0] == "i":
                    lookup.append(ox.NamedNode(term[1]))
                elif use:
                    lookup.append(binding[term[1]])  # type: ignore[arg-type]  # a store lookup takes any term
                else:
                    lookup.append(None)
            if not exists(*lookup):
                return False
        return True

    def feeds(self, pattern: Pattern, t: ox.Triple, exists: Lookup) -> bool:
        """Whether ``t`` can be a new solution of ``pattern``, given the store (``exists``)."""
        if not pattern.simple:
            return True
        binding: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
        for term, value in ((pattern.subject, t.subject), (pattern.predicate, t.predicate), (pattern.object, t.object)):
            if term[0] == "i":
                if not isinstance(value, ox.NamedNode) or value.value != term[1]:
                    return False
            elif term[0] == "v" and binding.setdefault(term[1], value) != value:
                return False
        return self._joins(pattern, binding, exists)
