"""Benchmark of the redundancy engine at catalogue scale.

Generates 100,000 realistic candidate documents (systems and demands of Jilin's province, cities
and counties: place × bureau × topic × phrasing), builds the index, runs 500 searches and compares
with a naive full scan (rapidfuzz token_set_ratio / partial_ratio over title + description).
Writes bench/results/redundancy.json and prints a summary.

    .venv/bin/python bench/redundancy_bench.py [--docs 100000] [--queries 500] [--baseline-queries 20]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from projects.redundancy.engine import text as textmod  # noqa: E402
from projects.redundancy.engine.engine import DEFAULT_FLAG_THRESHOLD, Document, RedundancyIndex  # noqa: E402
from projects.redundancy.engine.evaluation import dataset_documents, load_dataset  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "redundancy.json"
EVAL_SET = ROOT / "tests" / "data" / "redundancy_eval.json"

TARGETS = {"search_p95_ms": 50.0, "build_seconds": 60.0, "index_memory_mb": 500.0}

# -- the generator ------------------------------------------------------------------------------

CITIES = [
    (1, "长春市", ["南关区", "朝阳区", "宽城区", "双阳区", "九台区", "榆树市", "德惠市", "农安县", "公主岭市"]),
    (2, "吉林市", ["昌邑区", "船营区", "丰满区", "蛟河市", "桦甸市", "舒兰市", "磐石市", "永吉县"]),
    (3, "四平市", ["铁西区", "铁东区", "双辽市", "梨树县", "伊通满族自治县"]),
    (4, "辽源市", ["龙山区", "西安区", "东丰县", "东辽县"]),
    (5, "通化市", ["东昌区", "二道江区", "梅河口市", "集安市", "通化县", "辉南县", "柳河县"]),
    (6, "白山市", ["浑江区", "江源区", "临江市", "抚松县", "靖宇县", "长白朝鲜族自治县"]),
    (7, "松原市", ["宁江区", "扶余市", "前郭尔罗斯蒙古族自治县", "长岭县", "乾安县"]),
    (8, "白城市", ["洮北区", "洮南市", "大安市", "镇赉县", "通榆县"]),
    (9, "延边朝鲜族自治州", ["延吉市", "图们市", "敦化市", "珲春市", "龙井市", "和龙市", "汪清县", "安图县"]),
]
PINYIN = {
    1: "Changchun",
    2: "Jilin City",
    3: "Siping",
    4: "Liaoyuan",
    5: "Tonghua",
    6: "Baishan",
    7: "Songyuan",
    8: "Baicheng",
    9: "Yanbian",
}

# topic, bureau, domain, capability pool, features (what a bureau says it must do)
TOPICS = [
    (
        "智慧停车",
        "城市管理局",
        "public_services",
        ["iot", "payment", "mobile_app", "gis"],
        ["路内泊位地磁检测", "停车诱导", "无感支付", "欠费追缴", "车位共享"],
    ),
    (
        "网格化社会治理",
        "政法委",
        "social_governance",
        ["gis", "mobile_app", "workflow", "video"],
        ["网格员事件上报", "矛盾纠纷排查", "分拨处置", "考核评价", "基础数据采集"],
    ),
    (
        "智慧水务",
        "水务局",
        "infrastructure",
        ["iot", "gis", "analytics", "dashboard"],
        ["供水管网压力监测", "漏损分析", "水厂生产调度", "二次供水管理", "水质在线监测"],
    ),
    (
        "校车安全监管",
        "教育局",
        "public_services",
        ["gis", "video", "iot", "message_push"],
        ["校车定位", "车内视频监控", "超速报警", "学生刷卡上下车", "家长提醒"],
    ),
    (
        "出租汽车智能调度",
        "交通运输局",
        "public_services",
        ["gis", "iot", "mobile_app"],
        ["电召叫车", "车载终端定位", "驾驶员服务考核", "网约车监管"],
    ),
    (
        "退役军人优抚管理",
        "退役军人事务局",
        "public_services",
        ["records", "payment", "workflow"],
        ["优抚对象信息采集", "抚恤补助发放", "优待证申领", "走访慰问记录"],
    ),
    (
        "最低生活保障审核",
        "民政局",
        "public_services",
        ["workflow", "data_exchange", "payment"],
        ["低保申请受理", "家庭经济状况核对", "审核审批", "资金发放", "动态管理"],
    ),
    (
        "不动产登记",
        "自然资源局",
        "government_services",
        ["workflow", "e_license", "records"],
        ["登记受理", "审核登簿", "电子证书发放", "一窗受理", "登记档案电子化"],
    ),
    (
        "住房公积金服务",
        "住房公积金管理中心",
        "public_services",
        ["online_service", "payment", "mobile_app"],
        ["公积金提取", "贷款申请", "账户查询", "单位汇缴"],
    ),
    (
        "医保经办服务",
        "医疗保障局",
        "public_services",
        ["online_service", "payment", "analytics"],
        ["参保登记", "联网结算", "异地就医备案", "基金监管"],
    ),
    (
        "智慧教育资源",
        "教育局",
        "public_services",
        ["video", "online_service", "mobile_app"],
        ["同步课程", "名师课堂", "教师研修", "资源共享"],
    ),
    (
        "智慧农业物联网",
        "农业农村局",
        "agriculture",
        ["iot", "gis", "analytics"],
        ["土壤墒情监测", "虫情测报", "农机作业调度", "精准施肥"],
    ),
    (
        "协同办公",
        "政府办公室",
        "government_services",
        ["office", "workflow", "mobile_app"],
        ["公文流转", "会议管理", "督查督办", "移动办公"],
    ),
    (
        "12345便民服务热线",
        "政务服务和数字化建设管理局",
        "government_services",
        ["hotline", "workflow", "sms"],
        ["来电受理", "智能派单", "督办回访", "满意度评价"],
    ),
    (
        "电子证照共享应用",
        "政务服务和数字化建设管理局",
        "government_services",
        ["e_license", "data_exchange"],
        ["证照归集", "亮证扫码", "免交纸质材料", "证照核验"],
    ),
    (
        "统一身份认证",
        "政务服务和数字化建设管理局",
        "government_services",
        ["identity_auth"],
        ["统一注册", "实名核验", "单点登录", "人脸识别"],
    ),
    (
        "电子印章",
        "政务服务和数字化建设管理局",
        "government_services",
        ["e_seal", "e_signature"],
        ["电子印章制发", "在线签章", "验章服务"],
    ),
    (
        "政务数据共享交换",
        "政务服务和数字化建设管理局",
        "data_sharing",
        ["data_exchange"],
        ["数据资源目录", "共享申请审批", "接口服务", "库表交换"],
    ),
    (
        "公共信用信息",
        "发展和改革委员会",
        "social_credit",
        ["credit", "data_exchange", "search"],
        ["信用信息归集", "信用查询", "联合奖惩", "信用修复"],
    ),
    (
        "雪亮工程视频联网",
        "公安局",
        "social_governance",
        ["video", "ai_vision", "gis"],
        ["视频监控点位", "视频资源联网", "人脸车辆识别", "视频共享调阅"],
    ),
    (
        "数字城管",
        "城市管理局",
        "social_governance",
        ["gis", "workflow", "mobile_app"],
        ["部件事件巡查", "案卷派遣", "结案考核", "执法记录"],
    ),
    (
        "智慧供热监管",
        "住房和城乡建设局",
        "infrastructure",
        ["iot", "dashboard", "hotline"],
        ["换热站监测", "室温采集", "供热投诉处理"],
    ),
    (
        "公交智能调度",
        "交通运输局",
        "public_services",
        ["gis", "iot", "mobile_app"],
        ["车辆定位", "智能排班", "到站预报", "客流统计"],
    ),
    (
        "智慧社区",
        "民政局",
        "social_governance",
        ["mobile_app", "appointment", "message_push"],
        ["社区通知", "物业报修", "便民服务预约", "邻里互助"],
    ),
    (
        "居家养老服务",
        "民政局",
        "public_services",
        ["iot", "hotline", "mobile_app"],
        ["紧急呼叫", "健康监测手环", "服务工单派发", "补贴结算"],
    ),
    (
        "森林防火视频监控",
        "林业局",
        "agriculture",
        ["video", "ai_vision", "gis"],
        ["高点视频瞭望", "烟火识别", "火点定位", "扑火调度"],
    ),
    (
        "危险化学品安全监测",
        "应急管理局",
        "manufacturing",
        ["iot", "video", "analytics"],
        ["重大危险源监测", "有毒气体监测", "风险分级预警"],
    ),
    ("智慧工地", "住房和城乡建设局", "infrastructure", ["iot", "video"], ["扬尘噪声监测", "塔吊监控", "实名制考勤"]),
    (
        "智慧消防",
        "消防救援支队",
        "social_governance",
        ["iot", "video", "message_push"],
        ["火灾报警接入", "消防水压监测", "电气火灾监测"],
    ),
    (
        "电梯安全监管",
        "市场监督管理局",
        "public_services",
        ["iot", "hotline", "records"],
        ["电梯运行监测", "困人救援", "维保记录"],
    ),
    (
        "食品安全追溯",
        "市场监督管理局",
        "public_services",
        ["search", "analytics", "mobile_app"],
        ["产品赋码", "流通追溯", "扫码查询", "抽检管理"],
    ),
    (
        "预约挂号",
        "卫生健康委员会",
        "public_services",
        ["appointment", "mobile_app", "payment"],
        ["号源整合", "手机预约", "诊间支付", "候诊提醒"],
    ),
    (
        "区域卫生信息平台",
        "卫生健康委员会",
        "public_services",
        ["data_exchange", "records"],
        ["电子病历共享", "健康档案", "检查结果互认"],
    ),
    (
        "就业服务",
        "人力资源和社会保障局",
        "public_services",
        ["online_service", "search", "message_push"],
        ["岗位发布", "求职登记", "就业补贴申领", "失业登记"],
    ),
    (
        "政府采购电子交易",
        "财政局",
        "government_services",
        ["e_signature", "workflow", "online_service"],
        ["采购公告", "电子投标", "远程开评标", "合同公示"],
    ),
    ("数字档案馆", "档案馆", "government_services", ["records", "search", "ocr"], ["档案数字化", "电子档案接收", "在线查档"]),
    (
        "环境质量监测",
        "生态环境局",
        "infrastructure",
        ["iot", "gis", "dashboard"],
        ["空气自动站", "水质自动站", "污染源在线监控", "超标预警"],
    ),
    (
        "应急指挥",
        "应急管理局",
        "social_governance",
        ["video", "gis", "message_push", "dashboard"],
        ["监测预警", "应急值守", "指挥调度", "视频会商"],
    ),
    (
        "城市运行管理中心",
        "政务服务和数字化建设管理局",
        "data_sharing",
        ["dashboard", "analytics", "iot"],
        ["城市体征展示", "跨部门联动", "一网统管"],
    ),
    (
        "非税收入缴费",
        "财政局",
        "government_services",
        ["payment", "e_invoice"],
        ["罚没款缴纳", "行政事业性收费", "自动对账", "电子票据"],
    ),
    (
        "行政执法监督",
        "司法局",
        "government_services",
        ["workflow", "records", "mobile_app"],
        ["执法人员管理", "执法案件办理", "全过程记录"],
    ),
    (
        "智慧旅游",
        "文化广播电视和旅游局",
        "service_industry",
        ["mobile_app", "appointment", "payment"],
        ["门票预约", "电子导览", "客流监测", "消费券发放"],
    ),
    ("黑土地保护监测", "农业农村局", "agriculture", ["iot", "gis"], ["保护性耕作监测", "墒情监测", "作业面积统计"]),
    ("粮食储备监管", "粮食和物资储备局", "agriculture", ["iot", "video"], ["粮情监测", "出入库管理", "仓储视频"]),
    (
        "企业开办",
        "市场监督管理局",
        "government_services",
        ["online_service", "e_license", "e_signature"],
        ["设立登记", "公章刻制", "电子营业执照"],
    ),
    (
        "惠企政策兑现",
        "工业和信息化局",
        "manufacturing",
        ["online_service", "search", "message_push"],
        ["政策发布", "精准推送", "奖补申报"],
    ),
    ("河湖长制", "水利局", "infrastructure", ["gis", "mobile_app", "workflow"], ["巡河记录", "问题上报", "河湖健康评价"]),
    ("学生资助", "教育局", "public_services", ["workflow", "payment"], ["困难学生认定", "助学金发放", "资助审核"]),
    ("公租房管理", "住房和城乡建设局", "public_services", ["workflow", "payment"], ["公租房申请", "轮候配租", "租金收缴"]),
    ("充电桩监管", "发展和改革委员会", "infrastructure", ["iot", "gis", "mobile_app"], ["充电桩接入", "位置查询", "安全监测"]),
]
PURPOSES = [
    "提升公共服务水平",
    "落实省委省政府数字政府建设部署",
    "解决群众办事难问题",
    "加强行业监管",
    "提高基层治理能力",
    "推进数据共享和业务协同",
    "实现精细化管理",
    "满足群众日益增长的服务需求",
]
TITLE_FORMS = [
    "{place}{topic}系统",
    "{place}{topic}平台",
    "{place}{bureau}{topic}系统建设项目",
    "{place}{topic}管理平台",
    "{place}{topic}信息化建设",
    "{place}{topic}系统升级改造",
    "{place}{topic}平台（二期）",
    "{bureau}{topic}综合服务平台",
    "{place}智慧{bureau_short}{topic}应用",
]
DESC_FORMS = [
    "为{purpose}，{place}{bureau}拟建设{topic}系统，实现{f1}、{f2}和{f3}。",
    "{topic}建设内容包括{f1}、{f2}等功能，覆盖{scope}，{purpose}。",
    "本项目在现有系统基础上升级改造，新增{f1}和{f2}，并与省级平台对接，实现{f3}。",
    "系统面向{scope}，提供{f1}、{f2}服务，支持手机端办理。{purpose}。",
    "按照{purpose}的要求，建设{topic}，重点解决{f1}不及时、{f2}不规范等问题。",
]
SCOPES = ["全市", "全县", "城区", "市直各部门", "各乡镇街道", "全市中小学", "辖区企业", "城乡居民"]
EN_TOPICS = [
    ("Smart parking", ["iot", "payment"]),
    ("School bus safety monitoring", ["gis", "video"]),
    ("Taxi dispatch platform", ["gis", "mobile_app"]),
    ("Office automation (OA) system", ["office"]),
    ("Citizen hotline 12345", ["hotline"]),
    ("Water supply leak detection", ["iot"]),
    ("Housing provident fund online services", ["online_service"]),
    ("Veterans' benefits management", ["payment"]),
]
ALL_CAPS = sorted({c for t in TOPICS for c in t[3]} | {"credit", "ocr", "search", "appointment", "sms"})


def make_doc(rng: random.Random, kind: str, ident: int) -> Document:
    city_id, city, counties = rng.choice(CITIES)
    level = rng.choices(["province", "city", "county"], weights=[1, 4, 5])[0]
    if level == "province":
        place, city_id = "吉林省", None
    elif level == "city":
        place = city
    else:
        place = rng.choice(counties)
    if rng.random() < 0.05:  # some documents are written in English
        topic, caps = rng.choice(EN_TOPICS)
        where = "Jilin Province" if city_id is None else PINYIN[city_id]
        title = f"{topic} for {where}"
        description = (
            f"{topic} covering the whole {'province' if city_id is None else 'city'}, with online services and a mobile app."
        )
        domain, bureau = "public_services", "bureau"
        capabilities = set(caps)
    else:
        topic, bureau, domain, pool, features = rng.choice(TOPICS)
        f1, f2, f3 = rng.sample(features + ["数据统计分析", "移动端应用", "与省级平台对接"], 3)
        bureau_short = bureau[:2]
        title = rng.choice(TITLE_FORMS).format(place=place, topic=topic, bureau=place + bureau, bureau_short=bureau_short)
        sentences = rng.sample(DESC_FORMS, rng.randint(1, 3))
        description = "".join(
            s.format(
                purpose=rng.choice(PURPOSES),
                place=place,
                bureau=bureau,
                topic=topic,
                f1=f1,
                f2=f2,
                f3=f3,
                scope=rng.choice(SCOPES),
            )
            for s in sentences
        )
        capabilities = set(rng.sample(pool, rng.randint(1, len(pool))))
        if rng.random() < 0.3:
            capabilities.add(rng.choice(ALL_CAPS))
    return Document(
        kind=kind,
        id=ident,
        code=("XT-%04d" if kind == "system" else "XQ-2026-%05d") % (ident % 100000),
        title=title,
        description=description,
        capabilities=frozenset(capabilities),
        data_resources=frozenset(rng.sample(range(1, 400), rng.randint(0, 3))),
        domain=domain,
        org_id=rng.randint(1, 1500),
        city_id=city_id,
        level=level,
        user_org_count=rng.randint(1, 60) if kind == "system" else 0,
        user_city_count=rng.randint(1, 9) if kind == "system" else 0,
    )


# -- measuring --------------------------------------------------------------------------------


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process in MB, from /proc/self/status (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))]


def baseline_quality(scorer) -> dict:
    """Recall of a naive rapidfuzz scan on the labelled set, for comparison with the engine."""
    from rapidfuzz import process, utils

    dataset = load_dataset(EVAL_SET)
    systems, queries = dataset_documents(dataset)
    choices = [s.title + " " + s.description for s in systems]
    found1 = found5 = total = 0
    for query, expect in queries:
        if not expect:
            continue
        total += 1
        hits = process.extract(
            query.title + " " + query.description, choices, scorer=scorer, processor=utils.default_process, limit=5
        )
        codes = [systems[i].code for _, _, i in hits]
        found1 += bool(codes[:1]) and codes[0] in expect
        found5 += any(c in expect for c in codes)
    return {"recall_at_1": round(found1 / total, 4), "recall_at_5": round(found5 / total, 4)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--baseline-queries", type=int, default=10, help="queries of the naive scan (partial_ratio: half)")
    parser.add_argument("--upserts", type=int, default=2500, help="enough to trigger one merge at 100,000 documents")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    from rapidfuzz import fuzz, process, utils

    rng = random.Random(args.seed)
    n_systems = args.docs * 3 // 10
    gc.collect()
    rss_start = rss_mb()
    t0 = time.perf_counter()
    docs = [make_doc(rng, "system" if i < n_systems else "demand", i + 1) for i in range(args.docs)]
    queries = [make_doc(rng, "demand", 10_000_000 + i) for i in range(args.queries)]
    generate_s = time.perf_counter() - t0
    gc.collect()
    docs_mb = rss_mb() - rss_start

    t0 = time.perf_counter()
    textmod.jieba_tokenizer()
    jieba_load_s = time.perf_counter() - t0

    gc.collect()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    index = RedundancyIndex()
    index.build(docs)
    build_s = time.perf_counter() - t0
    n_built = len(index)
    gc.collect()
    rss_after = rss_mb()
    peak = rss_mb("VmHWM")

    index.search(queries[0])  # first call: lazy structures
    timings, cpu_timings, flagged, n_candidates = [], [], 0, 0
    for q in queries:
        start, cpu_start = time.perf_counter(), time.process_time()
        found = index.search(q, limit=10)
        timings.append((time.perf_counter() - start) * 1000.0)
        cpu_timings.append((time.process_time() - cpu_start) * 1000.0)
        n_candidates += len(found)
        flagged += sum(1 for c in found if c.score >= DEFAULT_FLAG_THRESHOLD)

    # incremental maintenance
    upserts = []
    for i in range(args.upserts):
        doc = make_doc(rng, "demand", 20_000_000 + i)
        start = time.perf_counter()
        index.upsert(doc)
        upserts.append((time.perf_counter() - start) * 1000.0)
    removes = []
    for i in range(100):
        start = time.perf_counter()
        index.remove("demand", 20_000_000 + i)
        removes.append((time.perf_counter() - start) * 1000.0)
    after_changes = []
    for q in queries[:100]:
        start = time.perf_counter()
        index.search(q, limit=10)
        after_changes.append((time.perf_counter() - start) * 1000.0)

    # naive baseline: a full fuzzy scan of every title + description
    choices = [d.title + " " + d.description for d in docs]
    baseline = {}
    for name, scorer, n_base in (
        ("token_set_ratio", fuzz.token_set_ratio, args.baseline_queries),
        ("partial_ratio", fuzz.partial_ratio, max(1, args.baseline_queries // 2)),
    ):
        times = []
        for q in queries[:n_base]:
            start = time.perf_counter()
            process.extract(q.title + " " + q.description, choices, scorer=scorer, processor=utils.default_process, limit=10)
            times.append((time.perf_counter() - start) * 1000.0)
        baseline[name] = {
            "queries": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(pct(times, 95), 1),
            "eval_set": baseline_quality(scorer),
        }

    p50, p95 = statistics.median(timings), pct(timings, 95)
    result = {
        "docs": n_built,
        "systems": n_systems,
        "demands": args.docs - n_systems,
        "queries": len(timings),
        "generate_seconds": round(generate_s, 2),
        "jieba_load_seconds": round(jieba_load_s, 2),
        "build_seconds": round(build_s, 2),
        "index_memory_mb": round(rss_after - rss_before, 1),
        "documents_memory_mb": round(docs_mb, 1),
        "peak_rss_mb": round(peak, 1),
        "search_p50_ms": round(p50, 2),
        "search_p95_ms": round(p95, 2),
        "search_max_ms": round(max(timings), 2),
        "search_cpu_p50_ms": round(statistics.median(cpu_timings), 2),
        "search_cpu_p95_ms": round(pct(cpu_timings, 95), 2),
        "candidates_per_query": round(n_candidates / len(timings), 2),
        "flags_per_query": round(flagged / len(timings), 2),
        "upserts": len(upserts),
        "upsert_p50_ms": round(statistics.median(upserts), 3),
        "upsert_p95_ms": round(pct(upserts, 95), 3),
        "upsert_max_ms": round(max(upserts), 2),
        "remove_p50_ms": round(statistics.median(removes), 3),
        "search_p95_ms_after_changes": round(pct(after_changes, 95), 2),
        "baseline": baseline,
        "speed_ratio_p50": {name: round(b["p50_ms"] / p50, 1) for name, b in baseline.items()},
        "targets": TARGETS,
        "meets_targets": p95 <= TARGETS["search_p95_ms"]
        and build_s <= TARGETS["build_seconds"]
        and (rss_after - rss_before) <= TARGETS["index_memory_mb"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"redundancy bench: {n_built:,} documents ({n_systems:,} systems), {len(timings)} queries")
    print(f"  build            {build_s:8.2f} s   (target ≤ {TARGETS['build_seconds']:.0f} s)")
    print(f"  index memory     {rss_after - rss_before:8.1f} MB  (RSS growth; target ≤ {TARGETS['index_memory_mb']:.0f} MB)")
    print(f"  documents        {docs_mb:8.1f} MB  (the Document objects themselves, held by the caller)")
    print(f"  search p50 / p95 {p50:8.2f} / {p95:.2f} ms wall (target p95 ≤ {TARGETS['search_p95_ms']:.0f} ms)")
    print(f"  search CPU       {result['search_cpu_p50_ms']:8.2f} / {result['search_cpu_p95_ms']:.2f} ms (p50 / p95)")
    print(
        f"  upsert p50 / max {result['upsert_p50_ms']:8.3f} / {result['upsert_max_ms']:.1f} ms (max includes a merge), "
        f"remove p50 {result['remove_p50_ms']:.3f} ms"
    )
    for name, b in baseline.items():
        print(
            f"  baseline {name:16s} p50 {b['p50_ms']:8.1f} ms ({result['speed_ratio_p50'][name]}× slower), "
            f"eval-set recall@1 {b['eval_set']['recall_at_1']}"
        )
    print(f"  meets targets: {result['meets_targets']}  → {RESULTS.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main()
