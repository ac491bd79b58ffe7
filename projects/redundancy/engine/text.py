"""Text handling for redundancy detection: normalisation, neutral terms, synonyms, analysis.

Pure Python (no Django). The pipeline for one text is:

    normalize()          NFKC (full-width → half-width), lower case, traditional → simplified
                         for common characters, HTML tags/entities, emoji and punctuation
                         stripped, whitespace collapsed, truncated to MAX_ANALYSED_CHARS.
    Analyzer.expand()    the bilingual synonym/abbreviation map (OA → 协同办公, parking → 停车 …):
                         both sides of a comparison are rewritten to the same canonical terms.
    Analyzer.neutralise() generic stop terms (系统, 平台, 建设, project …) and place names
                         (长春市, 延边朝鲜族自治州, Changchun …) replaced by a space, so that
                         "长春市智慧停车管理平台" is compared as "智慧停车".
    Analyzer.features()  CJK runs → character unigrams and bigrams (as Lucene's CJK analyser with
                         unigrams), Latin/digit runs → word tokens (light plural stripping).

jieba (with domain_dict.txt) is used only to pick readable shared words for a reason
("shared_terms"); it is loaded lazily, once per process.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

# CJK character unigrams besides bigrams (Lucene's CJK analyser emits unigrams only for
# isolated characters).
CJK_UNIGRAMS = True
# Raw input longer than this is cut before any regex runs (bounds the work on 100k-char input).
MAX_RAW_CHARS = 20_000
# Analysed text is truncated to this many characters after normalisation: enough for a title and
# a long description, and keeps one analysis well under a millisecond.
MAX_ANALYSED_CHARS = 4_000

DOMAIN_DICT_PATH = Path(__file__).with_name("domain_dict.txt")

# --------------------------------------------------------------------------------------------
# Traditional → simplified, for the common characters of government/IT writing. A bonus, not a
# full converter: pairs are "traditional simplified", whitespace-separated.
_T2S_PAIRS = """
統统 認认 證证 識识 電电 據据 數数 網网 絡络 務务 辦办 臺台 與与 開开 關关 發发 應应 頁页 碼码 號号
會会 議议 長长 門门 間间 東东 車车 軌轨 輛辆 運运 達达 區区 縣县 鄉乡 鎮镇 個个 們们 來来 對对 導导
將将 專专 業业 產产 農农 醫医 療疗 險险 養养 衛卫 環环 監监 測测 視视 頻频 聯联 結结 護护 機机 構构
財财 貨货 費费 資资 買买 賣卖 價价 償偿 稅税 銀银 錢钱 幣币 報报 紙纸 書书 畫画 圖图 館馆 學学 習习
師师 級级 課课 試试 題题 語语 說说 話话 讀读 寫写 記记 錄录 檔档 歷历 權权 憑凭 條条 標标 準准 規规
範范 計计 劃划 設设 備备 實实 現现 時时 點点 線线 熱热 氣气 燈灯 場场 災灾 難难 節节 約约 預预 處处
單单 簽签 蓋盖 驗验 審审 覈核 質质 詢询 問问 動动 態态 狀状 況况 變变 傳传 輸输 換换 雲云 鏈链 儲储
這这 為为 於于 從从 後后 過过 還还 進进 選选 遷迁 邊边 遠远 連连 適适 遞递 鐵铁 鋼钢 錯错 鍵键 閱阅
顯显 願愿 類类 顧顾 領领 頭头 風风 飛飞 體体 騰腾 麼么 黨党 齊齐 龍龙 華华 萬万 葉叶 藥药 蘭兰 虛虚
補补 裝装 製制 複复 親亲 覺觉 觀观 訊讯 訂订 訪访 評评 詞词 詳详 誤误 請请 諮咨 謝谢 讓让 貝贝 負负
貢贡 責责 貸贷 貿贸 賬账 購购 贈赠 趨趋 鄰邻 郵邮 釋释 針针 銷销 鋪铺 閉闭 閘闸 隊队 陽阳 陰阴 際际
隨随 隱隐 雙双 雜杂 雞鸡 離离 靈灵 響响 頂顶 項项 順顺 須须 頒颁 顏颜 額额 飯饭 驅驱 魚鱼 鳥鸟 鹽盐
麥麦 黃黄 齒齿 層层 屬属 崗岗 島岛 廣广 廳厅 張张 彈弹 徑径 復复 徵征 總总 戶户 擇择 擔担 擬拟 擴扩
攝摄 敵敌 斷断 昇升 暫暂 暢畅 槍枪 樂乐 樓楼 樣样 橋桥 檢检 歡欢 歲岁 殘残 決决 沒没 淨净 減减 濟济
滅灭 濱滨 無无 煙烟 燒烧 爐炉 獎奖 獨独 當当 盜盗 盡尽 盤盘 眾众 礎础 確确 禮礼 稱称 穩稳 窮穷 競竞
筆笔 築筑 簡简 糧粮 紀纪 紅红 細细 終终 組组 經经 綜综 綠绿 維维 練练 縮缩 績绩 繫系 續续 罰罚 聖圣
聲声 職职 聽听 腦脑 臨临 興兴 舉举 舊旧 藝艺 蟲虫 衝冲 裏里 覽览 訓训 託托 許许 診诊 証证 該该 誌志
調调 談谈 論论 諾诺 謀谋 豐丰 販贩 貧贫 賓宾 賽赛 趕赶 跡迹 蹤踪 軍军 軟软 較较 載载 輔辅 輕轻 輪轮
違违 閑闲 陸陆 頓顿 鬥斗 團团 圍围 園园 圓圆 壓压 壞坏 夠够 夢梦 奮奋 婦妇 孫孙 寧宁 寬宽 寶宝 尋寻
屆届 嶺岭 帶带 幫帮 並并 廠厂 廢废 彙汇 徹彻 懷怀 戰战 擁拥 攜携 敗败 暉晖 曆历 條条 棄弃 極极 榮荣
殺杀 漢汉 潔洁 澤泽 灣湾 營营 牆墙 獲获 異异 礦矿 穀谷 篩筛 糾纠 紛纷 納纳 純纯 絕绝 絲丝 給给 綱纲
緊紧 編编 緣缘 織织 繳缴 繼继 聞闻 臉脸 蘇苏 觸触 譯译 譽誉 貫贯 賠赔 賦赋 贊赞 踐践 輯辑 轉转 遲迟
遺遗 鐘钟 鎖锁 鑒鉴 閃闪 陣阵 陳陈 雖虽 霧雾 靜静 韓韩 顧顾 飲饮 馬马 駕驾 騎骑 驚惊 麗丽 齡龄 係系
啟启 執执 員员 災灾 鄰邻 懸悬 濕湿 溫温 壽寿 殯殡 葬葬 喪丧 償偿 獻献 龐庞 漁渔 獸兽 鑰钥 匯汇 纜缆
"""
T2S: dict[int, str] = {}
for _pair in _T2S_PAIRS.split():
    if len(_pair) == 2 and _pair[0] != _pair[1]:
        T2S[ord(_pair[0])] = _pair[1]

# --------------------------------------------------------------------------------------------
# Generic words that say nothing about WHAT a system does: every demand is a "系统建设项目".
# Replaced by a space before analysis, so that they neither match nor glue bigrams together.
DEFAULT_STOP_TERMS: frozenset[str] = frozenset(
    """
    系统 平台 建设 项目 管理 信息化 信息系统 管理系统 管理平台 综合平台 服务平台 工程 一期 二期 三期 四期
    升级 改造 升级改造 扩容 完善 提升 新建 建立 构建 搭建 开发 配套 相关 有关 拟 进一步 按照 要求
    本项目 该系统 本系统 建成 实现 用于 为了 以及 我市 我县 我区 我省 我局 本市 本县 本级 全市 全省 全县
    各级 各类 一体化 软件 硬件 信息 需求 功能 模块 第一期 第二期
    system systems platform platforms project projects construction build building upgrade
    phase new the a an of for and or with to in on by as at from into its their our this that
    is are be will which based using use used via per all any each every one stop province
    provincial city municipal county prefecture district town bureau bureaus department government
    吉林祥云 祥云 政务云 部署 对接 接入 台账
    人力资源和社会保障局 人力资源和社会保障厅 人社局 人社厅 保障局 保障厅 民政局 民政厅 水务局 水利厅 教育局 教育厅
    公安局 公安厅 财政局 财政厅 卫生健康委员会 卫健委 卫生健康局 市场监督管理局 市场监督管理厅 市场监管局
    自然资源局 自然资源厅 住房和城乡建设局 住房和城乡建设厅 住建局 交通运输局 交通运输厅 农业农村局 农业农村厅
    文化广电和旅游局 文化和旅游厅 应急管理局 应急管理厅 生态环境局 生态环境厅 城市管理局 城管局 医疗保障局 医保局
    退役军人事务局 统计局 审计局 审计厅 林业局 林业和草原局 体育局 商务局 商务厅 司法局 司法厅 税务局
    """.split()
)

# Place names of Jilin: the province, its 9 prefecture-level divisions, their county-level
# divisions and common short forms, plus pinyin. Two-character short forms that also occur
# inside ordinary words (集安/大安/龙井/和龙/安图/朝阳 …) are only listed with their suffix.
DEFAULT_REGION_NAMES: frozenset[str] = frozenset(
    """
    吉林省 吉林 长春市 长春 吉林市 四平市 四平 辽源市 辽源 通化市 通化 白山市 白山 松原市 松原 白城市 白城
    延边朝鲜族自治州 延边州 延边 长白山 长白山保护开发区 长春新区 梅河口市 梅河口 公主岭市 公主岭
    南关区 宽城区 朝阳区 二道区 绿园区 双阳区 双阳 九台区 九台 榆树市 榆树 德惠市 德惠 农安县 农安
    昌邑区 龙潭区 船营区 丰满区 永吉县 永吉 蛟河市 蛟河 桦甸市 桦甸 舒兰市 舒兰 磐石市 磐石
    铁西区 铁东区 梨树县 梨树 伊通满族自治县 伊通县 伊通 双辽市 双辽
    龙山区 西安区 东丰县 东丰 东辽县 东辽
    东昌区 二道江区 通化县 辉南县 辉南 柳河县 集安市
    浑江区 江源区 抚松县 抚松 靖宇县 靖宇 长白朝鲜族自治县 长白县 临江市
    宁江区 前郭尔罗斯蒙古族自治县 前郭县 前郭 长岭县 乾安县 乾安 扶余市 扶余
    洮北区 镇赉县 镇赉 通榆县 通榆 洮南市 洮南 大安市
    延吉市 延吉 图们市 图们 敦化市 敦化 珲春市 珲春 龙井市 和龙市 汪清县 汪清 安图县
    jilin changchun siping liaoyuan tonghua baishan songyuan baicheng yanbian yanji hunchun
    dunhua tumen meihekou gongzhuling yushu dehui nongan jiutai shuangyang jiaohe huadian
    shulan panshi lishu yitong shuangliao dongfeng dongliao jian linjiang fuyu taonan daan
    longjing helong wangqing antu changbai changbaishan
    """.split()
)

# Words that are too generic to show as a "shared term" in a reason, even when both texts use
# them (they are not stop terms for scoring: IDF already makes them cheap there).
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    提供 实现 进行 通过 开展 支持 包括 覆盖 统一 各部门 部门 单位 工作 服务 业务 办理 情况 问题 数据
    群众 市民 居民 人员 全面 重点 有效 相关 一个 一次 以及 其他 实时 在线 网上 线上 自动 及时 智能
    智慧 数字 数字化 综合 公共 社会 城市 城乡 市级 省级 县级 中心 体系 方式 能力 水平 推进 推动
    service services online data public smart digital office
    """.split()
)

# --------------------------------------------------------------------------------------------
# Bilingual synonym / abbreviation map, applied to normalised text: each trigger is replaced by
# its canonical wording on BOTH sides of a comparison. Kept generic (government IT vocabulary),
# never tuned to one system. English keys are matched as whole words (after normalisation a
# hyphen is a space: "e-license" → "e license").
SYNONYMS: dict[str, str] = {
    # Chinese abbreviations and programme names → the plain term
    "oa": "协同办公",
    "办公自动化": "协同办公",
    "一网通办": "网上办事 政务服务",
    "吉事办": "政务服务 网上办事 移动端",
    "12345": "12345 热线",
    "市长热线": "热线",
    "市长公开电话": "热线",
    "110": "公安 报警",
    "120": "急救",
    "119": "消防",
    "雪亮工程": "公共安全视频监控",
    "天网工程": "公共安全视频监控",
    "数据中台": "大数据 数据中台",
    "驾驶舱": "可视化 大屏",
    "低保": "最低生活保障",
    "医保": "医疗保障",
    "社保": "社会保险",
    "电子签章": "电子印章 签章",
    "电子公章": "电子印章",
    "城管": "城市管理",
    "网约车": "网络预约出租车",
    "出租汽车": "出租车",
    "app": "移动端",
    "apps": "移动端",
    "手机端": "移动端",
    "小程序": "移动端",
    "gis": "地理信息",
    "gps": "卫星定位",
    "iot": "物联网",
    "ocr": "文字识别",
    "ai": "人工智能",
    "sms": "短信",
    "cctv": "视频监控",
    "api": "接口",
    "apis": "接口",
    # English → Chinese: generic vocabulary of government information systems
    "office automation": "协同办公",
    "government services": "政务服务",
    "government service": "政务服务",
    "e government": "电子政务",
    "one stop": "一站式",
    "online": "网上 在线",
    "portal": "门户",
    "mobile": "移动端",
    "citizen": "群众",
    "citizens": "群众",
    "resident": "居民",
    "residents": "居民",
    "company": "企业",
    "companies": "企业",
    "enterprise": "企业",
    "enterprises": "企业",
    "firms": "企业",
    "business": "企业",
    "businesses": "企业",
    "apply": "申请",
    "application": "申请",
    "applications": "申请",
    "permit": "许可",
    "permits": "许可",
    "approval": "审批",
    "approvals": "审批",
    "progress": "进度",
    "single sign on": "单点登录 统一身份认证",
    "log in": "登录",
    "login": "登录",
    "identity": "身份",
    "authentication": "认证",
    "real name": "实名",
    "face": "人脸",
    "password": "密码",
    "account": "账号",
    "accounts": "账号",
    "e license": "电子证照",
    "e licence": "电子证照",
    "electronic license": "电子证照",
    "electronic licence": "电子证照",
    "licence": "证照",
    "license": "证照",
    "licences": "证照",
    "licenses": "证照",
    "certificate": "证照 证书",
    "certificates": "证照 证书",
    "qr code": "扫码",
    "electronic": "电子",
    "seal": "印章",
    "seals": "印章",
    "signature": "签名",
    "signatures": "签名",
    "payment": "支付 缴费",
    "payments": "支付 缴费",
    "pay": "支付 缴费",
    "fee": "收费",
    "fees": "收费",
    "fine": "罚款",
    "fines": "罚款",
    "treasury": "国库",
    "bank": "银行",
    "reconcile": "对账",
    "reconciles": "对账",
    "receipt": "票据",
    "receipts": "票据",
    "invoice": "票据 发票",
    "invoices": "票据 发票",
    "data sharing": "数据共享",
    "data exchange": "数据交换",
    "open data": "数据开放",
    "data": "数据",
    "dataset": "数据集",
    "datasets": "数据集",
    "catalogue": "目录",
    "catalog": "目录",
    "big data": "大数据",
    "analytics": "分析",
    "dashboard": "可视化 大屏",
    "dashboards": "可视化 大屏",
    "hotline": "热线",
    "call center": "热线 话务",
    "call centre": "热线 话务",
    "complaint": "投诉",
    "complaints": "投诉",
    "callback": "回访",
    "callbacks": "回访",
    "satisfaction": "满意度",
    "dispatch": "调度 派单",
    "office": "办公",
    "document": "公文",
    "documents": "公文",
    "meeting": "会议",
    "meetings": "会议",
    "credit": "信用",
    "video": "视频",
    "camera": "摄像 视频监控",
    "cameras": "摄像 视频监控",
    "surveillance": "视频监控",
    "footage": "视频",
    "police": "公安",
    "map": "地图",
    "maps": "地图",
    "base map": "底图",
    "geocoding": "地名地址",
    "remote sensing": "遥感",
    "satellite": "卫星",
    "sensor": "传感器 监测",
    "sensors": "传感器 监测",
    "monitoring": "监测 监控",
    "monitor": "监测 监控",
    "alarm": "报警",
    "alarms": "报警",
    "alert": "报警",
    "alerts": "报警",
    "warning": "预警",
    "warnings": "预警",
    "real time": "实时",
    "smart": "智慧",
    "recognition": "识别",
    "archive": "档案",
    "archives": "档案",
    "records": "档案 记录",
    "appointment": "预约",
    "appointments": "预约",
    "booking": "预约",
    "reservation": "预约",
    "parking": "停车",
    "on street": "路内",
    "taxi": "出租车",
    "taxis": "出租车",
    "ride hailing": "网络预约出租车",
    "school bus": "校车",
    "bus": "公交",
    "buses": "公交",
    "vehicle": "车辆",
    "vehicles": "车辆",
    "driver": "驾驶员",
    "drivers": "驾驶员",
    "speeding": "超速",
    "water supply": "供水",
    "water": "水",
    "pipe": "管网",
    "pipes": "管网",
    "leak": "漏损",
    "leaks": "漏损",
    "heating": "供热",
    "housing provident fund": "住房公积金",
    "provident fund": "公积金",
    "mortgage": "贷款",
    "mortgages": "贷款",
    "loan": "贷款",
    "loans": "贷款",
    "real estate": "不动产",
    "registration": "登记",
    "medical insurance": "医疗保障",
    "health insurance": "医疗保障",
    "insurance": "保险",
    "hospital": "医院",
    "hospitals": "医院",
    "pharmacy": "药店",
    "pharmacies": "药店",
    "pension": "养老金",
    "pensions": "养老金",
    "veteran": "退役军人",
    "veterans": "退役军人",
    "allowance": "补助 补贴",
    "allowances": "补助 补贴",
    "subsidy": "补贴",
    "subsidies": "补贴",
    "minimum living allowance": "最低生活保障",
    "minimum living guarantee": "最低生活保障",
    "dibao": "最低生活保障",
    "education": "教育",
    "school": "学校",
    "schools": "学校",
    "student": "学生",
    "students": "学生",
    "teacher": "教师",
    "teachers": "教师",
    "primary and secondary": "中小学",
    "k 12": "中小学",
    "agriculture": "农业",
    "agricultural": "农业",
    "farm": "农业",
    "farming": "农业",
    "tourism": "旅游",
    "tourist": "游客",
    "tourists": "游客",
    "scenic": "景区",
    "procurement": "采购",
    "bid": "投标",
    "bids": "投标",
    "bidding": "招标 投标",
    "tender": "招标",
    "bridge": "桥梁",
    "bridges": "桥梁",
    "emergency": "应急",
    "broadcasting": "广播",
    "disaster": "灾害",
    "training": "培训",
    "exam": "考试",
    "exams": "考试",
    "civil servant": "公务员",
    "civil servants": "公务员",
    "marriage": "婚姻",
    "customs": "海关 通关",
    "e commerce": "电商",
    "cross border": "跨境",
    "library": "图书馆",
    "statistics": "统计",
    "message": "消息",
    "messages": "消息",
    "push": "推送",
    "notification": "通知",
    "notifications": "通知",
    "notice": "通知",
    "notices": "通知",
    "fire": "火灾 消防",
    "forest": "森林 林区",
    "elevator": "电梯",
    "elevators": "电梯",
    "elderly": "老人 养老",
    "community": "社区",
    "grid": "网格",
    "environment": "环境",
    "environmental": "环境",
    "pollution": "污染",
    "household": "家庭",
    "households": "家庭",
    "family": "家庭",
    "families": "家庭",
    "income": "收入",
    "urban": "城市",
    "rural": "农村",
    "urban and rural": "城乡",
    "village": "村",
    "villages": "村",
    "civil affairs": "民政",
    "monthly": "按月",
    "resource": "资源",
    "resources": "资源",
    "digital": "数字",
    "learning": "学习",
    "lesson": "课程",
    "lessons": "课程",
    "course": "课程",
    "courses": "课程",
    "class": "课堂",
    "classes": "课堂",
    "live": "直播 实时",
    "visitor": "游客",
    "visitors": "游客",
    "ticket": "门票 票务",
    "tickets": "门票 票务",
    "coupon": "消费券",
    "coupons": "消费券",
    "guide": "导览 指南",
    "evaluation": "评价",
    "rating": "评价",
    "feedback": "评价",
    "enquiry": "咨询",
    "enquiries": "咨询",
    "consultation": "咨询",
    "query": "查询",
    "search": "搜索 查询",
    "sharing": "共享",
    "shared": "共享",
    "exchange": "交换",
    "interface": "接口",
    "unified": "统一",
    "centralised": "统一",
    "centralized": "统一",
    "cloud": "云",
    "network": "网络",
    "security": "安全",
    "safety": "安全",
    "supervision": "监管",
    "regulation": "监管",
    "inspection": "检查",
    "enforcement": "执法",
    "law enforcement": "行政执法",
    "dispute": "纠纷",
    "disputes": "纠纷",
    "petition": "信访",
    "petitions": "信访",
    "letters and visits": "信访",
    "food": "食品",
    "traceability": "追溯",
    "trace": "追溯",
    "employment": "就业",
    "job": "就业 岗位",
    "jobs": "就业 岗位",
    "recruitment": "招聘",
    "unemployment": "失业",
    "social insurance": "社会保险",
    "social security": "社会保障",
    "retirement": "退休",
    "retiree": "退休人员",
    "retirees": "退休人员",
    "disability": "残疾 伤残",
    "poverty": "贫困",
    "relief": "救助",
    "assistance": "救助",
    "vaccination": "预防接种",
    "vaccine": "疫苗",
    "vaccines": "疫苗",
    "medical": "医疗",
    "health": "健康",
    "patient": "患者",
    "patients": "患者",
    "electronic medical records": "电子病历",
    "land": "土地",
    "housing": "住房 房屋",
    "property": "不动产",
    "environment monitoring": "环境监测",
    "air quality": "空气质量",
    "waste": "垃圾",
    "garbage": "垃圾",
    "traffic": "交通",
    "transport": "交通 运输",
    "transportation": "交通 运输",
    "road": "道路",
    "roads": "道路",
    "signal": "信号",
    "signals": "信号",
    "dangerous goods": "危险品",
    "hazardous chemicals": "危险化学品",
    "chemical": "化工",
    "chemicals": "化学品",
    "grain": "粮食",
    "reserve": "储备",
    "weather": "气象",
    "meteorological": "气象",
    "flood": "防汛 洪水",
    "forest fire": "森林防火",
    "wildfire": "森林防火",
    "budget": "预算",
    "finance": "财政",
    "fiscal": "财政",
    "tax": "税务",
    "statistical": "统计",
    "investment": "投资",
    "science and technology": "科技",
    "culture": "文化",
    "sports": "体育",
    "fitness": "健身",
}

# --------------------------------------------------------------------------------------------
_TAG_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[a-zA-Z/!][^<>]{0,500}>", re.S | re.I)
# Anything that is not a letter or digit of any script becomes a separator: punctuation, symbols,
# emoji (So/Sk/Cs), control characters.
_NON_WORD_RE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u00c0-\u024f]+")
_SPACE_RE = re.compile(r"\s+")
# Characters NFKC could turn into something that survives the non-word stripping. Plain ASCII,
# CJK ideographs and CJK/full-width/general punctuation cannot, so most Chinese text skips NFKC.
_NEEDS_NFKC_RE = re.compile(
    r"[^\x00-\x7f\u00b7\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_BIGRAM_RE = re.compile(r"(?=([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}))")
_CJK_ISOLATED_RE = re.compile(
    r"(?<![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"(?![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
)
_LATIN_RE = re.compile(r"[0-9a-z\u00c0-\u024f]+")
_TRAD_RE = re.compile("[" + "".join(chr(c) for c in T2S) + "]")


def to_text(value) -> str:
    """Any value as text: None → "", non-strings through str(); never raises."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a broken __str__ must not break a check
        return ""


def normalize(text, *, max_chars: int = MAX_ANALYSED_CHARS) -> str:
    """Canonical form of a text for matching.

    NFKC (full-width letters, digits and punctuation → half-width), lower case, common
    traditional characters → simplified, HTML tags and entities removed, punctuation, symbols and
    emoji replaced by a space, whitespace collapsed; the result is cut to `max_chars`.
    """
    text = to_text(text)
    if not text:
        return ""
    text = text[:MAX_RAW_CHARS]
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if _NEEDS_NFKC_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    if _TRAD_RE.search(text):
        text = text.translate(T2S)
    text = _NON_WORD_RE.sub(" ", text).strip()  # whitespace is non-word too: runs become one space
    if len(text) > max_chars:
        text = text[:max_chars].rstrip()
    return text


def is_cjk(term: str) -> bool:
    return bool(_CJK_RE.search(term))


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of `words` shaped as a trie, longest match first.

    Python's re tries the branches of a flat alternation one by one at every position; with
    hundreds of place names that is the slowest step of an analysis. A trie tries one branch.
    """
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    branches = [re.escape(ch) + build(child) for ch, child in sorted(trie.items()) if ch != ""]
    return "(?:" + "|".join(branches) + ")" if branches else r"(?!x)x"


def _term_regexes(terms: Iterable[str]) -> tuple[re.Pattern, ...]:
    """Regexes finding any of `terms`: CJK terms anywhere, Latin terms as whole words.

    Two passes rather than one alternation: a pattern made only of literals lets the regex engine
    skip quickly over positions where no term can start.
    """
    cjk, latin = set(), set()
    for term in terms:
        (cjk if is_cjk(term) else latin).add(term)
    out = []
    if cjk:
        out.append(re.compile(_trie_pattern(cjk)))
    if latin:
        out.append(re.compile(r"(?<![0-9a-z\u00c0-\u024f])" + _trie_pattern(latin) + r"(?![0-9a-z\u00c0-\u024f])"))
    return tuple(out)


def _strip_plural(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and not word.isdigit():
        return word[:-1]
    return word


class Analyzer:
    """Turns a text into features; holds the neutral terms and the synonym map.

    Stop terms and place names are normalised like the text, so callers may pass them in any
    form (traditional characters, full width, capitals).
    """

    def __init__(self, *, stop_terms: Iterable[str] | None = None, region_names: Iterable[str] | None = None):
        stops = set(DEFAULT_STOP_TERMS)
        regions = set(DEFAULT_REGION_NAMES)
        for term in stop_terms or ():
            stops.add(normalize(term))
        for name in region_names or ():
            regions.add(normalize(name))
        stops.discard("")
        regions.discard("")
        self.stop_terms = frozenset(stops)
        self.region_names = frozenset(regions)
        self._neutral_res = _term_regexes(self.stop_terms | self.region_names)
        synonyms = {normalize(k): v for k, v in SYNONYMS.items()}
        self._synonyms = synonyms
        self._synonym_res = _term_regexes(synonyms)

    # -- steps ---------------------------------------------------------------------------
    def expand(self, normalized: str) -> str:
        """Rewrite abbreviations and English terms to their canonical (Chinese) wording."""
        if not normalized:
            return ""
        text = normalized
        for regex in self._synonym_res:
            text = regex.sub(self._synonym_for, text)
        return text

    def _synonym_for(self, match: re.Match) -> str:
        return " " + self._synonyms[match.group(0)] + " "

    def neutralise(self, text: str) -> str:
        """Replace stop terms and place names by a space."""
        if not text:
            return ""
        for regex in self._neutral_res:
            text = regex.sub(" ", text)
        return _SPACE_RE.sub(" ", text).strip()

    def prepare(self, text) -> str:
        """normalize → expand → neutralise: the text that features are taken from."""
        return self.neutralise(self.expand(normalize(text)))

    def _prepared_fast(self, text) -> str:
        """prepare() without the cosmetic collapsing of spaces (features ignore spaces)."""
        prepared = normalize(text)
        if not prepared:
            return ""
        for regex in self._synonym_res:
            prepared = regex.sub(self._synonym_for, prepared)
        for regex in self._neutral_res:
            prepared = regex.sub(" ", prepared)
        return prepared

    @staticmethod
    def features(prepared: str) -> list[str]:
        """Character unigrams and bigrams of CJK runs, word tokens of Latin/digit runs."""
        if not prepared:
            return []
        unigrams = _CJK_RE.findall(prepared) if CJK_UNIGRAMS else _CJK_ISOLATED_RE.findall(prepared)
        out = unigrams + _CJK_BIGRAM_RE.findall(prepared)
        for word in _LATIN_RE.findall(prepared):
            if len(word) > 1 or word.isdigit():
                out.append(_strip_plural(word))
        return out

    def analyse(self, text) -> list[str]:
        """The features of a raw text (normalize → expand → neutralise → features)."""
        return self.features(self._prepared_fast(text))

    def is_neutral(self, term: str) -> bool:
        return term in self.stop_terms or term in self.region_names


# --------------------------------------------------------------------------------------------
# jieba, for readable shared terms only. Loaded lazily, once per process, with the domain dictionary.
_jieba_lock = threading.Lock()
_jieba_tokenizer = None


def jieba_tokenizer():
    """The process-wide jieba tokenizer with domain_dict.txt loaded (first call takes ~1 s)."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                if DOMAIN_DICT_PATH.exists():
                    tokenizer.load_userdict(str(DOMAIN_DICT_PATH))
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


def words(text: str) -> list[str]:
    """jieba words of an already normalised text (no HMM: stable, dictionary words only)."""
    if not text:
        return []
    return [w for w in jieba_tokenizer().lcut(text, HMM=False) if w.strip()]
