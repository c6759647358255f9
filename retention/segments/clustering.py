"""k-means segments over customer attributes and value scores, and what sets each cluster apart from the base.

Preprocessing: numeric attributes imputed with the median (with a "was missing" indicator) and standardised;
categories one-hot encoded with "not known" ('') as a category of its own, weighted 1/√2 so that two customers
differing in one category are as far apart as one standard deviation of a numeric attribute. k is the analyst's, or
the best silhouette over k = 3..8 on a sample. KMeans on small bases; beyond FULL_KMEANS_UP_TO, MiniBatchKMeans
fitted on a sample of FIT_SAMPLE customers, then every customer assigned to the nearest centre.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["age", "owned", "r", "f", "m", "visits_log", "spend_log", "rebuy", "related", "referrals"]
FEATURE_CATEGORIES = ["kind", "gender", "city_tier", "province", "occupation", "income_band", "education"]
CATEGORY_WEIGHT = 1 / math.sqrt(2)
K_RANGE = range(3, 9)
SAMPLE_FIT = 20_000  # customers the candidate k are fitted on
SAMPLE_SILHOUETTE = 4_000  # of which the silhouette is measured on (it is quadratic)
FULL_KMEANS_UP_TO = 20_000
FIT_SAMPLE = 200_000  # customers the final centres are fitted on, in a larger base
DENSE_CHUNK = 100_000
SEED = 0

# What a cluster is described by: categories (share in the cluster vs the base) and numeric means (vs the base).
DESCRIBE_CATEGORIES = ["age_band", "city_tier", "province", "income_band", "education", "occupation", "gender", "kind",
                       "series", "tier"]
DESCRIBE_NUMERIC = ["visits", "spend", "owned", "related", "referrals", "rebuy", "r"]
# A category is "mostly" when it holds at least MIN_SHARE of the cluster and MIN_LIFT times its share of the base.
MIN_SHARE = 0.4
MIN_LIFT = 1.2
# A numeric mean stands out when it is MIN_Z standard deviations (of the base) from the base's mean.
MIN_Z = 0.5
MAX_CATEGORY_TRAITS = 4  # besides the noun: who they are, by gender or kind
NOUN_ATTRIBUTES = ("gender", "kind")
MAX_NUMERIC_TRAITS = 2
PROFILE_TOP = 5  # category values kept per attribute in the stored profile


def features(frame: pd.DataFrame) -> np.ndarray:
    """The model matrix (dense float32, a few dozen columns): scaled numerics with missing indicators, weighted
    one-hot categories; k-means runs about twice as fast on it as on the sparse form."""
    data = frame.assign(visits_log=np.log1p(frame["visits"]), spend_log=np.log1p(frame["spend"].clip(lower=0)))
    data = data[NUMERIC + FEATURE_CATEGORIES].copy()
    for column in FEATURE_CATEGORIES:
        data[column] = data[column].astype(str)
    numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
                        ("scale", StandardScaler())])
    transformer = ColumnTransformer(
        [("num", numeric, NUMERIC),
         ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=0.002, dtype=np.float64), FEATURE_CATEGORIES)],
        transformer_weights={"num": 1.0, "cat": CATEGORY_WEIGHT}, sparse_threshold=1.0)
    encoded = transformer.fit_transform(data).tocsr()
    dense = np.empty(encoded.shape, dtype=np.float32)
    for start in range(0, encoded.shape[0], DENSE_CHUNK):  # never the whole float64 matrix at once
        dense[start:start + DENSE_CHUNK] = encoded[start:start + DENSE_CHUNK].toarray()
    return dense


def _model(k: int, n: int, *, candidate: bool = False):
    if n <= FULL_KMEANS_UP_TO:
        return KMeans(n_clusters=k, n_init=2 if candidate else 4, random_state=SEED)
    return MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=SEED, max_no_improvement=20)


def choose_k(matrix, progress: Callable[[float], None] = lambda share: None) -> tuple[int, dict[str, float]]:
    """The k of K_RANGE with the best silhouette on a sample, and every k's silhouette."""
    n = matrix.shape[0]
    rng = np.random.default_rng(SEED)
    sample = matrix[np.sort(rng.choice(n, size=min(n, SAMPLE_FIT), replace=False))]
    measured = min(sample.shape[0], SAMPLE_SILHOUETTE)
    scores: dict[str, float] = {}
    candidates = [k for k in K_RANGE if k < sample.shape[0]]
    for done, k in enumerate(candidates, start=1):
        labels = _model(k, sample.shape[0], candidate=True).fit_predict(sample)
        part = labels[:measured]
        scores[str(k)] = float(silhouette_score(sample[:measured], part)) if len(set(part)) > 1 else -1.0
        progress(done / len(candidates))
    best = max(candidates, key=lambda k: (scores[str(k)], -k)) if candidates else 1
    return best, scores


def fit(matrix: np.ndarray, k: int) -> np.ndarray:
    """Cluster numbers 1..k per row, 1 the largest cluster.

    A large base is fitted (MiniBatchKMeans) on a random sample of FIT_SAMPLE rows and every row then assigned to
    its nearest centre: the centres of 200,000 customers are those of a million, at a fifth of the time.
    """
    n = matrix.shape[0]
    k = max(1, min(k, n))
    model = _model(k, n)
    if n > FIT_SAMPLE:
        rng = np.random.default_rng(SEED)
        model.fit(matrix[np.sort(rng.choice(n, size=FIT_SAMPLE, replace=False))])
        labels = np.concatenate([model.predict(matrix[start:start + DENSE_CHUNK])
                                 for start in range(0, n, DENSE_CHUNK)])
    else:
        labels = model.fit_predict(matrix)
    sizes = np.bincount(labels, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    renumber = np.empty(k, dtype=np.int16)
    renumber[order] = np.arange(1, k + 1)
    return renumber[labels]


@dataclass
class Profile:
    """One cluster (or the whole base): size, value means, tier mix, shares and means, and its traits."""

    number: int
    size: int
    share: float
    means: dict[str, float]
    categories: dict[str, dict[str, float]]
    tier_mix: dict[str, float]
    traits: list[dict]


def _shares(column: pd.Series, labels: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    """Share of each value within each cluster (rows) and in the base."""
    values = column.astype(str)
    table = pd.crosstab(labels, values, normalize="index")
    return table, values.value_counts(normalize=True)


def _category_traits(frame: pd.DataFrame, labels: np.ndarray) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for attribute in DESCRIBE_CATEGORIES:
        table, overall = _shares(frame[attribute], labels)
        for number, row in table.iterrows():
            best = None
            for value, share in row.items():
                base = overall.get(value, 0.0)
                if share < MIN_SHARE or base <= 0 or share / base < MIN_LIFT:
                    continue
                if best is None or share / base > best["share"] / best["overall"]:
                    best = {"attribute": attribute, "value": value, "share": round(float(share), 4),
                            "overall": round(float(base), 4)}
            if best is not None:
                found.setdefault(int(number), []).append(best)
    return found


def _numeric_traits(frame: pd.DataFrame, labels: np.ndarray, means: pd.DataFrame) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for attribute in DESCRIBE_NUMERIC:
        overall, spread = float(frame[attribute].mean()), float(frame[attribute].std(ddof=0))
        if not spread:
            continue
        for number, mean in means[attribute].items():
            z = (float(mean) - overall) / spread
            if abs(z) >= MIN_Z:
                found.setdefault(int(number), []).append({"attribute": attribute, "mean": round(float(mean), 2),
                                                          "overall": round(overall, 2), "z": round(z, 2)})
    return found


def _strongest(categories: list[dict], numerics: list[dict]) -> list[dict]:
    """The few most telling traits: who they are (gender or kind), then categories by excess share, then numerics."""
    if any(t["attribute"] == "kind" and t["value"] == "company" for t in categories):
        # A company has no age, income or education: "not known" follows from being a company, it tells nothing.
        categories = [t for t in categories if t["value"] != "" or t["attribute"] in ("series", "tier")]
    by_excess = sorted(categories, key=lambda t: -(t["share"] - t["overall"]))
    nouns = [t for t in by_excess if t["attribute"] in NOUN_ATTRIBUTES and t["value"] != ""][:1]
    others = [t for t in by_excess if t["attribute"] not in NOUN_ATTRIBUTES][:MAX_CATEGORY_TRAITS]
    return nouns + others + sorted(numerics, key=lambda t: -abs(t["z"]))[:MAX_NUMERIC_TRAITS]


def describe(frame: pd.DataFrame, labels: np.ndarray) -> tuple[dict, list[Profile]]:
    """The base's profile and each cluster's, with the traits that set the cluster apart."""
    n = len(frame)
    grouped = frame[DESCRIBE_NUMERIC + ["m", "f"]].groupby(labels)
    means = grouped.mean()
    sizes = pd.Series(labels).value_counts()
    category_traits = _category_traits(frame, labels)
    numeric_traits = _numeric_traits(frame, labels, means)
    tiers, _overall_tiers = _shares(frame["tier"], labels)
    profiles_by_attribute = {attr: _shares(frame[attr], labels) for attr in DESCRIBE_CATEGORIES}
    overall = {
        "size": n,
        "means": {a: round(float(frame[a].mean()), 3) for a in DESCRIBE_NUMERIC + ["f", "m"]},
        "categories": {a: {k: round(float(v), 4) for k, v in shares[1].head(PROFILE_TOP).items()}
                       for a, shares in profiles_by_attribute.items()},
    }
    profiles = []
    for number in sorted(sizes.index):
        number = int(number)
        categories = {}
        for attribute, (table, _base) in profiles_by_attribute.items():
            row = table.loc[number].sort_values(ascending=False).head(PROFILE_TOP)
            categories[attribute] = {k: round(float(v), 4) for k, v in row.items() if v > 0}
        profiles.append(Profile(
            number=number, size=int(sizes[number]), share=round(int(sizes[number]) / n, 4),
            means={a: round(float(means.loc[number, a]), 3) for a in means.columns},
            categories=categories,
            tier_mix={k: round(float(v), 4) for k, v in tiers.loc[number].items() if v > 0},
            traits=_strongest(category_traits.get(number, []), numeric_traits.get(number, [])),
        ))
    return overall, profiles
