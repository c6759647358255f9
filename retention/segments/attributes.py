"""The customer attributes both analyses read: demographics, city tier, vehicles, value scores and series bought.

Read with one COPY per table into pandas (a million customers is a few hundred MB as columns, far less than as
Python rows). Categories keep '' for "not known", which is a category of its own in the clustering.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from django.db import connection
from django.utils.translation import gettext_lazy as _

from .cities import city_tier

# Age bands (years at the as-of date); the key is stored in traits and rules, the phrase shown.
AGE_BANDS = [
    ("u25", 0, 25, _("aged under 25")),
    ("25-29", 25, 30, _("aged 25–29")),
    ("30-39", 30, 40, _("aged 30–39")),
    ("40-49", 40, 50, _("aged 40–49")),
    ("50-59", 50, 60, _("aged 50–59")),
    ("60+", 60, 200, _("aged 60 or over")),
]

# Categorical attributes: read from the customer (or derived), used by both analyses.
CATEGORIES = ["kind", "gender", "age_band", "city_tier", "province", "occupation", "income_band", "education"]
# Attributes that may stand in a rule's antecedent (the province is left to the clusters: 31 values say little
# about a series that the city tier does not).
ITEM_ATTRIBUTES = ["kind", "gender", "age_band", "city_tier", "occupation", "income_band", "education"]

SEGMENT_SQL = """
WITH owned AS (
    SELECT veh.owner_id AS customer_id, count(*) AS owned,
           (array_agg(m.series ORDER BY veh.delivered_on DESC NULLS LAST, veh.id DESC))[1] AS series
    FROM vehicles_vehicle veh LEFT JOIN vehicles_vehiclemodel m ON m.id = veh.model_id
    WHERE veh.tenant_id = {tenant} AND veh.owner_id IS NOT NULL
      AND (veh.scrapped_on IS NULL OR veh.scrapped_on > {as_of})
      AND (veh.delivered_on IS NULL OR veh.delivered_on <= {as_of})
    GROUP BY 1
)
SELECT c.id AS customer_id, c.kind, c.gender, date_part('year', age({as_of}, c.birth_date))::int AS age,
       c.province, c.city, c.occupation, c.income_band, c.education,
       v.r, v.f, v.m, v.visits, v.spend, v.rebuy::int AS rebuy, v.related, v.referrals, v.tier,
       COALESCE(o.owned, 0) AS owned, COALESCE(o.series, '') AS series
FROM retention_customervalue v
JOIN customers_customer c ON c.id = v.customer_id
LEFT JOIN owned o ON o.customer_id = v.customer_id
WHERE v.tenant_id = {tenant} AND c.merged_into_id IS NULL AND c.erased_at IS NULL
ORDER BY c.id
"""

BUYER_SQL = """
SELECT c.id AS customer_id, c.kind, c.gender, date_part('year', age({as_of}, c.birth_date))::int AS age,
       c.province, c.city, c.occupation, c.income_band, c.education
FROM customers_customer c
WHERE c.tenant_id = {tenant} AND c.merged_into_id IS NULL AND c.erased_at IS NULL
  AND EXISTS (SELECT 1 FROM vehicles_sale s WHERE s.tenant_id = {tenant} AND s.customer_id = c.id
                AND s.delivered_on <= {as_of})
ORDER BY c.id
"""

# Each (buyer, series) once: the series of every vehicle the customer bought by the as-of date.
SERIES_SQL = """
SELECT DISTINCT s.customer_id, m.series
FROM vehicles_sale s
JOIN vehicles_vehicle veh ON veh.id = s.vehicle_id
JOIN vehicles_vehiclemodel m ON m.id = veh.model_id
WHERE s.tenant_id = {tenant} AND s.delivered_on <= {as_of} AND m.series <> ''
"""

TEXT = {"kind": "category", "gender": "category", "province": "category", "city": "category",
        "occupation": "category", "income_band": "category", "education": "category", "tier": "category",
        "series": "category"}


def _copy_frame(sql: str, tenant_id: int, as_of: dt.date, dtypes: dict) -> pd.DataFrame:
    """Run one SELECT as COPY … TO STDOUT (CSV) and read it into a DataFrame."""
    # COPY takes no bind parameters; both values are formatted from typed Python values (an int and a date).
    statement = sql.format(tenant=int(tenant_id), as_of=f"DATE '{as_of.isoformat()}'")
    buffer = io.BytesIO()
    with connection.cursor() as cursor, \
            cursor.cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT CSV, HEADER)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=dtypes, keep_default_na=False, na_values={"age": [""]})


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Age band and city tier from the raw columns; text columns as categories ('' = not known)."""
    age = frame["age"]
    band = pd.Series("", index=frame.index, dtype=object)
    for key, low, high, _label in AGE_BANDS:
        band[(age >= low) & (age < high)] = key
    frame["age_band"] = band.astype("category")
    cities = frame["city"].astype(str)
    tiers = {city: city_tier(city) for city in cities.unique()}
    frame["city_tier"] = cities.map(tiers)
    for column in CATEGORIES:
        frame[column] = frame[column].astype("category")
    return frame.drop(columns=["city"])


def segment_frame(tenant_id: int, as_of: dt.date) -> pd.DataFrame:
    """Every customer scored in the customer value, with attributes, vehicles owned and value scores."""
    dtypes = {"customer_id": np.int64, "r": np.int8, "f": np.int8, "m": np.int8, "visits": np.int32,
              "spend": np.float64, "rebuy": np.int8, "related": np.int32, "referrals": np.int32,
              "owned": np.int32, **TEXT}
    return _derive(_copy_frame(SEGMENT_SQL, tenant_id, as_of, dtypes))


def buyer_frame(tenant_id: int, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The buyers (a sale delivered by the date) with their attributes, and each (customer, series) bought."""
    buyers = _derive(_copy_frame(BUYER_SQL, tenant_id, as_of, {"customer_id": np.int64, **TEXT}))
    series = _copy_frame(SERIES_SQL, tenant_id, as_of, {"customer_id": np.int64, "series": "category"})
    return buyers, series
