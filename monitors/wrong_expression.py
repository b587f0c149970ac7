"""错敏词 / 严重表述错误 — a wrong form of the country's or the Party's name, of a standard
formulation or of a leader's title in a published title or text.

The words come from the list shipped with govwatch (``config/dictionaries/wrong_expressions.yaml``)
and the county's own lists (``settings.text_checks.dictionaries``, same format; an entry with the
same wrong form replaces the shipped one). ``settings.text_checks.allow`` silences a hit: an
allowed string that holds the hit and stands around it in the text (a quotation, a name that
happens to contain the words) makes the hit no finding.

Matching is one Aho–Corasick pass per text over its folded form (``text_scan.Folder``:
full-width and half-width alike, Latin letters in any case, zero-width characters ignored);
evidence quotes the page's own characters. A hit inside a longer one is one error. One finding
per item and wrong form, in the ISO week the item was published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import ahocorasick
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from govwatch.config import ConfigError, ConfigProblem, Lines, load_yaml_model, nearest_line
from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from monitors.text_scan import Folder, ScannedText, fold, sentence_around
from storage.repo import FindingDraft, SourceFacts

RULE = "wrong_expression"
SHIPPED_NAME = "config/dictionaries/wrong_expressions.yaml"
SHIPPED = Path(__file__).resolve().parent.parent / SHIPPED_NAME
Category = Literal["country_name", "party_name", "formulation", "leader", "sensitive", "other"]
CATEGORIES: tuple[str, ...] = get_args(Category)


# ----------------------------------------------------------------------------- the list file


class DictionaryError(ConfigError):
    """Every problem found in a 错敏词 list; ``str()`` is the Chinese report."""

    def report(self) -> str:
        head = f"错敏词表有 {len(self.problems)} 处错误，请修改后再运行："
        body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(self.problems, 1))
        return f"{head}\n{body}"


def _words(value: str) -> str:
    """A wrong form must be words, not a character: a single character is right somewhere."""
    value = value.strip()
    if not value:
        raise PydanticCustomError(
            "govwatch_dictionary", "缺少错误写法 wrong",
            {"fix": "请添加一行 `wrong: 错误的写法`（如 wrong: 中华人名共和国）"})
    if len(fold(value).text) < 2:
        raise PydanticCustomError(
            "govwatch_dictionary", "错误写法「{wrong}」少于两个字",
            {"wrong": value, "fix": "单个字在正常文字中也会出现，请写出完整的错误词语，"
                                     "如「中华人名共和国」"})
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntrySpec(_Strict):
    # a default, so that a missing wrong form gets the message above, not pydantic's
    wrong: Annotated[str, AfterValidator(_words)] = Field("", validate_default=True)
    right: str = ""  # empty: no right form (the words must go)
    category: Category
    note: str = ""

    @model_validator(mode="after")
    def _right_is_not_wrong(self) -> EntrySpec:
        wrong, right = fold(self.wrong).text, fold(self.right).text
        if wrong and wrong in right:
            raise PydanticCustomError(
                "govwatch_dictionary", "正确写法「{right}」中含有错误写法「{wrong}」",
                {"right": self.right, "wrong": self.wrong,
                 "fix": "否则正确的文字也会被报出；请检查两者是否写反，或删除该词条"})
        return self


class DictionaryFile(_Strict):
    entries: list[EntrySpec] = Field(description="词条")


_FIELDS = {"wrong": "错误写法", "right": "正确写法", "category": "类别", "note": "说明"}


def _label(data: Any, path: tuple[Any, ...]) -> str:
    """词条 3「中华人名共和国」 → 类别, for a path into a list file."""
    if len(path) < 2 or path[0] != "entries" or not isinstance(path[1], int):
        return "文件顶层" if not path else f"字段 {path[0]}"
    entries = data.get("entries") if isinstance(data, dict) else None
    entry = entries[path[1]] if isinstance(entries, list) and path[1] < len(entries) else None
    wrong = entry.get("wrong") if isinstance(entry, dict) else None
    label = f"词条 {path[1] + 1}" + (f"「{wrong}」" if isinstance(wrong, str) and wrong else "")
    if len(path) > 2:
        label += f" → {_FIELDS.get(str(path[2]), str(path[2]))}"
    return label


def _duplicates(data: dict[str, Any], file: str, lines: Lines) -> list[ConfigProblem]:
    """The same wrong form twice in one file (also when they differ only in width or case)."""
    problems = []
    first: dict[str, int] = {}
    entries = data.get("entries")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        wrong = entry.get("wrong") if isinstance(entry, dict) else None
        if not isinstance(wrong, str) or not wrong.strip():
            continue
        key = fold(wrong.strip()).text
        if key in first:
            problems.append(ConfigProblem(
                file, nearest_line(lines, ("entries", i)), _label(data, ("entries", i)),
                f"错误写法与第 {nearest_line(lines, ('entries', first[key]))} 行的词条重复",
                "每个错误写法只写一次，请删除其中一条"))
        else:
            first[key] = i
    return problems


# ----------------------------------------------------------------------------- the dictionary


@dataclass(frozen=True)
class Entry:
    """One wrong form and what it should be."""

    wrong: str
    right: str
    category: str
    note: str
    file: str  # the list it came from (shipped or the county's)


@dataclass(frozen=True)
class Hit:
    """A wrong form found in a text: ``text[start:end]`` is what the page printed."""

    wrong: str
    right: str
    category: str
    note: str
    start: int
    end: int


class Dictionary:
    """The wrong forms of one run, compiled once into an Aho–Corasick automaton."""

    def __init__(self, entries: Iterable[Entry], allow: Iterable[str] = ()) -> None:
        by_key: dict[str, Entry] = {}
        for entry in entries:  # a later list (the county's) replaces an earlier entry
            by_key[fold(entry.wrong).text] = entry
        self.entries: tuple[Entry, ...] = tuple(by_key.values())
        self.allow: tuple[str, ...] = tuple(a for a in allow if a.strip())
        self._automaton: Any = None
        # per wrong form: (allowed string, offset of the wrong form in it) — a hit at i is
        # allowed when the folded text holds the allowed string from i - offset
        self._allowed: dict[str, list[tuple[str, int]]] = {}
        allowed = [fold(a).text for a in self.allow]
        # texts are folded only where it can matter to these words (see text_scan.Folder)
        self._folder = Folder("".join(by_key) + "".join(allowed))
        if not by_key:
            return
        automaton = ahocorasick.Automaton()
        for key, entry in by_key.items():
            automaton.add_word(key, (key, entry))
            for a in allowed:
                at = a.find(key)
                while at >= 0:
                    self._allowed.setdefault(key, []).append((a, at))
                    at = a.find(key, at + 1)
        automaton.make_automaton()
        self._automaton = automaton

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, text: str) -> list[Hit]:
        """The wrong forms in ``text``, in order; a hit inside a longer hit is dropped."""
        if self._automaton is None or not text:
            return []
        folded = self._folder.fold(text)
        spans = [(start, end, entry) for start, end, key, entry in self._scan(folded.text)
                 if not self._is_allowed(folded.text, key, start)]
        if not spans:
            return []
        # longest first at each start, so a contained hit always follows its container
        spans.sort(key=lambda s: (s[0], -s[1]))
        hits: list[Hit] = []
        reach = -1
        for start, end, entry in spans:
            if end <= reach:
                continue  # inside the previous hit (中共中共中央 is one error, not two)
            reach = end
            o_start, o_end = folded.original(start, end)
            hits.append(Hit(entry.wrong, entry.right, entry.category, entry.note,
                            o_start, o_end))
        return hits

    def _scan(self, folded: str) -> Iterable[tuple[int, int, str, Entry]]:
        """(start, end, folded wrong form, entry) of every match in a folded text."""
        if self._automaton is None:
            return
        for last, (key, entry) in self._automaton.iter(folded):
            yield last + 1 - len(key), last + 1, key, entry

    def crossed(self) -> list[ConfigProblem]:
        """Entries whose wrong form stands inside another entry's right form: the corrected
        text would be reported again — the lists contradict each other."""
        problems = []
        for other in self.entries:
            for _, _, _, entry in self._scan(fold(other.right).text):
                if entry is not other:  # its own right form is checked as the file is read
                    problems.append(ConfigProblem(
                        entry.file, None, f"词条「{entry.wrong}」",
                        f"错误写法出现在 {other.file} 词条「{other.wrong}」的正确写法"
                        f"「{other.right}」中",
                        "否则按正确写法改正后仍会被报出；请删除或改写其中一条"))
        return problems

    def _is_allowed(self, folded: str, key: str, start: int) -> bool:
        return any(at <= start and folded.startswith(a, start - at)
                   for a, at in self._allowed.get(key, ()))


def read_list(path: Path) -> list[Entry]:
    """The entries of one list file; ``DictionaryError`` names every problem."""
    spec = load_yaml_model(
        path, DictionaryFile, _duplicates, what="错敏词表", label=_label,
        shape="entries: [{wrong: …, right: …, category: …}]",
        example=SHIPPED_NAME, error_type=DictionaryError)
    return [Entry(e.wrong.strip(), e.right.strip(), e.category, e.note.strip(), str(path))
            for e in spec.entries]


def load_dictionary(county_lists: Sequence[Path] = (), allow: Sequence[str] = (),
                    shipped: Path | None = SHIPPED) -> Dictionary:
    """The shipped list, then the county's (paths already resolved against the config file's
    folder), and the allow-list; ``DictionaryError`` names every problem of every file."""
    files = ([shipped] if shipped is not None else []) + list(county_lists)
    entries: list[Entry] = []
    problems: list[ConfigProblem] = []
    for path in files:
        try:
            entries += read_list(path)
        except DictionaryError as exc:
            problems += exc.problems
    if problems:
        raise DictionaryError(problems)
    dictionary = Dictionary(entries, allow)
    crossed = dictionary.crossed()
    if crossed:
        raise DictionaryError(crossed)
    return dictionary


def find(text: str, dictionary: Dictionary) -> list[Hit]:
    """The wrong forms of ``dictionary`` in ``text`` (positions in ``text`` as given)."""
    return dictionary.find(text)


# ----------------------------------------------------------------------------- the rule


def judge(texts: Iterable[ScannedText], sources: Mapping[int, SourceFacts], as_of: date,
          rule_map: RuleMap, dictionary: Dictionary) -> list[FindingDraft]:
    """One finding per item and wrong form; items published after ``as_of`` wait for their
    day, items of unknown sources are skipped."""
    drafts = []
    for t in texts:
        f = sources.get(t.source_id)
        if f is None or (t.published_on is not None and t.published_on > as_of):
            continue
        found: dict[str, list[tuple[str, str, Hit]]] = {}
        for where, text in (("title", t.title), ("body", t.body)):
            for hit in dictionary.find(text):
                found.setdefault(hit.wrong, []).append((where, text, hit))
        if not found:
            continue
        period = iso_week(t.published_on or as_of)
        indicator, points = rule_map.lookup(RULE, f.category)
        for wrong, hits in found.items():
            where, text, first = hits[0]
            before, shown, after = sentence_around(text, first.start, first.end)
            drafts.append(FindingDraft(
                rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=t.item_id,
                subject=f"item:{t.item_id}:{wrong}", period=period, as_of=as_of,
                points=points, indicator=indicator, snapshot_id=f.snapshot_id,
                evidence={
                    "item_url": t.url, "title": t.title,
                    "wrong": wrong, "right": first.right, "category": first.category,
                    "note": first.note, "where": where,
                    "before": before, "hit": shown, "after": after, "hits": len(hits),
                    "published_on": t.published_on.isoformat() if t.published_on else None,
                    "crawl_run_id": f.last_run_id,
                }))
    return drafts
