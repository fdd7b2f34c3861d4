"""The flow the commands share: load city data, check its vocabulary, and hand it to the stages."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..io.load import Loaded, load
from ..knowledge.vocab import check_vocabulary


def check_terms(loaded: Loaded, used: set[str]) -> None:
    """The vocabulary check for data whose ssc: terms were collected while it was processed (batch by batch)."""
    from ..knowledge.ontology import declared_terms

    check_vocabulary(None, declared_terms(), loaded.sources, used=used)


def load_checked(paths: Sequence[str | Path], *, fmt: str | None = None) -> Loaded:
    """Load city data files and refuse unknown ssc: terms (InputError with file, line and "did you mean")."""
    from ..knowledge.ontology import declared_terms

    loaded = load(paths, fmt=fmt)
    check_vocabulary(loaded.store, declared_terms(), loaded.sources)
    return loaded
