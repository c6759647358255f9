"""Fixed reference data of the synthetic network: regions, cities, names, catalogue and providers."""

from __future__ import annotations

from dataclasses import dataclass

# Region codes match the demo network (N, E, S) so a generated network extends it instead of duplicating regions.
REGIONS = {
    "N": "华北大区",
    "NE": "东北大区",
    "E": "华东大区",
    "C": "华中大区",
    "S": "华南大区",
    "SW": "西南大区",
    "NW": "西北大区",
}


@dataclass(frozen=True)
class City:
    """A city that hosts dealers: where customers live and which plates they get."""

    name: str
    province: str
    code: str  # dealer code prefix
    region: str
    weight: float  # relative number of dealers
    plate: str  # province character followed by the city's plate letters
    id_area: str  # a 6-digit resident ID area code valid for every birth year we generate
    districts: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _city(name, province, code, region, weight, plate, id_area, districts=""):
    return City(name, province, code, region, weight, plate, id_area, _words(districts))


CITIES = [
    _city("北京", "北京市", "BJ", "N", 10, "京ABCEFGHJKLMNPQ", "110105", "朝阳 海淀 丰台 通州 大兴 顺义 昌平"),
    _city("天津", "天津市", "TJ", "N", 5, "津ABCDEFGHJKLMNQR", "120101", "滨海 河西 南开 东丽 西青"),
    _city("石家庄", "河北省", "SJZ", "N", 3, "冀A", "130100", "长安 裕华 桥西"),
    _city("唐山", "河北省", "TS", "N", 2, "冀B", "130200"),
    _city("保定", "河北省", "BD", "N", 2, "冀F", "130100"),
    _city("太原", "山西省", "TY", "N", 2, "晋A", "140100", "小店 万柏林"),
    _city("呼和浩特", "内蒙古自治区", "HHT", "N", 1, "蒙A", "150100"),
    _city("包头", "内蒙古自治区", "BT", "N", 1, "蒙B", "150200"),
    _city("沈阳", "辽宁省", "SY", "NE", 3, "辽A", "210100", "和平 浑南 铁西"),
    _city("大连", "辽宁省", "DL", "NE", 3, "辽B", "210200", "甘井子 沙河口 金州"),
    _city("长春", "吉林省", "CC", "NE", 3, "吉A", "220100", "朝阳 南关 绿园"),
    _city("哈尔滨", "黑龙江省", "HRB", "NE", 3, "黑A", "230100", "南岗 道里 香坊"),
    _city("上海", "上海市", "SH", "E", 10, "沪ABCDEFGHJKLMN", "310104", "浦东 闵行 嘉定 宝山 松江 徐汇"),
    _city("南京", "江苏省", "NJ", "E", 4, "苏A", "320100", "江宁 建邺 鼓楼 栖霞"),
    _city("苏州", "江苏省", "SU", "E", 5, "苏EU", "320500", "工业园区 吴中 相城 昆山"),
    _city("无锡", "江苏省", "WX", "E", 3, "苏B", "320200", "滨湖 新吴 梁溪"),
    _city("常州", "江苏省", "CZ", "E", 2, "苏D", "320400", "武进 新北"),
    _city("南通", "江苏省", "NT", "E", 2, "苏F", "320600"),
    _city("徐州", "江苏省", "XZ", "E", 2, "苏C", "320300"),
    _city("杭州", "浙江省", "HZ", "E", 6, "浙A", "330100", "西湖 滨江 萧山 余杭 拱墅"),
    _city("宁波", "浙江省", "NB", "E", 4, "浙B", "330200", "鄞州 江北 北仑"),
    _city("温州", "浙江省", "WZ", "E", 3, "浙C", "330300", "鹿城 瓯海"),
    _city("绍兴", "浙江省", "SX", "E", 2, "浙D", "330100"),
    _city("金华", "浙江省", "JH", "E", 2, "浙G", "330100", "义乌 婺城"),
    _city("合肥", "安徽省", "HF", "E", 3, "皖A", "340100", "蜀山 包河 政务区"),
    _city("芜湖", "安徽省", "WU", "E", 1, "皖B", "340200"),
    _city("福州", "福建省", "FZ", "E", 3, "闽A", "350100", "仓山 鼓楼"),
    _city("厦门", "福建省", "XM", "E", 3, "闽D", "350200", "思明 湖里 集美"),
    _city("泉州", "福建省", "QZ", "E", 2, "闽C", "350100"),
    _city("南昌", "江西省", "NC", "E", 2, "赣A", "360100", "红谷滩 青山湖"),
    _city("济南", "山东省", "JN", "E", 3, "鲁A", "370100", "历下 槐荫 高新"),
    _city("青岛", "山东省", "QD", "E", 4, "鲁BU", "370200", "黄岛 城阳 崂山"),
    _city("烟台", "山东省", "YT", "E", 2, "鲁F", "370100"),
    _city("潍坊", "山东省", "WF", "E", 2, "鲁G", "370100"),
    _city("临沂", "山东省", "LY", "E", 2, "鲁Q", "370100"),
    _city("郑州", "河南省", "ZZ", "C", 4, "豫A", "410100", "金水 郑东 二七 中原"),
    _city("洛阳", "河南省", "LUY", "C", 2, "豫C", "410300"),
    _city("武汉", "湖北省", "WH", "C", 5, "鄂A", "420100", "江汉 武昌 洪山 汉阳 东西湖"),
    _city("宜昌", "湖北省", "YIC", "C", 1, "鄂E", "420500"),
    _city("襄阳", "湖北省", "XY", "C", 1, "鄂F", "420600"),
    _city("长沙", "湖南省", "CS", "C", 4, "湘A", "430100", "岳麓 雨花 开福 天心"),
    _city("株洲", "湖南省", "ZHZ", "C", 1, "湘B", "430200"),
    _city("广州", "广东省", "GZ", "S", 7, "粤A", "440100", "天河 番禺 白云 海珠 黄埔 花都"),
    _city("深圳", "广东省", "SZ", "S", 7, "粤B", "440300", "南山 福田 宝安 龙岗 龙华"),
    _city("佛山", "广东省", "FS", "S", 4, "粤EXY", "440600", "禅城 南海 顺德"),
    _city("东莞", "广东省", "DG", "S", 4, "粤S", "440100", "南城 东城 长安 虎门"),
    _city("珠海", "广东省", "ZH", "S", 2, "粤C", "440400", "香洲 金湾"),
    _city("惠州", "广东省", "HUZ", "S", 2, "粤L", "440100"),
    _city("中山", "广东省", "ZS", "S", 2, "粤T", "440100"),
    _city("汕头", "广东省", "ST", "S", 1, "粤D", "440500"),
    _city("南宁", "广西壮族自治区", "NN", "S", 3, "桂A", "450100", "青秀 良庆 西乡塘"),
    _city("柳州", "广西壮族自治区", "LIZ", "S", 1, "桂B", "450200"),
    _city("海口", "海南省", "HK", "S", 2, "琼A", "440100", "美兰 秀英"),
    _city("三亚", "海南省", "SAY", "S", 1, "琼B", "440100"),
    _city("重庆", "重庆市", "CQ", "SW", 6, "渝ABCDFGH", "510100", "渝北 江北 南岸 九龙坡 沙坪坝"),
    _city("成都", "四川省", "CD", "SW", 7, "川AG", "510100", "武侯 高新 锦江 成华 双流 郫都"),
    _city("绵阳", "四川省", "MY", "SW", 1, "川B", "510100"),
    _city("贵阳", "贵州省", "GY", "SW", 2, "贵A", "520100", "观山湖 南明 云岩"),
    _city("遵义", "贵州省", "ZY", "SW", 1, "贵C", "520100"),
    _city("昆明", "云南省", "KM", "SW", 3, "云A", "530100", "官渡 五华 盘龙 呈贡"),
    _city("拉萨", "西藏自治区", "LS", "SW", 1, "藏A", "540100"),
    _city("西安", "陕西省", "XA", "NW", 5, "陕AU", "610100", "雁塔 未央 长安 曲江 高新"),
    _city("兰州", "甘肃省", "LZ", "NW", 2, "甘A", "620100", "城关 七里河"),
    _city("西宁", "青海省", "XN", "NW", 1, "青A", "630100"),
    _city("银川", "宁夏回族自治区", "YC", "NW", 1, "宁A", "640100"),
    _city("乌鲁木齐", "新疆维吾尔自治区", "UR", "NW", 1, "新A", "650100", "天山 新市 高新"),
]
CITY_BY_NAME = {city.name: city for city in CITIES}

DEALER_TRADE_NAMES = _words(
    "恒通 华瑞 中升 广汇 永达 宝利 鑫源 骏达 东昌 世纪 远航 瑞丰 博达 众诚 和谐 金港 汇众 腾达 新纪元 盛世 "
    "德瑞 天元 长安 安达 富豪 顺驰 华骏 嘉信 力天 明远"
)

# Common surnames, most frequent first; the generator weights them by rank.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩宇轩俊凯建国志文博晨阳天睿泽成瑞峰毅龙海林东"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英婷雪琳慧颖倩欣怡佳梦雨晶洁萍红月悦璐菲蕾诗涵妍琪雯丹燕"

OCCUPATIONS = _words(
    "企业职员 公务员 教师 医生 工程师 个体经营者 企业管理者 销售人员 自由职业 退休人员 技术工人 金融从业者 "
    "IT从业者 律师 司机"
)
ROADS = _words("人民路 解放路 中山路 建设路 长江路 新华路 和平路 文化路 胜利路 光明路 青年路 滨河路 迎宾大道 科技路 黄河路")
COMPANY_WORDS = _words("华信 恒达 鼎盛 宏远 金诚 东方 新锐 博远 腾飞 中联 汇通 安泰 嘉禾 瑞华 宏图")
COMPANY_TRADES = _words("物流 科技 租赁 建设 商贸 出行 服务 能源 医药 传媒 食品 环境")
COMPANY_SUFFIXES = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")

COLOURS = (("珍珠白", 25), ("白色", 15), ("黑色", 20), ("银色", 12), ("灰色", 12), ("蓝色", 7), ("红色", 5),
           ("棕色", 2), ("绿色", 2))

INSURERS = ("中国人保财险", "平安产险", "太平洋产险", "中国人寿财险", "大地保险", "阳光产险")
FINANCE_PROVIDERS = ("厂家汽车金融", "中国工商银行", "招商银行", "平安银行", "中国建设银行")
WARRANTY_PROVIDER = "厂家延保"
ACCESSORY_PROVIDER = "原厂精品"


@dataclass(frozen=True)
class Series:
    """A series of the catalogue with its generations (model year, trim name) and VIN descriptor."""

    name: str
    code: str  # prefix of the model codes
    vds: str  # VIN positions 4–8 (no I, O or Q)
    fuel: str
    band: str
    base_price: int  # yuan, for the first generation
    weight: float  # relative sales
    generations: tuple[tuple[int, str], ...]


CATALOGUE = [
    Series("凌风", "LF", "A1S11", "petrol", "entry", 109_800, 5, ((2017, "1.5L 舒适版"), (2020, "1.5L 精英版"), (2023, "1.5T 豪华版"))),
    Series("凌风双擎", "LFH", "A1S31", "hybrid", "mid", 159_800, 2, ((2019, "1.8L 混动版"), (2022, "2.0L 混动旗舰版"))),
    Series("锐途", "RT", "B2U11", "petrol", "mid", 169_800, 5,
           ((2017, "2.0L 两驱版"), (2019, "2.0L 四驱版"), (2022, "2.0T 四驱尊贵版"), (2025, "2.0T 智享版"))),
    Series("锐途PHEV", "RTP", "B2U51", "phev", "mid", 209_800, 1.2, ((2021, "插电混动 长续航版"), (2024, "插电混动 四驱版"))),
    Series("星瀚", "XH", "C3S11", "petrol", "upper", 259_800, 2, ((2018, "2.0T 豪华版"), (2022, "2.0T 旗舰版"))),
    Series("远征", "YZ", "D4U21", "diesel", "upper", 289_800, 1, ((2017, "2.4T 柴油四驱版"), (2021, "2.8T 柴油四驱版"), (2024, "2.8T 柴油越野版"))),
    Series("启元EV", "QY", "E5U41", "bev", "entry", 139_800, 1.5, ((2020, "标准续航版"), (2023, "长续航版"), (2025, "超长续航版"))),
    Series("极光EV", "JG", "F6S41", "bev", "upper", 279_800, 1, ((2022, "后驱长续航版"), (2025, "四驱高性能版"))),
    Series("尊享", "ZX", "G7M11", "petrol", "premium", 429_800, 1, ((2018, "2.5L 商务版"), (2023, "2.5T 旗舰版"))),
]
