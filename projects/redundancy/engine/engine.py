"""Redundancy detection engine: which systems, demands and projects a new demand may duplicate.

Pure Python on numpy and scipy.sparse, jieba for reasons; no Django. The Django layer turns catalogue
rows into `Document`s, keeps a `RedundancyIndex` (build once, `upsert`/`remove` on change) and
words the `Reason`s of each `Candidate` in Chinese or English.

Text similarity
    TF-IDF cosine over character unigrams + bigrams (CJK) and words (Latin), see text.py; two
    fields: the title alone and title + description. Chosen over BM25 after measuring both on the
    labelled set: cosine is bounded by 1, so it can be read as "how much of the wording is the
    same" and mapped onto the [0, 1] score without a corpus-dependent normaliser, and it ranked as
    well as BM25 there.

Incremental index (no refit, no hashing)
    Tokens get integer ids from a vocabulary that only grows: a new document's unseen tokens take
    the next ids, nothing already indexed changes. (Chosen over hashing: exact, deterministic and
    faster in Python than hashing every token; the vocabulary of character n-grams stays small.)
    Document frequencies are counted per token and updated on every upsert/remove; IDF is computed
    from the current counts at query time; a query token no document has gets the maximal IDF
    (it lowers the query's similarity to everything, as it should). The index stores only each
    document's sublinear term frequencies, in an inverted (token × document) sparse matrix; IDF is
    applied on the query side, so a word's weight is current as soon as it is counted. Only the
    documents' vector lengths depend on IDF: they are computed with the IDF of the moment a
    document is added and refreshed for all documents on build and whenever pending additions are
    merged into the main matrix (after 2 % of the index changed, see MERGE_FRACTION; one O(size)
    step, amortised).
    Additions wait in a small document-major side matrix; removed documents are masked at once and
    compacted at the next merge.

Score
    A weighted mean of the evidence that is available for the pair, in [0, 1]:
        text (always counted, 0 when nothing is shared), capability overlap (when both sides list
        capabilities), shared data resources (when both list some), same domain (when both have one),
    plus small bonuses for the organization relation, scaled by the text evidence so that they can
    reinforce a textual match but never create one. Missing evidence is neutral (left out of the
    mean), contradicting evidence (different capabilities, another domain) pulls the score down.
"""

from __future__ import annotations

import math
import re
import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import text as textmod

# -- scoring constants ------------------------------------------------------------------------

# Share of the text similarity that comes from title-vs-title; the rest is title+description vs
# title+description. Titles are where a bureau names the thing it wants, but they are short.
TITLE_SHARE = 0.15
# The same share when the query is a title alone (the live box while a clerk types): its
# title+description field is then the title too, and a candidate with a short description
# would win on length alone; the titles compared with each other say more.
TITLE_ONLY_SHARE = 0.6
# Cosine at which two texts count as fully the same wording (text evidence 1.0). Rewordings of
# the same system by another bureau rarely share more than about half their n-gram weight.
TEXT_FULL_COSINE = 0.6

# Weights of the evidence in the weighted mean (only available evidence is counted).
WEIGHT_TEXT = 0.60  # what the demand says it is: the main evidence, always counted
WEIGHT_CAPABILITIES = 0.15  # what it must do (taxonomy codes), IDF-weighted Jaccard; unlike systems share codes too
WEIGHT_DATA_RESOURCES = 0.10  # which catalogue data it consumes, Jaccard; specific, but often missing
WEIGHT_DOMAIN = 0.05  # the business domain; weak, many different systems share one

# Bonuses added to the mean, each multiplied by the text evidence (0..1), so that they can
# reinforce a textual match but never make one.
# Ordered so that on equal evidence the same organization ranks first, then the same city, then a
# provincial system in use (its bonus, scaled by cities / 9, stays below the city's at 9 cities).
BONUS_SAME_ORG = 0.06  # the same organization asking again: an upgrade or a resubmission
BONUS_SAME_CITY = 0.04  # a sibling bureau of the same city: likely to share a platform
BONUS_PROVINCIAL_SYSTEM = 0.03  # a provincial system used by many cities (scaled by cities / 9): reuse it
PROVINCE_CITY_COUNT = 9  # prefecture-level divisions of Jilin

# Calibration of the score as a confidence that the demand duplicates the candidate.
# 1.0 is kept for the same system: the same name (case, spaces and punctuation aside) of the
# same city (or both provincial); anything else stays at or below SCORE_MAX_OTHER.
SCORE_MAX_OTHER = 0.99
# Title agreement: the informative words of each title (jieba, generic words, regions and stop
# terms left out, weighted by IDF) looked for in the other side's text. A duplicate names the
# same thing; "智慧供热监测" and "智慧供水管网监测" share most n-grams but not their object. The
# score is multiplied by AGREEMENT_FLOOR + (1 - AGREEMENT_FLOOR) × agreement (0..1), computed for
# the AGREEMENT_TOP best candidates (the others get the floor: they stay below the shown ones).
AGREEMENT_FLOOR = 0.9
# A title alone has little else to go on: its words weigh more (character n-grams of
# "智慧供热监测" and "智慧供水管网监测" are mostly the same).
TITLE_ONLY_AGREEMENT_FLOOR = 0.5
AGREEMENT_TOP = 20
MATCHABLE_CACHE = 4096  # candidates' normalised texts kept for the title agreement
# A title alone is weaker evidence than a demand: its score is scaled by TITLE_ONLY_FACTOR, so
# that a title reaches the flag threshold only on a near-identical title, and never 1.0 unless
# it names the same system.
TITLE_ONLY_FACTOR = 0.85
# Below this score a candidate is not shown as related at all (the lower band, see BANDS).
DEFAULT_RELATED_THRESHOLD = 0.3

# Threshold at which a candidate becomes a flag a reviewer must resolve. Fixed before measuring
# on the labelled set, from the principle of the score: a weighted mean of evidence where 1
# means "every available signal says same system" and 0 "none does"; a flag is raised when the
# evidence is at least half-way, i.e. when the same-system reading is the more likely one.
DEFAULT_FLAG_THRESHOLD = 0.5

# -- index constants --------------------------------------------------------------------------

# Pending additions are merged (and every vector length refreshed with the current IDF) after
# MERGE_FRACTION of the index has changed, at least MERGE_MIN and at most MERGE_EVERY changes:
# a merge is one O(size) step, so small indexes merge often and large ones rarely.
MERGE_FRACTION = 0.02
MERGE_MIN = 8
MERGE_EVERY = 4096
PRESELECT = 300  # candidates taken by text similarity before the other signals are scored
SHARED_TERMS_MAX = 6  # readable shared words shown in a "shared_terms" reason
REASON_TEXT_CHARS = 1500  # characters of each text looked at for shared terms

# Reason codes, in the order used to break ties of weight.
REASON_CODES = (
    "text",
    "shared_terms",
    "shared_capabilities",
    "shared_data_resources",
    "same_domain",
    "same_org",
    "same_city",
    "provincial_system",
    "other_city",
)


@dataclass(frozen=True)
class Document:
    kind: str  # "system" | "demand" | "project"
    id: int
    code: str
    title: str
    description: str = ""
    capabilities: frozenset[str] = frozenset()  # capability codes, e.g. "identity_auth"
    data_resources: frozenset[int] = frozenset()
    domain: str = ""  # e.g. "government_services"
    org_id: int | None = None
    city_id: int | None = None  # prefecture-level region of the org (None for provincial orgs)
    level: str = ""  # "province" | "city" | "county"
    user_org_count: int = 0  # for systems: how many orgs already use it
    user_city_count: int = 0  # for systems: how many distinct cities use it


@dataclass(frozen=True)
class Reason:
    code: str  # one of REASON_CODES
    values: tuple = ()  # raw values: similarity, terms, capability codes, ids, counts
    weight: float = 0.0  # contribution to the score


@dataclass(frozen=True)
class Candidate:
    kind: str
    id: int
    code: str
    title: str
    score: float  # in [0, 1], rounded to 4 places
    reasons: tuple[Reason, ...]  # strongest first


# -- helpers ----------------------------------------------------------------------------------


class _Grow:
    """A 1-d numpy array that grows by doubling: appends are amortised O(1)."""

    def __init__(self, dtype, fill=0):
        self.dtype = dtype
        self.fill = fill
        self.buf = np.full(16, fill, dtype=dtype)
        self.n = 0

    def view(self) -> np.ndarray:
        return self.buf[: self.n]

    def ensure(self, size: int):
        if size > len(self.buf):
            grown = np.full(max(size, 2 * len(self.buf)), self.fill, dtype=self.dtype)
            grown[: self.n] = self.buf[: self.n]
            self.buf = grown
        if size > self.n:
            self.buf[self.n : size] = self.fill
            self.n = size

    def append(self, value):
        self.ensure(self.n + 1)
        self.buf[self.n - 1] = value

    def assign(self, values: np.ndarray):
        self.buf = np.array(values, dtype=self.dtype)
        self.n = len(self.buf)
        if self.n < 16:
            self.ensure(16)
            self.n = len(values)


class _Ragged:
    """Variable-length integer lists per slot, stored flat (values + offsets): no object per slot."""

    def __init__(self, dtype):
        self.flat = _Grow(dtype)
        self.ptr = _Grow(np.int64)
        self.ptr.append(0)

    def append(self, values):
        values = np.asarray(values, dtype=self.flat.dtype)
        start = self.flat.n
        self.flat.ensure(start + len(values))
        self.flat.buf[start : start + len(values)] = values
        self.ptr.append(self.flat.n)

    def assign(self, lengths: list[int], values: list[int]):
        self.flat.assign(np.array(values, dtype=self.flat.dtype))
        ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        self.ptr.assign(ptr)

    def get(self, slot: int) -> np.ndarray:
        return self.flat.buf[self.ptr.buf[slot] : self.ptr.buf[slot + 1]]

    def gather(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lengths per slot, owner index per value, values) of the given slots, vectorised."""
        starts = self.ptr.buf[slots]
        lengths = self.ptr.buf[slots + 1] - starts
        total = int(lengths.sum())
        owner = np.repeat(np.arange(len(slots)), lengths)
        if total == 0:
            return lengths, owner, np.zeros(0, dtype=self.flat.dtype)
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return lengths, owner, self.flat.buf[np.repeat(starts, lengths) + offsets]

    def compact(self, keep: np.ndarray):
        lengths, _, values = self.gather(keep)
        self.assign(lengths.tolist(), values)


def _as_set(values) -> frozenset:
    if not values:
        return frozenset()
    if isinstance(values, frozenset):
        return values
    if isinstance(values, str | bytes):
        return frozenset([values])
    try:
        return frozenset(v for v in values if v is not None and v != "")
    except TypeError:
        return frozenset()


def _as_int(value, default=None):
    if value is None or isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _contains(text: str, term: str) -> bool:
    """`term` occurs in `text`; a Latin term only as a whole word."""
    if textmod.is_cjk(term):
        return term in text
    return re.search(r"(?<![0-9a-z])" + re.escape(term) + r"(?![0-9a-z])", text) is not None


_NAME_DROP_RE = re.compile(r"[\\s\\W_]+", re.UNICODE)


def _name_key(name: str) -> str:
    """A name as compared for "the same system": case, spaces and punctuation aside."""
    return _NAME_DROP_RE.sub("", textmod.to_text(name)).casefold()


def _sublinear(counts: np.ndarray) -> np.ndarray:
    return (1.0 + np.log(counts)).astype(np.float32)


class _Field:
    """Inverted index of one text field over the document slots of a RedundancyIndex."""

    def __init__(self):
        self.df = _Grow(np.int32)  # per token id
        self.main = sp.csr_matrix((0, 0), dtype=np.float32)  # tokens × slots (the first n_main slots)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []  # (token ids, tf) of the later slots
        self._pending_matrix = None
        self.norms = _Grow(np.float32)  # per slot, with the IDF of the last refresh

    @property
    def n_main(self) -> int:
        return self.main.shape[1]

    def idf(self, n_docs: int, ids: np.ndarray | None = None) -> np.ndarray:
        """Smoothed IDF, ln((1 + n) / (1 + df)) + 1, from the current counts."""
        df = self.df.view() if ids is None else self.df.buf[ids]
        return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)

    def reset(self, X: sp.csr_matrix, n_docs: int):
        """Index the documents of X (documents × tokens, sublinear tf) as slots 0..n-1."""
        self.df.assign(np.bincount(X.indices, minlength=X.shape[1]).astype(np.int32))
        self.main = X.T.tocsr()
        self.pending = []
        self._pending_matrix = None
        self.refresh_norms(n_docs)

    def refresh_norms(self, n_docs: int):
        idf2 = self.idf(n_docs)[: self.main.shape[0]] ** 2
        sq = self.main.copy()
        sq.data **= 2
        self.norms.assign(np.sqrt(sq.T @ idf2).astype(np.float32))

    def add(self, ids: np.ndarray, tf: np.ndarray, n_docs: int, vocab_size: int):
        self.df.ensure(vocab_size)
        self.df.buf[ids] += 1
        self.pending.append((ids, tf))
        self._pending_matrix = None
        w = tf * self.idf(n_docs, ids)
        self.norms.append(math.sqrt(float(w @ w)))

    def discount(self, ids: np.ndarray):
        self.df.buf[ids] -= 1

    def merge(self, keep: np.ndarray | None, n_docs: int, vocab_size: int):
        """Fold pending documents into the main matrix and drop the slots not in `keep`."""
        self.df.ensure(vocab_size)
        main = self.main
        main.resize((vocab_size, main.shape[1]))  # rows for tokens first seen in pending documents
        if self.pending:
            main = sp.hstack([main, self._pending(vocab_size).T.tocsr()], format="csr")
        if keep is not None:
            main = main[:, keep].tocsr()
        self.main = main
        self.pending = []
        self._pending_matrix = None
        self.refresh_norms(n_docs)

    def _pending(self, vocab_size: int) -> sp.csr_matrix:
        if self._pending_matrix is None or self._pending_matrix.shape[1] != vocab_size:
            lengths = [len(ids) for ids, _ in self.pending]
            indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=indptr[1:])
            indices = np.concatenate([ids for ids, _ in self.pending]) if self.pending else np.zeros(0, np.int32)
            data = np.concatenate([tf for _, tf in self.pending]) if self.pending else np.zeros(0, np.float32)
            self._pending_matrix = sp.csr_matrix((data, indices, indptr), shape=(len(lengths), vocab_size))
        return self._pending_matrix

    def scores(self, ids, counts, unseen, n_docs: int, n_slots: int, vocab_size: int) -> np.ndarray | None:
        """Cosine of the query (token ids and counts, plus counts of unseen tokens) with every slot."""
        if len(ids) == 0:
            return None
        idf = self.idf(n_docs, ids)
        w = _sublinear(counts) * idf
        unseen_w = _sublinear(unseen) * np.float32(math.log(1.0 + n_docs) + 1.0) if len(unseen) else np.zeros(0)
        qnorm = math.sqrt(float(w @ w) + float(unseen_w @ unseen_w))
        if qnorm == 0.0:
            return None
        qw = (w / qnorm * idf).astype(np.float32)  # query weight × IDF: documents store tf only
        out = np.zeros(n_slots, dtype=np.float32)
        n_main = self.n_main
        if n_main:
            in_main = ids < self.main.shape[0]
            if in_main.any():
                out[:n_main] = self.main[ids[in_main]].T @ qw[in_main]
        if self.pending:
            qdense = np.zeros(vocab_size, dtype=np.float32)
            qdense[ids] = qw
            out[n_main:] = self._pending(vocab_size) @ qdense
        norms = self.norms.view()
        np.divide(out, norms, out=out, where=norms > 0)
        np.minimum(out, 1.0, out=out)
        return out


class _Rows:
    """Documents' (token id, count) lists gathered flat for one sparse matrix (bulk build)."""

    def __init__(self):
        self.ids = array("i")
        self.counts = array("f")
        self.lengths = array("q")

    def add(self, ids: list[int], counts: list[int]):
        self.ids.extend(ids)
        self.counts.extend(counts)
        self.lengths.append(len(ids))

    def matrix(self, vocab_size: int) -> sp.csr_matrix:
        """Documents × tokens, sublinear tf."""
        lengths = np.frombuffer(self.lengths, dtype=np.int64) if len(self.lengths) else np.zeros(0, np.int64)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.frombuffer(self.ids, dtype=np.int32).copy() if len(self.ids) else np.zeros(0, np.int32)
        counts = np.frombuffer(self.counts, dtype=np.float32) if len(self.counts) else np.zeros(0, np.float32)
        return sp.csr_matrix((_sublinear(counts), indices, indptr), shape=(len(lengths), vocab_size))


class RedundancyIndex:
    """Candidates a document may duplicate, with a score in [0, 1] and the reasons for it.

    Thread-safe: searches and changes take one lock (a search takes milliseconds).
    """

    def __init__(self, *, stop_terms: Iterable[str] | None = None, region_names: Iterable[str] | None = None):
        self.analyzer = textmod.Analyzer(stop_terms=stop_terms, region_names=region_names)
        self._lock = threading.RLock()
        self._reset()

    # -- snapshots (pickle): everything but the lock ---------------------------------------------
    def __getstate__(self) -> dict:
        with self._lock:
            state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def warm_up(self) -> None:
        """Load the tokenizer and build the structures the first search would build lazily.

        Called before a process forks (gunicorn's master with `preload_app`), so that its workers
        share these pages instead of each building a private copy on their first search.
        """
        textmod.jieba_tokenizer()
        self.search(Document(kind="demand", id=0, code="", title="统一身份认证平台", description="网上办事"), limit=1)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _reset(self):
        self._vocab: dict[str, int] = {}
        self._title = _Field()
        self._full = _Field()
        self._docs: list[Document | None] = []
        self._slot_of: dict[tuple[str, int], int] = {}
        self._alive = _Grow(bool, False)
        self._kind = _Grow(np.int16, -1)
        self._ident = _Grow(np.int64)
        self._domain = _Grow(np.int32, -1)
        self._org = _Grow(np.int64, -1)
        self._city = _Grow(np.int64, -1)
        self._reuse = _Grow(np.float32)
        self._caps = _Ragged(np.int32)  # capability ids per slot
        self._res = _Ragged(np.int64)  # data resource ids per slot
        self._kinds: dict[str, int] = {}
        self._kind_names: list[str] = []
        self._domains: dict[str, int] = {}
        self._cap_ids: dict[str, int] = {}
        self._cap_names: list[str] = []
        self._cap_df = _Grow(np.int32)
        self._dead = 0
        self._changes = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    @staticmethod
    def _code(table: dict, value: str, names: list | None = None) -> int:
        code = table.get(value)
        if code is None:
            code = table[value] = len(table)
            if names is not None:
                names.append(value)
        return code

    def _token_lists(self, doc: Document) -> tuple[list[str], list[str]]:
        title = self.analyzer.analyse(doc.title)
        return title, title + self.analyzer.analyse(doc.description)

    def _doc_counts(self, tokens: list[str]) -> tuple[list[int], list[int]]:
        """(unique token ids, their counts) of a document's tokens; new tokens get new ids."""
        if not tokens:
            return [], []
        counted = Counter(tokens)
        keys = list(counted)
        vocab = self._vocab
        get = vocab.get
        ids = [get(t) for t in keys]
        if None in ids:
            for i, tid in enumerate(ids):
                if tid is None:
                    ids[i] = vocab.setdefault(keys[i], len(vocab))
        return ids, list(counted.values())

    def _doc_ids(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(unique token ids, sublinear tf) of a document's tokens as arrays."""
        ids, counts = self._doc_counts(tokens)
        return np.array(ids, dtype=np.int32), _sublinear(np.array(counts, dtype=np.float64))

    def _query_ids(self, tokens: list[str]):
        """(ids, counts) of the query's known tokens and the counts of its unseen ones."""
        known: dict[int, int] = {}
        unseen: list[int] = []
        vocab = self._vocab
        for token, count in Counter(tokens).items():
            tid = vocab.get(token)
            if tid is None:
                unseen.append(count)
            else:
                known[tid] = count
        ids = np.fromiter(known.keys(), dtype=np.int64, count=len(known))
        counts = np.fromiter(known.values(), dtype=np.float32, count=len(known))
        return ids, counts, np.array(unseen, dtype=np.float32)

    def _cap_list(self, caps: frozenset) -> list[int]:
        ids = sorted(self._code(self._cap_ids, c, self._cap_names) for c in caps)
        self._cap_df.ensure(len(self._cap_ids))
        return ids

    @staticmethod
    def _clean(doc: Document) -> Document:
        """The document with well-typed fields: bad values become empty ones, never errors."""
        if not isinstance(doc, Document):
            raise TypeError("expected a Document")
        if (
            type(doc.title) is str
            and type(doc.description) is str
            and type(doc.kind) is str
            and type(doc.code) is str
            and type(doc.domain) is str
            and type(doc.level) is str
            and type(doc.capabilities) is frozenset
            and type(doc.data_resources) is frozenset
            and (doc.org_id is None or type(doc.org_id) is int)
            and (doc.city_id is None or type(doc.city_id) is int)
            and type(doc.user_org_count) is int
            and type(doc.user_city_count) is int
            and all(type(c) is str and c for c in doc.capabilities)
            and all(type(r) is int for r in doc.data_resources)
        ):
            return doc  # already clean: the common case, kept cheap for bulk builds
        caps = frozenset(str(c) for c in _as_set(doc.capabilities))
        data = frozenset(i for i in (_as_int(v) for v in _as_set(doc.data_resources)) if i is not None)
        fields = {
            "kind": textmod.to_text(doc.kind),
            "code": textmod.to_text(doc.code),
            "title": textmod.to_text(doc.title),
            "description": textmod.to_text(doc.description),
            "capabilities": caps,
            "data_resources": data,
            "domain": textmod.to_text(doc.domain),
            "org_id": _as_int(doc.org_id),
            "city_id": _as_int(doc.city_id),
            "level": textmod.to_text(doc.level),
            "user_org_count": _as_int(doc.user_org_count, 0),
            "user_city_count": _as_int(doc.user_city_count, 0),
        }
        if all(fields[k] == getattr(doc, k) for k in fields):
            return doc
        return Document(id=doc.id, **fields)

    def _reuse_factor(self, doc: Document) -> float:
        if doc.kind == "system" and doc.level == "province" and doc.user_city_count >= 2:
            return min(1.0, doc.user_city_count / PROVINCE_CITY_COUNT)
        return 0.0

    def _append_meta(self, doc: Document, caps: np.ndarray):
        self._docs.append(doc)
        self._alive.append(True)
        self._kind.append(self._code(self._kinds, doc.kind, self._kind_names))
        self._ident.append(_as_int(doc.id, 0))
        self._domain.append(self._code(self._domains, doc.domain) if doc.domain else -1)
        self._org.append(-1 if doc.org_id is None else doc.org_id)
        self._city.append(-1 if doc.city_id is None else doc.city_id)
        self._reuse.append(self._reuse_factor(doc))
        self._caps.append(caps)
        self._res.append(sorted(doc.data_resources))
        self._cap_df.buf[caps] += 1

    # -- writing -------------------------------------------------------------------------------
    def build(self, docs: Iterable[Document]) -> None:
        """Replace the whole index with `docs` (of two documents with one (kind, id), the later wins)."""
        unique: dict[tuple[str, int], Document] = {}
        for doc in docs:
            doc = self._clean(doc)
            unique[(doc.kind, doc.id)] = doc
        items = list(unique.values())
        with self._lock:
            self._reset()
            title_rows, full_rows = _Rows(), _Rows()
            kinds, idents, domains, orgs, cities, reuse = [], [], [], [], [], []
            cap_lengths, cap_values, res_lengths, res_values = [], [], [], []
            for slot, doc in enumerate(items):
                t, f = self._token_lists(doc)
                title_rows.add(*self._doc_counts(t))
                full_rows.add(*self._doc_counts(f))
                caps = self._cap_list(doc.capabilities)
                cap_lengths.append(len(caps))
                cap_values.extend(caps)
                res_lengths.append(len(doc.data_resources))
                res_values.extend(sorted(doc.data_resources))
                kinds.append(self._code(self._kinds, doc.kind, self._kind_names))
                idents.append(_as_int(doc.id, 0))
                domains.append(self._code(self._domains, doc.domain) if doc.domain else -1)
                orgs.append(-1 if doc.org_id is None else doc.org_id)
                cities.append(-1 if doc.city_id is None else doc.city_id)
                reuse.append(self._reuse_factor(doc))
                self._slot_of[(doc.kind, doc.id)] = slot
            self._docs = items
            self._alive.assign(np.ones(len(items), dtype=bool))
            for column, values in (
                (self._kind, kinds),
                (self._ident, idents),
                (self._domain, domains),
                (self._org, orgs),
                (self._city, cities),
                (self._reuse, reuse),
            ):
                column.assign(np.array(values, dtype=column.dtype))
            self._caps.assign(cap_lengths, cap_values)
            self._res.assign(res_lengths, res_values)
            self._cap_df.assign(np.bincount(np.array(cap_values, dtype=np.int64), minlength=len(self._cap_ids)).astype(np.int32))
            n, vocab_size = len(items), len(self._vocab)
            self._title.reset(title_rows.matrix(vocab_size), n)
            self._full.reset(full_rows.matrix(vocab_size), n)

    def upsert(self, doc: Document) -> None:
        """Add a document or replace the one with the same (kind, id); no rebuild."""
        doc = self._clean(doc)
        t, f = self._token_lists(doc)
        with self._lock:
            self._remove_slot((doc.kind, doc.id))
            title, full = self._doc_ids(t), self._doc_ids(f)
            self._append_meta(doc, np.array(self._cap_list(doc.capabilities), dtype=np.int32))
            self._slot_of[(doc.kind, doc.id)] = len(self._docs) - 1
            n, vocab_size = len(self._slot_of), len(self._vocab)
            self._title.add(*title, n, vocab_size)
            self._full.add(*full, n, vocab_size)
            self._after_change()

    def remove(self, kind: str, id: int) -> None:
        """Forget a document; unknown keys are ignored."""
        with self._lock:
            if self._remove_slot((kind, id)):
                self._after_change()

    def _remove_slot(self, key) -> bool:
        slot = self._slot_of.pop(key, None)
        if slot is None:
            return False
        old = self._docs[slot]
        t, f = self._token_lists(old)
        self._title.discount(self._doc_ids(t)[0])
        self._full.discount(self._doc_ids(f)[0])
        self._cap_df.buf[self._caps.get(slot)] -= 1
        self._docs[slot] = None
        self._alive.buf[slot] = False
        self._dead += 1
        return True

    def _after_change(self):
        self._changes += 1
        due = max(MERGE_MIN, min(MERGE_EVERY, int(MERGE_FRACTION * len(self._slot_of))))
        if self._changes >= due:
            self._merge()

    def _merge(self):
        """Fold pending documents into the main matrices, drop removed slots, refresh norms."""
        keep = None
        if self._dead:
            keep = np.flatnonzero(self._alive.view())
            self._docs = [self._docs[i] for i in keep]
            self._caps.compact(keep)
            self._res.compact(keep)
            for column in (self._alive, self._kind, self._ident, self._domain, self._org, self._city, self._reuse):
                column.assign(column.view()[keep])
            self._slot_of = {(d.kind, d.id): i for i, d in enumerate(self._docs)}
            self._dead = 0
        n, vocab_size = len(self._slot_of), len(self._vocab)
        self._title.merge(keep, n, vocab_size)
        self._full.merge(keep, n, vocab_size)
        self._changes = 0

    # -- reading -------------------------------------------------------------------------------
    def search(
        self,
        query: Document,
        *,
        limit: int = 10,
        exclude: tuple[str, int] | None = None,
        kinds: set[str] | None = None,
    ) -> list[Candidate]:
        """The `limit` best candidates for `query`, best first.

        Only documents that share some wording with the query are candidates: text is the
        evidence a duplicate must have (capabilities alone are shared by unlike systems).
        """
        limit = _as_int(limit, 10)
        if limit <= 0:
            return []
        query = self._clean(query)
        qt, qf = self._token_lists(query)
        with self._lock:
            n, n_slots, vocab_size = len(self._slot_of), len(self._docs), len(self._vocab)
            if n == 0:
                return []
            s_title = self._title.scores(*self._query_ids(qt), n, n_slots, vocab_size)
            s_full = self._full.scores(*self._query_ids(qf), n, n_slots, vocab_size)
            if s_title is None and s_full is None:
                return []
            title_only = not query.description.strip()
            share = TITLE_ONLY_SHARE if title_only else TITLE_SHARE
            text = np.zeros(n_slots, dtype=np.float32)
            if s_title is not None:
                text += np.float32(share) * s_title
            if s_full is not None:
                text += np.float32(1.0 - share) * s_full
            slots = self._preselect(text, kinds, exclude)
            if len(slots) == 0:
                return []
            signals = self._signals(query, slots, text[slots].astype(np.float64), n)
            rank, score = self._calibrate(query, slots, signals["score"], title_only, limit)
            signals["score"] = score
            order = np.lexsort((self._ident.buf[slots], self._kind.buf[slots], -rank))
            order = [i for i in order[:limit] if score[i] > 0]
            q_terms = self._query_terms(query) if order else []
            return [self._candidate(query, int(slots[i]), i, signals, q_terms) for i in order]

    def _preselect(self, text: np.ndarray, kinds, exclude) -> np.ndarray:
        """Slots allowed by `kinds`/`exclude` with the most text similarity (all with > 0)."""
        allowed = self._alive.view().copy()
        if kinds is not None:
            if isinstance(kinds, str):
                kinds = {kinds}
            codes = [self._kinds[k] for k in kinds if k in self._kinds]
            allowed &= np.isin(self._kind.view(), codes)
        if exclude is not None:
            try:
                slot = self._slot_of.get((exclude[0], exclude[1]))
            except (TypeError, IndexError, KeyError):
                slot = None
            if slot is not None:
                allowed[slot] = False
        masked = np.where(allowed, text, np.float32(0.0))
        hits = np.flatnonzero(masked > 0)
        if len(hits) > PRESELECT:
            hits = hits[np.argpartition(-masked[hits], PRESELECT - 1)[:PRESELECT]]
        return hits

    def _signals(self, query: Document, slots: np.ndarray, text_sim: np.ndarray, n: int) -> dict:
        """Every signal, its availability and the score, as arrays over the candidate slots."""
        k = len(slots)
        text_ev = np.minimum(1.0, text_sim / TEXT_FULL_COSINE)
        num = WEIGHT_TEXT * text_ev
        den = np.full(k, WEIGHT_TEXT)
        out = {"text_sim": text_sim, "text_ev": text_ev}

        # capabilities: IDF-weighted Jaccard (a code few documents have says more)
        cap_avail = np.zeros(k, dtype=bool)
        cap_sim = np.zeros(k)
        if query.capabilities:
            cap_idf = np.log((1.0 + n) / (1.0 + self._cap_df.view().astype(np.float64))) + 1.0
            unseen_idf = math.log(1.0 + n) + 1.0
            q_known = np.array([self._cap_ids[c] for c in query.capabilities if c in self._cap_ids], dtype=np.int64)
            q_weight = cap_idf[q_known].sum() + unseen_idf * (len(query.capabilities) - len(q_known))
            in_query = np.zeros(len(cap_idf), dtype=bool)
            in_query[q_known] = True
            lengths, owner, flat = self._caps.gather(slots)
            if len(flat):
                w = cap_idf[flat]
                d_weight = np.bincount(owner, weights=w, minlength=k)
                inter = np.bincount(owner, weights=w * in_query[flat], minlength=k)
                cap_avail = lengths > 0
                union = d_weight + q_weight - inter
                cap_sim = np.divide(inter, union, out=np.zeros(k), where=union > 0)
        num = num + WEIGHT_CAPABILITIES * cap_sim * cap_avail
        den = den + WEIGHT_CAPABILITIES * cap_avail
        out.update(cap_avail=cap_avail, cap_sim=cap_sim)

        # data resources: Jaccard
        res_avail = np.zeros(k, dtype=bool)
        res_sim = np.zeros(k)
        if query.data_resources:
            q_res = np.array(sorted(query.data_resources), dtype=np.int64)
            lengths, owner, flat = self._res.gather(slots)
            if len(flat):
                inter = np.bincount(owner, weights=np.isin(flat, q_res), minlength=k)
                res_avail = lengths > 0
                union = lengths + len(q_res) - inter
                res_sim = np.divide(inter, union, out=np.zeros(k), where=union > 0)
        num = num + WEIGHT_DATA_RESOURCES * res_sim * res_avail
        den = den + WEIGHT_DATA_RESOURCES * res_avail
        out.update(res_avail=res_avail, res_sim=res_sim)

        # domain
        dom = self._domain.buf[slots]
        q_dom = self._domains.get(query.domain, -2) if query.domain else -2
        dom_avail = (dom >= 0) & bool(query.domain)
        dom_match = (dom == q_dom) & dom_avail
        num = num + WEIGHT_DOMAIN * dom_match
        den = den + WEIGHT_DOMAIN * dom_avail
        out.update(dom_avail=dom_avail, dom_match=dom_match)

        mean = num / den
        # organization relation: bonuses proportional to the text evidence
        same_org = np.zeros(k, dtype=bool)
        same_city = np.zeros(k, dtype=bool)
        if query.org_id is not None:
            same_org = self._org.buf[slots] == query.org_id
        if query.city_id is not None:
            same_city = (self._city.buf[slots] == query.city_id) & ~same_org
        bonus_org = BONUS_SAME_ORG * text_ev * same_org
        bonus_city = BONUS_SAME_CITY * text_ev * same_city
        bonus_prov = BONUS_PROVINCIAL_SYSTEM * text_ev * self._reuse.buf[slots]
        out.update(
            den=den,
            same_org=same_org,
            same_city=same_city,
            bonus_org=bonus_org,
            bonus_city=bonus_city,
            bonus_prov=bonus_prov,
            score=np.maximum(mean + bonus_org + bonus_city + bonus_prov, 0.0),  # capped by _calibrate
        )
        return out

    def _calibrate(self, query: Document, slots: np.ndarray, score: np.ndarray, title_only: bool, limit: int):
        """(rank key, shown score): the evidence as a confidence of duplication (SCORE_MAX_OTHER, AGREEMENT_*, TITLE_ONLY_*)."""
        score = score.copy()
        top = np.argsort(-score, kind="stable")[: max(AGREEMENT_TOP, limit)]
        rest = np.ones(len(score), dtype=bool)
        rest[top] = False
        score[rest] *= TITLE_ONLY_AGREEMENT_FLOOR if title_only else AGREEMENT_FLOOR  # out of reach of the top: the least agreement is assumed
        q_terms = self._title_terms(query.title)
        q_text = self._matchable(query)
        q_name = _name_key(query.title)
        floor = TITLE_ONLY_AGREEMENT_FLOOR if title_only else AGREEMENT_FLOOR
        same = np.zeros(len(score), dtype=bool)
        for i in top:
            doc = self._docs[int(slots[i])]
            if q_name and _name_key(doc.title) == q_name and doc.city_id == query.city_id:
                same[i] = True  # the same system
                continue
            score[i] *= floor + (1.0 - floor) * self._agreement(q_terms, q_text, doc)
        if title_only:
            score *= TITLE_ONLY_FACTOR
        # Ranked on the evidence before the cap (two capped candidates keep their order: the
        # same organization, then the same city), shown capped.
        rank = np.where(same, np.inf, score)
        return rank, np.where(same, 1.0, np.clip(score, 0.0, SCORE_MAX_OTHER))

    def _title_terms(self, title: str) -> tuple[tuple[str, float], ...]:
        """Informative words of a title with their weights (IDF), cached per title."""
        cache = self.__dict__.setdefault("_title_terms_cache", {})
        found = cache.get(title)
        if found is None:
            seen = {}
            for term in textmod.words(self.analyzer.prepare(title[:200])):
                if len(term) < 2 or term in textmod.GENERIC_WORDS or self.analyzer.is_neutral(term):
                    continue
                if term.isdigit() and len(term) < 3:
                    continue
                seen.setdefault(term, self._term_weight(term) or 1.0)
            # Drop words inside a longer one ("停车" in "智慧停车"): counted once.
            found = tuple((t, w) for t, w in seen.items() if not any(t != o and t in o for o in seen))
            if len(cache) > 100_000:
                cache.clear()
            cache[title] = found
        return found

    def _agreement(self, q_terms, q_text: str, doc: Document) -> float:
        """Mean share (by weight) of each title's informative words found in the other side's text."""
        d_terms = self._title_terms(doc.title)
        shares = []
        if q_terms:
            d_text = self._matchable_cached(doc)
            total = sum(w for _t, w in q_terms)
            shares.append(sum(w for t, w in q_terms if _contains(d_text, t)) / total)
        if d_terms:
            total = sum(w for _t, w in d_terms)
            shares.append(sum(w for t, w in d_terms if _contains(q_text, t)) / total)
        return sum(shares) / len(shares) if shares else 1.0

    # -- reasons -------------------------------------------------------------------------------
    def _candidate(self, query: Document, slot: int, i: int, sig: dict, q_terms: list[str]) -> Candidate:
        doc = self._docs[slot]
        den = sig["den"][i]
        reasons = []
        text_weight = round(float(WEIGHT_TEXT * sig["text_ev"][i] / den), 4)
        reasons.append(Reason("text", (round(float(sig["text_sim"][i]), 4),), text_weight))
        terms = self._shared_terms(q_terms, doc)
        if terms:
            reasons.append(Reason("shared_terms", terms, 0.0))
        if sig["cap_avail"][i]:
            shared = query.capabilities & doc.capabilities
            if shared:
                df = self._cap_df.view()
                ordered = tuple(sorted(shared, key=lambda c: (df[self._cap_ids[c]], c)))  # rarest first
                reasons.append(
                    Reason("shared_capabilities", ordered, round(float(WEIGHT_CAPABILITIES * sig["cap_sim"][i] / den), 4))
                )
        if sig["res_avail"][i]:
            shared = query.data_resources & doc.data_resources
            if shared:
                weight = round(float(WEIGHT_DATA_RESOURCES * sig["res_sim"][i] / den), 4)
                reasons.append(Reason("shared_data_resources", tuple(sorted(shared)), weight))
        if sig["dom_match"][i]:
            reasons.append(Reason("same_domain", (doc.domain,), round(float(WEIGHT_DOMAIN / den), 4)))
        if sig["same_org"][i]:
            reasons.append(Reason("same_org", (doc.org_id,), round(float(sig["bonus_org"][i]), 4)))
        if sig["same_city"][i]:
            reasons.append(Reason("same_city", (doc.city_id,), round(float(sig["bonus_city"][i]), 4)))
        if sig["bonus_prov"][i] > 0:
            reasons.append(
                Reason("provincial_system", (doc.user_org_count, doc.user_city_count), round(float(sig["bonus_prov"][i]), 4))
            )
        if query.city_id is not None and doc.city_id is not None and query.city_id != doc.city_id:
            reasons.append(Reason("other_city", (query.city_id, doc.city_id), 0.0))
        order = {code: n for n, code in enumerate(REASON_CODES)}

        def key(reason: Reason):
            # shared_terms explains the text reason: it follows it, whatever the weights.
            weight = text_weight if reason.code == "shared_terms" else reason.weight
            return (-weight, order[reason.code])

        return Candidate(
            kind=doc.kind,
            id=doc.id,
            code=doc.code,
            title=doc.title,
            score=round(float(sig["score"][i]), 4),
            reasons=tuple(sorted(reasons, key=key)),
        )

    def _matchable_cached(self, doc: Document) -> str:
        """`_matchable` of a candidate, kept for the last MATCHABLE_CACHE candidates (the same ones come up again)."""
        cache = self.__dict__.setdefault("_matchable_cache", {})
        key = (doc.kind, doc.id)
        hit = cache.get(key)
        if hit is not None and hit[0] is doc:  # a replaced document is another object: computed again
            return hit[1]
        text = self._matchable(doc)
        if len(cache) >= MATCHABLE_CACHE:
            cache.pop(next(iter(cache)))
        cache[key] = (doc, text)
        return text

    def _matchable(self, doc: Document) -> str:
        """A document's text as shared terms are looked for in it: normalised, synonyms expanded."""
        raw = doc.title + " " + doc.description[:REASON_TEXT_CHARS]
        return self.analyzer.expand(textmod.normalize(raw, max_chars=REASON_TEXT_CHARS))

    def _query_terms(self, query: Document) -> list[str]:
        """Readable words of the query (jieba with the domain dictionary), most telling first."""
        seen, terms = set(), []
        for term in textmod.words(self._matchable(query)):
            if term in seen:
                continue
            seen.add(term)
            if len(term) < 2 or term in textmod.GENERIC_WORDS or self.analyzer.is_neutral(term):
                continue
            if term.isdigit() and len(term) < 3:
                continue
            if not self.analyzer.neutralise(term):
                continue
            terms.append(term)
        weights = {t: self._term_weight(t) for t in terms}
        terms.sort(key=lambda t: (-weights[t], -len(t), t))
        return terms

    def _term_weight(self, term: str) -> float:
        """Mean IDF of a word's n-grams in the title+description field: rarer words say more."""
        ids = [self._vocab[f] for f in set(self.analyzer.features(term)) if f in self._vocab]
        if not ids:
            return 0.0
        return float(self._full.idf(len(self._slot_of), np.array(ids, dtype=np.int64)).mean())

    def _shared_terms(self, q_terms: list[str], doc: Document) -> tuple[str, ...]:
        """The query's words found in the candidate's text, most telling first."""
        target = self._matchable(doc)
        shared = [t for t in q_terms if _contains(target, t)]
        # Drop words contained in a longer shared word ("停车" inside "智慧停车").
        shared = [t for t in shared if not any(t != o and t in o for o in shared)]
        return tuple(shared[:SHARED_TERMS_MAX])
