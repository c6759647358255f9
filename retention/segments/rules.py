"""Association rules between customer attributes and the series bought (FP-growth and rules from mlxtend).

One transaction per buyer: an item per known attribute value ("income_band:high", '' never is an item) and one per
series bought ("series:星瀚"). Frequent itemsets come from `fpgrowth` over a sparse one-hot frame, rules from
`association_rules`; only rules of attributes → one series are kept. Support is over all buyers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth
from scipy import sparse

from .attributes import ITEM_ATTRIBUTES

SERIES = "series"
MAX_LEN = 4  # at most three attributes and the series
MAX_RULES = 2000  # the strongest by lift are kept
DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_MIN_CONFIDENCE = 0.2
# Nearly every customer is a person: "a person → buys X" says nothing, so only the company kind is an item.
SKIPPED_ITEMS = {"kind:person"}


@dataclass
class Rule:
    antecedent: list[str]
    consequent: str
    support: float
    confidence: float
    lift: float
    customers: int
    antecedent_customers: int


def transactions(buyers: pd.DataFrame, bought: pd.DataFrame) -> pd.DataFrame:
    """The buyers × items one-hot frame (sparse booleans)."""
    rows, columns, names = [], [], []
    for attribute in ITEM_ATTRIBUTES:
        column = buyers[attribute].astype("category")
        codes = column.cat.codes.to_numpy()
        for code, value in enumerate(column.cat.categories):
            item = f"{attribute}:{value}"
            if value == "" or item in SKIPPED_ITEMS:
                continue
            hit = np.flatnonzero(codes == code)
            rows.append(hit)
            columns.append(np.full(len(hit), len(names)))
            names.append(item)
    position = pd.Index(buyers["customer_id"]).get_indexer(bought["customer_id"])
    kept = position >= 0
    series = bought["series"].astype(str).to_numpy()[kept]
    for value in sorted(set(series)):
        rows.append(position[kept][series == value])
        columns.append(np.full(int((series == value).sum()), len(names)))
        names.append(f"{SERIES}:{value}")
    row = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    col = np.concatenate(columns) if columns else np.array([], dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(len(row), dtype=bool), (row, col)), shape=(len(buyers), len(names)))
    return pd.DataFrame.sparse.from_spmatrix(matrix, columns=names)


def _is_series(items) -> list[bool]:
    return [item.startswith(f"{SERIES}:") for item in items]


def mine(buyers: pd.DataFrame, bought: pd.DataFrame, *, min_support: float, min_confidence: float,
         progress: Callable[[float, str], None] = lambda share, step: None) -> tuple[list[Rule], dict]:
    """The rules attributes → series over the buyers, strongest lift first, and counts of what was mined."""
    n = len(buyers)
    summary = {"buyers": n, "items": 0, "itemsets": 0, "rules": 0, "rules_kept": 0}
    if n == 0:
        return [], summary
    frame = transactions(buyers, bought)
    summary["items"] = frame.shape[1]
    progress(0.2, "mining")
    itemsets = fpgrowth(frame, min_support=min_support, use_colnames=True, max_len=MAX_LEN)
    summary["itemsets"] = len(itemsets)
    progress(0.7, "rules")
    if itemsets.empty:
        return [], summary
    # An itemset with two series is never a rule's whole; dropping them keeps every subset a rule needs.
    itemsets = itemsets[[sum(_is_series(s)) <= 1 for s in itemsets["itemsets"]]]
    found = association_rules(itemsets, num_itemsets=n, metric="confidence", min_threshold=min_confidence,
                              return_metrics=["antecedent support", "consequent support", "support", "confidence",
                                              "lift"])
    wanted = [len(c) == 1 and _is_series(c)[0] and not any(_is_series(a))
              for a, c in zip(found["antecedents"], found["consequents"], strict=True)]
    found = found[wanted].sort_values(["lift", "confidence", "support"], ascending=False)
    summary["rules"] = len(found)
    found = found.head(MAX_RULES).rename(columns={"antecedent support": "antecedent_support"})
    summary["rules_kept"] = len(found)
    rules = [Rule(antecedent=sorted(row.antecedents, key=_item_order),
                  consequent=next(iter(row.consequents)).split(":", 1)[1],
                  support=float(row.support), confidence=float(row.confidence), lift=float(row.lift),
                  customers=int(round(row.support * n)), antecedent_customers=int(round(row.antecedent_support * n)))
             for row in found.itertuples(index=False)]
    return rules, summary


def _item_order(item: str) -> tuple[int, str]:
    """Items in the order a sentence reads them (as ITEM_ATTRIBUTES lists the attributes)."""
    attribute = item.split(":", 1)[0]
    return (ITEM_ATTRIBUTES.index(attribute) if attribute in ITEM_ATTRIBUTES else 99, item)
