"""The three templates every tenant starts with: SSI-style, CSI-style and the dealer survey (DESIGN §9.4).

Question texts are tenant data in Chinese (`text`), with an English `text_en` shown to English browsers.
"""

from __future__ import annotations


def _scale(code, text, text_en, factor, weight=1, overall=False, low=1, high=10):
    return {"code": code, "text": text, "text_en": text_en, "type": "scale", "scale_min": low, "scale_max": high,
            "weight": weight, "factor": factor, "is_overall": overall, "required": True}


def _nps(text, text_en):
    return {"code": "recommend", "text": text, "text_en": text_en, "type": "nps", "scale_min": 0, "scale_max": 10,
            "weight": 0, "factor": "", "is_overall": False, "required": True}


def _comment():
    return {"code": "comment", "text": "还有什么想告诉我们的吗？", "text_en": "Anything else you would like to tell us?",
            "type": "text", "weight": 0, "factor": "", "is_overall": False, "required": False}


SSI_QUESTIONS = [
    _scale("overall", "总体而言，您对这次购车经历的满意程度如何？", "Overall, how satisfied are you with buying your car?",
           "", weight=2, overall=True),
    _scale("initiation", "进店时顾问是否及时、主动地接待您？", "Were you welcomed promptly when you came in?", "sales_initiation"),
    _scale("salesperson", "销售顾问的专业程度和诚信如何？", "How knowledgeable and honest was your sales consultant?",
           "salesperson", weight=2),
    _scale("deal", "价格与购车手续是否透明、公平？", "Were the price and the paperwork clear and fair?", "deal"),
    _scale("facility", "展厅的环境和设施如何？", "How was the showroom?", "dealer_facility"),
    _scale("delivery", "交车过程（车辆讲解、准时、整洁）是否令您满意？",
           "Were you satisfied with the delivery (explanations, on time, clean car)?", "delivery_process", weight=2),
    {"code": "explained", "text": "交车时是否有人为您讲解车辆功能？", "text_en": "Did someone explain the car's features?",
     "type": "choice", "choices": ["是", "否"], "weight": 0, "factor": "", "is_overall": False, "required": False},
    _nps("您有多大可能向亲友推荐这家经销店？", "How likely are you to recommend this dealer to a friend?"),
    _comment(),
]

CSI_QUESTIONS = [
    _scale("overall", "总体而言，您对这次维修保养服务的满意程度如何？", "Overall, how satisfied are you with this service visit?",
           "", weight=2, overall=True),
    _scale("initiation", "预约与接车是否方便、及时？", "Was booking and dropping off the car easy and prompt?",
           "service_initiation"),
    _scale("advisor", "服务顾问是否清楚地解释了所做的工作和费用？", "Did the service advisor explain the work and the cost?",
           "service_advisor", weight=2),
    _scale("facility", "客户休息区和设施如何？", "How was the customer lounge?", "service_facility"),
    _scale("pickup", "取车是否准时、车辆是否整洁？", "Was the car ready on time and clean?", "vehicle_pickup"),
    _scale("quality", "问题是否一次修好？", "Was the work done right the first time?", "service_quality", weight=2),
    _nps("您有多大可能向亲友推荐这家经销店的售后服务？", "How likely are you to recommend this dealer's service to a friend?"),
    _comment(),
]

DEALER_QUESTIONS = [
    _scale("overall", "总体而言，您对主机厂的支持满意程度如何？", "Overall, how satisfied are you with the OEM's support?",
           "", weight=2, overall=True, high=5),
    _scale("sales_support", "销售政策与商务支持", "Sales policy and commercial support", "sales_support", high=5),
    _scale("parts", "配件供应的及时性", "Parts supply on time", "parts_supply", high=5),
    _scale("training", "培训与技术支持", "Training and technical support", "training", high=5),
    _scale("communication", "区域与总部的沟通", "Communication with the region and HQ", "communication", high=5),
    _comment(),
]

DEFAULT_TEMPLATES = [
    {"code": "ssi", "name": "销售满意度（SSI式）", "kind": "ssi", "questions": SSI_QUESTIONS, "invite_after_days": 3,
     "low_score_threshold": 700},
    {"code": "csi", "name": "售后满意度（CSI式）", "kind": "csi", "questions": CSI_QUESTIONS, "invite_after_days": 3,
     "low_score_threshold": 700},
    {"code": "dealer", "name": "经销商满意度调查", "kind": "dealer", "questions": DEALER_QUESTIONS,
     "invite_after_days": 0, "low_score_threshold": 0, "link_valid_days": 30},
]

# The follow-up rule that turns an invitation by call into a task agents work in the survey queue.
SURVEY_CALL_RULE = {"code": "survey_call", "name": "满意度调查回访", "trigger": "campaign", "offset_days": 0,
                    "queue": "survey", "worked_by": "call_center", "purpose": "survey", "due_window_days": 7,
                    "priority": 4, "script": "您好，{customer}，我是{dealer}的回访专员，想耽误您两分钟做个满意度调查。"}
