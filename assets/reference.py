"""The shared capability taxonomy (reference data, loaded by a migration)."""

# (code, Chinese name, English name)
CAPABILITIES = [
    ("online_service", "网上办事", "Online government services"),
    ("identity_auth", "统一身份认证", "Unified identity authentication"),
    ("e_license", "电子证照", "Electronic licences"),
    ("e_seal", "电子印章", "Electronic seals"),
    ("e_signature", "电子签名", "Electronic signatures"),
    ("payment", "统一公共支付", "Unified public payment"),
    ("e_invoice", "电子票据", "Electronic invoices and receipts"),
    ("workflow", "审批流程", "Approval workflow"),
    ("office", "协同办公", "Collaborative office (OA)"),
    ("mobile_app", "移动应用", "Mobile apps"),
    ("message_push", "消息推送", "Message push"),
    ("sms", "短信服务", "SMS service"),
    ("hotline", "12345热线", "12345 government hotline"),
    ("credit", "信用信息", "Credit information"),
    ("data_exchange", "数据共享交换", "Data sharing and exchange"),
    ("analytics", "大数据分析", "Big data analytics"),
    ("dashboard", "可视化大屏", "Visual dashboards"),
    ("gis", "地理信息", "Geographic information (GIS)"),
    ("video", "视频联网", "Video networking"),
    ("iot", "物联网感知", "IoT sensing"),
    ("ai_vision", "智能视觉识别", "AI visual recognition"),
    ("ocr", "文字识别", "Optical character recognition"),
    ("records", "电子档案", "Electronic records and archives"),
    ("search", "全文检索", "Full-text search"),
    ("appointment", "预约服务", "Appointment booking"),
]


def load_capabilities(Capability) -> int:
    for order, (code, name, name_en) in enumerate(CAPABILITIES, start=1):
        Capability.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": order})
    return len(CAPABILITIES)
