"""The policy rule measured on the 河北省科学技术厅 portal (``../shared/real-corpus/hebei-kjt``).

- The matcher (``monitors.policy_match``) over the labelled pairs and hard negatives of
  ``pairs.yaml``: with titles, bodies, links and dates as crawled, and with titles alone.
- The classifier (``monitors.policy_class``) over the department's own policy files (the two
  科技厅政策文件 CSVs) against the hand labels in ``tests/gold/hebei_kjt_policy_classes.yaml``,
  and its counts per class over every column.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from monitors.policy_class import CLASS_LABELS, classify
from monitors.policy_match import BODY_LIMIT, InterpretationDoc, Matcher, PolicyDoc

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "real-corpus" / "hebei-kjt"
GOLD = ROOT / "tests" / "gold" / "hebei_kjt_policy_classes.yaml"
INTERPRETATIONS = "政策解读.csv"
NOT_POLICIES = ("政策解读.csv", "政府信息公开年报.csv")
OWN_POLICIES = ("科技厅政策文件_科技政策.csv", "科技厅政策文件_规范性文件汇总表.csv")


@dataclass
class Row:
    """One page of the corpus."""

    file: str
    title: str
    published_on: date
    body: str
    url: str
    links: tuple[str, ...]


def links_of(cell: str) -> tuple[str, ...]:
    """The 附件链接 cell: ';'-separated; the crawler glued the site root before absolute URLs
    (https://kjt.hebei.gov.cnhttps://…), so each link starts at its last scheme."""
    found = []
    for part in cell.split(";"):
        part = part.strip()
        if "http" in part:
            found.append(part[part.rfind("http"):])
    return tuple(found)


def rows(corpus: Path = CORPUS) -> Iterator[Row]:
    for path in sorted(corpus.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                if record["标题"] == "标题":  # a header row repeated inside the file
                    continue
                yield Row(path.name, record["标题"].strip(), date.fromisoformat(record["时间"]),
                          (record["内容"] or "")[:BODY_LIMIT], record["访问地址"],
                          links_of(record["附件链接"] or ""))


@dataclass
class MatchFigures:
    pairs: int = 0
    recognised: int = 0
    negatives: int = 0  # hard negatives without needs_date_or_link
    matched: int = 0
    negatives_dated: int = 0  # hard negatives that need a date or a link to tell apart
    matched_dated: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        recognised = 100 * self.recognised / max(self.pairs, 1)
        matched = 100 * self.matched / max(self.negatives, 1)
        return (f"{label}: pairs recognised {self.recognised}/{self.pairs} ({recognised:.1f} %), "
                f"hard negatives matched {self.matched}/{self.negatives} ({matched:.1f} %); "
                f"needing date or link: {self.matched_dated}/{self.negatives_dated} matched")


def measure_matcher(corpus: Path = CORPUS, *, titles_only: bool = False) -> MatchFigures:
    """The matcher over ``pairs.yaml``: every policy-like page of the corpus is a policy (the
    versions and namesakes a real column holds), every 政策解读 page an interpretation."""
    by_url: dict[str, Row] = {}
    for row in rows(corpus):
        by_url.setdefault(row.url, row)
    policies, interps = [], []
    same_day = date(2024, 1, 1)
    for k, row in enumerate(by_url.values()):
        args = (k, row.url, row.title, same_day if titles_only else row.published_on,
                "" if titles_only else row.body, () if titles_only else row.links)
        if row.file == INTERPRETATIONS:
            interps.append(InterpretationDoc(*args))
        elif row.file not in NOT_POLICIES:
            policies.append(PolicyDoc(*args))
    matcher = Matcher(policies, interps)
    key_of = {row.url: k for k, row in enumerate(by_url.values())}
    figures = MatchFigures()
    for case in yaml.safe_load((corpus / "pairs.yaml").read_text(encoding="utf-8")):
        # the rule's own question: which interpretations explain this policy?
        verdict = matcher.verdict(key_of[case["policy_url"]])
        explained = key_of[case["interpretation_url"]] in {w.interp.key
                                                            for w in verdict.explaining}
        label = f"{case['id']} {case['policy']} ↔ {case['interpretation']}"
        if case["label"] == "pair":
            figures.pairs += 1
            figures.recognised += explained
            if not explained:
                figures.missed.append(label)
        elif case.get("needs_date_or_link"):
            figures.negatives_dated += 1
            figures.matched_dated += explained
        else:
            figures.negatives += 1
            figures.matched += explained
            if explained:
                figures.false.append(label)
    return figures


@dataclass
class ClassFigures:
    labelled: int = 0
    agreed: int = 0
    disagreements: list[str] = field(default_factory=list)
    per_file: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)


def measure_classifier(corpus: Path = CORPUS, gold: Path = GOLD) -> ClassFigures:
    figures = ClassFigures()
    first: dict[str, Row] = {}
    for row in rows(corpus):
        if row.file in NOT_POLICIES:
            continue
        found = classify(row.title, row.body)
        figures.per_file.setdefault(row.file, Counter())[found.cls] += 1
        examples = figures.examples.setdefault(found.cls, [])
        if len(examples) < 4 and all(row.title not in e for e in examples):
            examples.append(f"{row.title}（{found.reason}）")
        if row.file in OWN_POLICIES:
            first.setdefault(row.title, row)
    for entry in yaml.safe_load(gold.read_text(encoding="utf-8")):
        row = first.get(entry["title"])
        found = classify(entry["title"], row.body if row else "")
        figures.labelled += 1
        if found.cls == entry["class"]:
            figures.agreed += 1
        else:
            figures.disagreements.append(
                f"{entry['title']}: labelled {entry['class']} ({entry['why']}), "
                f"classified {found.cls} ({found.reason})")
    return figures


def report(corpus: Path = CORPUS) -> str:
    """The figures as printed by ``make eval``."""
    lines = [f"Policy rule on real pages: {corpus}", ""]
    full = measure_matcher(corpus)
    bare = measure_matcher(corpus, titles_only=True)
    lines.append("Matcher (pairs.yaml):")
    lines.append("  " + full.line("titles+bodies+links+dates"))
    lines.append("  " + bare.line("titles alone             "))
    for label, items in (("missed pairs", full.missed), ("matched hard negatives", full.false)):
        for item in items:
            lines.append(f"    {label}: {item}")
    classes = measure_classifier(corpus)
    lines += ["", "Classifier:"]
    lines.append(f"  agreement with the hand labels ({GOLD.relative_to(ROOT)}): "
                 f"{classes.agreed}/{classes.labelled} "
                 f"({100 * classes.agreed / max(classes.labelled, 1):.1f} %)")
    for item in classes.disagreements:
        lines.append(f"    disagrees: {item}")
    for file, counts in sorted(classes.per_file.items()):
        shown = ", ".join(f"{CLASS_LABELS[c]} {n}" for c, n in counts.most_common())
        lines.append(f"  {file}: {shown}")
    for cls, examples in classes.examples.items():
        lines.append(f"  e.g. {CLASS_LABELS[cls]}:")
        lines += [f"    {e}" for e in examples]
    return "\n".join(lines)
