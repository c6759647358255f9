"""City tiers (城市等级) by the common 一线 / 新一线 / 二线 ranking; any other named city is third tier or below."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FIRST = "北京 上海 广州 深圳"
NEW_FIRST = "成都 重庆 杭州 武汉 苏州 西安 南京 长沙 天津 郑州 东莞 青岛 昆明 宁波 合肥"
SECOND = ("佛山 沈阳 无锡 济南 厦门 福州 温州 哈尔滨 石家庄 大连 南宁 泉州 金华 贵阳 常州 长春 南昌 南通 嘉兴 "
          "徐州 惠州 太原 台州 绍兴 保定 中山 潍坊 临沂 珠海 烟台")

TIERS = {"1": _("First-tier"), "new1": _("New first-tier"), "2": _("Second-tier"),
         "3": _("Third-tier and below")}

_TIER_OF = {city: tier for tier, names in (("1", FIRST), ("new1", NEW_FIRST), ("2", SECOND)) for city in names.split()}


def city_tier(city: str | None) -> str:
    """The tier key of a city name ('上海' or '上海市'); '' when the city is not known."""
    name = (city or "").strip()
    if not name:
        return ""
    return _TIER_OF.get(name.removesuffix("市"), "3")
