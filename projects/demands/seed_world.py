"""The demo world's demands (projects/demands/seed.py): what each one asks for, and its label.

One entry of CORES per distinct thing a bureau may ask for ("what|what it does"). Every demand
under review or approved that is distinct gets an entry of its line nobody else among those has
(so two distinct demands never ask for the same thing); the others are duplicates, worded anew
from what they copy: a catalogue system in use (its line's, a province-wide platform, or one of
its own city), or the family of an earlier demand of its line (another bureau's copy, the same
bureau resubmitting, an upgrade). When a line's entries run out, a distinct demand becomes a
copy. Each demand carries its family: "c:<line>:<n>" (an entry), "s:<system pk>" (a system);
two demands, or a demand and a system, duplicate each other when their families are equal.
`labels()` recomputes them for the demands in the database (by organization and title), so
that the redundancy seed step can measure its flags against them.
"""

from __future__ import annotations

import random
import zlib

CORES: dict[str, list[str]] = {
    "教育": """
校园一卡通|校园消费、门禁考勤和充值对账
教育资源公共服务|优质课例上传、资源审核和点播统计
中小学校长职级|校长任职资格、职级评审和考核
义务教育阶段学籍异动|转学申请、休学复学和学籍核查
中小学节能减排|校舍能耗计量、节能改造和用能分析
中小学课外读物|进校园读物目录、审核备案和清理
校园欺凌防治|欺凌事件报告、调查处置和心理干预
教育信访|来信来访登记、交办督办和答复
幼儿园保教质量|保育教育过程评估、自评和督导
中职学生实习|实习单位备案、实习过程管理和保险
学生近视防控|视力筛查数据采集、近视率统计和家长提醒
校外培训机构监管|机构资质备案、预收费资金监管和投诉受理
学生资助|家庭经济困难学生认定、资助资金发放和公示
教师继续教育学分|培训项目登记、学时学分认定和年度考核
中小学食堂食材采购|食材集中采购、供应商评价和出入库台账
校车安全|校车定位、随车照管员签到和超速报警
课后延时服务|课后服务报名、课程安排和收费退费
中小学实验室安全|危化品台账、实验室准入和安全巡检记录
中小学图书馆|图书编目、借阅流通和阅读积分
学生体质健康测试|体测数据上报、成绩分析和运动处方
学生心理健康|心理测评、危机预警和心理咨询预约
特殊教育送教上门|残疾儿童建档、送教计划和康复记录
学前教育普惠园|普惠园认定、生均补助测算和保教质量评估
教育装备|教学仪器配备标准、资产台账和报废处置
教育督导评估|督学责任区挂牌督导、问题整改和评估报告
中小学教材征订|教材目录发布、学校征订和费用结算
教研活动|网络教研、听评课记录和教研成果共享
民办学校审批|办学许可申请、年检和信息公开
留守儿童关爱|留守儿童台账、帮扶结对和关爱活动记录
控辍保学|适龄儿童入学比对、辍学劝返和动态监测
排课选课|新高考走班排课、学生选课和教室调度
学生综合素质评价|成长记录、写实材料审核和评价报告
劳动教育实践基地|基地预约、实践课程和学生评价
校园足球|联赛报名、赛程编排和球员注册
职业院校实训基地|实训设备预约、实训课时统计和耗材管理
高考考生志愿填报辅导|志愿模拟填报、院校录取数据查询和辅导预约
校舍安全|校舍建筑台账、危房鉴定和维修改造项目
教师招聘|报名资格审核、笔试面试安排和成绩发布
学校卫生保健|晨午检、传染病因病缺课登记和疫苗接种查验
教育经费|学校预算执行、生均公用经费拨付和绩效评价
语言文字|普通话水平测试报名、测试安排和证书查询
研学旅行|研学基地目录、线路审核和学生保险
少年宫活动|兴趣班报名、场地预约和课时签到
中小学作业管理|作业布置公示、作业时长统计和家长反馈
学生午餐配送|配餐企业准入、配送温度监测和餐费结算
中小学宿舍|床位分配、夜间查寝和宿管巡查
教育系统安全生产|隐患排查、整改销号和安全培训记录
毕业生就业|就业意向登记、岗位推送和就业统计
国家通用语言文字教育|双语教学资源、课堂观察和教学评估
教育系统网络安全|等级保护备案、漏洞通报和应急演练
学生军训|军训计划、教官安排和训练考核
中小学周边交通安全|护学岗排班、上学放学交通疏导和隐患上报
""",
    "民政": """
社会事务网上办|社会事务事项申报、进度查询和结果送达
老年人意外伤害保险|投保名单、理赔申请和统计
基层政权建设|村社换届选举、干部档案和培训
福利机构安全|福利机构消防检查、隐患整改和演练记录
社会救助家庭经济状况核对|银行存款、车辆房产信息比对和核对报告
城乡低收入人口监测|低收入人口认定、返贫致贫风险预警和帮扶
孤寡老人紧急呼叫|智能呼叫终端、紧急求助派单和响应记录
养老护理员职业培训|护理员持证培训、技能等级和岗位补贴
村务监督|村务公开事项、监督委员会记录和群众评议
社区养老服务驿站|驿站备案、服务项目和运营补贴
地名文化遗产保护|老地名普查、文化遗产名录和数字地图展示
村级组织运转经费|村级组织办公经费、报账和公示
民政服务窗口预约|窗口办事预约、排队叫号和评价
失独家庭关爱|失独家庭建档、走访慰问和心理疏导
精神障碍社区康复|康复机构服务、康复计划和效果评估
农村互助幸福院|幸福院台账、入住老人和运营考核
儿童督导员工作|儿童督导员履职记录、走访和培训
殡葬改革|惠民殡葬政策、节地生态安葬和补贴
慈善超市|捐赠物资登记、爱心积分兑换和账目公开
社区公益创投|公益项目申报、评审立项和绩效评估
困难群众取暖补贴|取暖补贴申请、审核和发放
婚俗改革|婚俗改革实验区、集体婚礼报名和宣传
行政区域界线|界桩巡检、界线纠纷调处和联检报告
养老床位|养老床位供需、空余床位查询和入住申请
低保对象动态管理|收入财产核对、分类施保和定期复核
特困人员供养|特困认定、供养机构安置和照料护理费发放
临时救助|急难求助受理、先行救助和事后审批
养老机构等级评定|评定申请、现场评审和等级公示
居家养老上门服务|服务工单派发、服务人员定位和回访评价
老年人能力评估|评估员派单、评估量表录入和照护等级确定
高龄津贴发放|高龄老人认证、津贴发放和生存验证
儿童友好社区|儿童活动空间、儿童议事会和活动记录
殡葬服务|遗体接运预约、火化登记和公墓管理
社会组织登记|社会组织成立登记、年检和活动监管
慈善募捐|募捐方案备案、善款流向公示和信息查询
儿童福利|孤儿和事实无人抚养儿童认定、基本生活费发放
未成年人保护|困境儿童排查、监护评估和帮扶记录
区划地名|地名普查成果、标准地址和门楼牌管理
社区工作者|社区工作者招聘、考核和薪酬管理
城乡社区协商|议事事项征集、协商会议记录和结果公示
志愿服务|志愿者注册、服务时长记录和积分兑换
残疾人两项补贴|困难残疾人生活补贴、重度残疾人护理补贴申领和发放
流浪乞讨人员救助|街面巡查、站内救助和寻亲送返
养老服务补贴|经济困难老年人服务补贴申请、评估和核销
社区食堂|老年助餐点备案、就餐刷卡和补贴结算
福利彩票销售|销售站点管理、销量统计和公益金使用公示
退役士兵安置|安置计划、岗位分配和待遇落实
民政资金监管|救助资金发放比对、异常预警和审计整改
农村独居老人探访|独居老人定期探访、健康状况记录和异常上报
""",
    "农业": """
农业投入品|化肥农药经营门店、进销台账和抽检
农机安全监理|拖拉机联合收割机登记、检验和驾驶证
农村集体经济组织|成员身份确认、股权量化和分红
水产养殖|养殖证发放、养殖尾水监测和用药记录
农田水利设施|灌溉渠系台账、泵站运行和维修
农业面源污染监测|化肥农药使用量监测、监测点数据和分析
耕地质量等级|耕地质量调查、等级评价和提升措施
蔬菜产销对接|蔬菜基地产量、批发市场需求和订单对接
农业品牌|区域公用品牌授权、企业品牌管理和宣传
乡村旅游|休闲农业点位、线路推荐和游客评价
农村人居环境整治|厕所改造、垃圾收运和村容村貌考核
春耕备耕|农资储备、播种进度和技术指导
生猪屠宰|屠宰企业监管、检疫申报和肉品追溯
奶牛养殖|生鲜乳收购站监管、奶站运输车和质量抽检
蜂产业|蜂农登记、转场放蜂和蜂产品检测
稻田综合种养|稻渔种养面积、技术规程和收益统计
农村产权交易|产权交易项目挂牌、竞价和鉴证
耕地地力补贴|补贴面积核定、公示和发放
鲜食玉米|种植订单、加工企业和冷链销售
农机作业|深松作业面积监测、作业质量和补助
蔬菜大棚病害|病害图片识别、专家诊断和用药指导
农业气象服务|农业气象预警、墒情和农事建议
葡萄种植|葡萄园档案、采摘期和酒庄收购
鹿产业|梅花鹿养殖登记、鹿茸加工和检疫
高标准农田管护|管护责任落实、设施损毁上报和维修记录
农机购置补贴|补贴申请、机具核验和资金兑付
动物疫病防控|强制免疫记录、疫情报告和无害化处理
农药经营许可|经营许可审批、进销台账和禁限用农药监管
种子生产经营|种子生产备案、品种登记和市场抽检
农村土地承包经营权|确权登记成果、流转合同备案和纠纷调处
农民专业合作社|合作社登记、年报公示和示范社评定
家庭农场名录|家庭农场登记、经营数据填报和扶持政策推送
农产品检测|样品抽检、检测数据上报和不合格产品处置
畜禽养殖粪污资源化|规模养殖场备案、粪污处理设施和台账
秸秆综合利用|秸秆离田作业量统计、还田面积核查和补贴
农业保险|承保信息、灾情查勘和理赔进度
乡村振兴项目库|项目申报、入库审核和实施进度
农村集体资产|集体资产清产核资、三资监管和财务公开
农业技术推广|农技人员服务记录、技术问答和培训
农作物病虫害测报|测报点数据采集、发生趋势预测和防治指导
渔业船舶|渔船登记、出海报告和安全检查
黑木耳产业|种植基地台账、菌包追溯和产销对接
人参产业|人参种植备案、品质检测和品牌认证
肉牛养殖|存栏统计、良种补贴和活体抵押登记
设施农业大棚|棚室台账、环境监测和补贴申报
农村宅基地|宅基地申请审批、用途监管和闲置盘活
农民培训|高素质农民培训报名、课程安排和证书发放
农产品价格监测|批发市场价格采集、价格走势分析和预警发布
兽药经营|兽药经营许可、二维码追溯和抽检
""",
    "人力": """
人力资源市场招聘会|招聘会场地预约、企业展位和入场统计
劳动模范管理|劳模评选推荐、劳模档案和困难劳模慰问
企业年金|年金方案备案、缴费和待遇领取
事业单位岗位设置|岗位设置方案审核、聘用和变动
高技能人才工作室|工作室认定、带徒传技和经费资助
返乡创业|返乡创业人员登记、创业培训和孵化基地
高校毕业生基层服务|三支一扶招募、服务期管理和期满考核
劳务品牌|劳务品牌认定、培训输出和跟踪服务
人才公寓|人才公寓申请、配租和租金补贴
博士后工作站|工作站设立、博士后招收和经费资助
就业困难人员认定|困难人员认定、援助计划和岗位推荐
劳动合同|劳动合同电子签订、备案和到期提醒
工资集体协商|协商要约、协议备案和履行监督
人社业务经办稽核|经办风险点、稽核抽查和整改
技能人才评价|企业自主评价、评价机构和证书
职业培训补贴|培训补贴申领、学员考勤和资金拨付
残疾人就业|残疾人就业岗位、用人单位按比例安置和保障金
企业用工监测|重点企业用工数据、缺工岗位和监测分析
退休审批|退休申报、工龄认定和待遇核算
社会保障卡服务网点|网点备案、业务量统计和服务评价
人事考试考务|考场编排、监考安排和违纪处理
人社服务快办|高频事项免申即享、主动推送和办结
城乡居民养老保险待遇|参保缴费、待遇领取和资格认证
劳动关系和谐企业|评选申报、评审和动态管理
劳务派遣|劳务派遣许可、年度报告和用工检查
农民工工资支付监控|工资专户、实名制考勤和欠薪预警
劳动人事争议仲裁|仲裁申请、庭审排期和调解结案
职业技能等级认定|认定机构备案、考核报名和证书核发
技工院校招生|招生计划、报名录取和学籍注册
人才引进|高层次人才认定、安家补贴和服务专员对接
事业单位公开招聘|招聘公告、报名审核和考试成绩发布
职称评审|职称申报、材料审核和评委会评审
劳动保障监察|用人单位监察、举报投诉和执法文书
失业保险金申领|失业登记、待遇核定和发放
就业见习|见习基地认定、见习人员管理和补贴发放
创业担保贷款|贷款申请、担保审核和贴息拨付
零工市场|零工求职登记、岗位匹配和工资结算
人力资源服务机构|机构许可备案、年度报告和诚信评价
工伤认定|工伤认定申请、调查核实和劳动能力鉴定
机关事业单位工资|工资标准套改、工资审批和统发
企业退休人员社会化管理|退休人员档案、社区服务和资格认证
技能大赛|赛项报名、裁判安排和成绩公布
公益性岗位|岗位开发、人员安置和补贴发放
外国人来华工作|工作许可申请、审核和证件管理
人事档案|流动人员档案接收、转递和查阅
""",
    "卫生": """
医疗服务价格|医疗服务项目价格、收费监测和公示
急诊急救能力评估|胸痛卒中中心数据、质控和评估
卫生健康信访|投诉举报受理、转办和反馈
医学重点专科|重点专科申报、建设评估和验收
老年医学科|老年综合评估、多学科会诊和随访
院感监测|医院感染病例监测、暴发预警和防控措施
健康教育|健康讲座预约、科普资料和健康素养监测
传染病疫情报告|网络直报审核、疫情分析和处置
医疗纠纷调解|纠纷调解申请、调解记录和协议
病案质量|病案首页质控、缺陷统计和评分
卫生人才|卫生专业技术人员、继续医学教育和考核
爱国卫生运动|卫生城镇创建、病媒生物防制和评估
出生医学证明|出生医学证明签发、换发和补发
乡村医生|乡村医生注册、培训和补助
药品使用监测|基本药物使用、处方点评和用药监测
医学检验质控|检验室间质评、质控数据和反馈
健康体检机构|体检机构备案、体检报告和质量控制
无偿献血表彰|献血者荣誉申报、表彰和优待
口腔健康|儿童窝沟封闭、口腔检查和随访
母婴设施|母婴室建设、点位地图和使用评价
血液透析|透析患者登记、透析记录和质控
临床路径|临床路径入径、变异分析和费用控制
卫生健康统计|统计报表、数据审核和统计分析
地方病防治|碘缺乏病监测、防治措施和评估
托育机构|托育机构备案、保育人员和安全检查
家庭医生签约|签约居民建档、签约服务包和履约记录
医院后勤能耗|医院水电气能耗计量、设备运维和报修
妇幼健康|孕产妇建档、高危孕产妇管理和儿童保健
预防接种|接种预约、疫苗出入库和接种记录
医疗废物|医废收集转运、重量称重和处置闭环
医疗机构执业登记|执业许可申请、校验和变更
卫生监督执法|公共场所、饮用水卫生监督检查和行政处罚
献血者服务|献血预约、献血记录和用血报销
慢性病管理|高血压糖尿病患者随访、用药记录和风险评估
职业病防治|职业健康检查、职业病诊断报告和危害申报
精神卫生|严重精神障碍患者登记、随访和应急处置
医院绩效考核|考核指标采集、数据质控和结果排名
远程医疗|远程会诊预约、影像传输和会诊报告
基层检查检验结果互认|检验结果调阅、互认规则和重复检查提醒
中医药服务|中医馆建设、中医诊疗信息和中药处方点评
老年健康服务|老年人健康体检、失能评估和医养结合服务
计划生育家庭特别扶助|扶助对象确认、资金发放和联系人制度
医学伦理审查|伦理审查申请、会议审查和跟踪审查
护理质量|护理不良事件上报、质量指标和整改
住院床位调度|全院床位实时状态、入院预约和床位调配
""",
    "住房": """
建设工程招标投标监督|招标备案、评标专家抽取和投诉处理
住宅小区充电桩|充电桩安装申请、报装和安全巡查
预拌混凝土|搅拌站备案、生产质量和运输车辆监管
房屋交易资金|交易资金存管、划转和对账
城市管网巡检|管网巡检计划、巡检轨迹和隐患上报
装配式建筑|装配式项目台账、构件生产和评价
城市更新|更新单元、项目储备和实施进度
建筑节能|节能审查、能效测评和改造项目
城镇燃气经营许可|燃气经营许可申请、年检和监督
房地产经纪机构|经纪机构备案、从业人员和信用
建设工程消防验收|消防设计审查、验收申请和备案
城市地下管线|地下管线普查、竣工测量和动态更新
历史建筑保护|历史建筑名录、测绘建档和修缮审批
建筑工人实名制|工人实名登记、考勤和培训
住房公积金贷款风险|逾期贷款监测、催收和风险分类
农村危房改造|危房鉴定、改造补助和竣工验收
住房保障对象信用|保障对象诚信档案、违规记录和失信惩戒
绿色建筑|绿色建筑标识申报、评审和公示
海绵城市|海绵设施台账、监测和考核
房屋征收|征收项目、补偿安置和资金拨付
物业维修工单|报修受理、维修派单和满意度回访
供热计量|热计量表安装、计量收费和节能分析
城市公厕|公厕点位、保洁巡查和找厕所服务
物业服务监管|物业企业备案、服务质量评价和投诉处理
商品房预售资金监管|监管账户、资金拨付审核和风险预警
住房租赁|房源核验、租赁合同网签备案和补贴发放
建筑工地扬尘监测|扬尘在线监测、超标报警和视频联动
建设工程质量安全|质量安全监督计划、巡查记录和隐患整改
燃气安全|燃气用户安全检查、报警器联网和隐患整改
房屋安全鉴定|鉴定委托、鉴定报告和危房治理
建筑市场信用|企业和从业人员信用评价、不良行为记录
城市排水防涝|排水管网监测、积水点预警和泵站调度
保障性住房|保障房申请审核、配租配售和动态退出
既有住宅加装电梯|加装申请、业主意见征集和补贴发放
施工图审查|施工图联合审查、审查意见和备案
建筑垃圾|建筑垃圾运输车辆监管、消纳场备案和联单管理
城市桥梁|桥梁档案、检测评估和养护计划
住宅专项维修资金|资金交存、使用申请和业主表决
工程造价|造价信息发布、计价依据和合同备案
房屋白蚁防治|防治合同备案、施工记录和复查
市政道路挖掘|挖掘许可、施工监管和恢复验收
""",
    "公安": ["治安巡逻|巡逻路线、警力定位和警情处置", "旅馆业治安|旅客入住登记、可疑人员预警和检查", "剧毒化学品购买|购买许可申请、流向登记和核销", "保安服务|保安公司许可、保安员证和从业监管", "交通事故快处快赔|轻微事故线上定责、保险理赔和视频取证", "出入境证件|护照签注预约、制证进度和证件领取",
             "流动人口服务|居住登记、居住证办理和出租房屋管理", "犬类管理|养犬登记、犬只免疫和流浪犬收容"],
    "交通": ["道路运输从业资格|从业资格考试、证件核发和诚信考核", "出租汽车服务质量|服务评价、投诉处理和信誉考核", "港航船舶|内河船舶登记、航行安全和检查", "交通建设工程质量|工程质量监督、试验检测和验收", "农村公路养护|路况巡查、养护工单和考核", "网约车监管|平台数据接入、车辆人员资质核验和违规处置",
             "驾培机构监管|学员计时培训、教练员管理和投诉", "公路治超|不停车检测、超限车辆处罚和源头监管"],
    "市场": ["知识产权保护|专利侵权纠纷、维权援助和调解", "消费投诉|消费投诉受理、调解和公示", "个体工商户年报|年报填报、抽查和异常名录", "商品条码|条码注册、续展和质量检查", "特种设备安全|电梯气瓶登记、定期检验和维保监督", "计量器具检定|强制检定申请、检定记录和证书",
             "网络交易监测|网店主体识别、违法线索和处置", "广告监测|广告监测样本、违法广告判定和移送"],
    "生态": ["环境信访|环境投诉受理、交办和反馈", "入河排污口|排污口排查、溯源和整治", "辐射安全许可|放射源登记、许可和监督检查", "生态保护红线|红线监管、人类活动遥感和核查", "机动车尾气遥感|遥感监测点数据、超标车辆识别和通知", "危险废物转移|转移联单、运输轨迹和处置核查",
             "排污许可|排污许可证申领、执行报告和证后监管", "噪声监测|功能区噪声自动监测和投诉处置"],
    "医疗": ["药品耗材价格监测|药品和耗材挂网价格、监测和预警", "门诊慢特病|病种认定、待遇和费用结算", "医保经办稽核|稽核计划、检查和追回", "医保电子处方流转|处方外配、审核和结算", "长期护理保险|失能评定、护理服务记录和待遇结算", "医保定点医药机构|协议管理、费用审核和年度考核",
             "异地就医备案|备案申请、直接结算和费用清算", "医保药品招采|集中带量采购、配送和回款监测"],
    "应急": ["安全生产执法|执法计划、现场检查和处罚", "应急预案|预案编制、备案和演练评估", "非煤矿山|矿山在线监测、隐患和执法", "工贸企业安全|有限空间作业审批、粉尘涉爆和检查", "应急物资储备|储备库台账、物资调拨和轮换", "森林防火护林员|护林员巡护轨迹、火情上报和考勤",
             "灾害信息员|灾情报送、核查和统计", "危化品运输|运输车辆备案、电子运单和在途监控"],
    "自然": ["测绘资质|测绘资质审批、监督和信用", "林地审批|使用林地申请、审核和补偿", "国土空间规划编制|规划成果汇交、审查和备案", "土地供应|土地出让计划、挂牌和合同管理", "不动产测绘成果|测绘成果汇交、审核和共享", "矿产资源|采矿权登记、储量年报和动态巡查",
             "耕地保护|耕地进出平衡、卫片执法和田长巡田", "地质灾害隐患点|隐患点监测、群测群防和搬迁避让"],
    "城市": ["市容环境卫生|道路清扫保洁、机械化作业和考核", "渣土运输|渣土车辆备案、运输轨迹和违规处罚", "城市停车泊位规划|泊位普查、规划和设置审批", "城管执法|执法案件、证据和文书", "城市园林绿化|绿地台账、古树名木和养护考核", "户外广告招牌|招牌设置审批、安全检查和拆除",
             "生活垃圾分类|分类投放点、收运车辆和计量", "城市照明|路灯单灯控制、故障报修和能耗统计"],
    "水务": ["排水许可|排水户许可、水质检测和监管", "水利工程建设|水利项目台账、质量和验收", "河道采砂|采砂许可、采砂船监管和量计", "水资源费征收|取水量核定、征收和减免", "农村饮水安全|供水工程台账、水质检测和运维", "节水管理|用水计划、取水计量和超计划加价",
             "水土保持|水土保持方案审批、监测和验收", "城市供水二次加压|泵房运行、水质巡检和停水通知"],
    "财政": ["政府采购合同|采购合同备案、履约验收和付款", "财政投资评审|评审项目、造价审核和评审报告", "会计人员|会计人员信息、继续教育和评价", "国有资本经营预算|收益收缴、预算编制和执行", "政府债务|债务限额、还本付息和风险预警", "财政票据|非税收入票据领用、核销和稽查",
             "行政事业单位资产|资产配置、处置审批和年报", "惠民惠农补贴|一卡通发放、资金比对和查询"],
    "发展": ["重点项目调度|重点项目进度、问题协调和投资统计", "招商引资|项目线索、签约和落地跟踪", "服务业统计监测|服务业企业监测、指标和分析", "能源消费统计|重点用能单位能耗、统计和预警", "粮食价格监测|粮食收购价格、库存和市场监测", "节能审查|固定资产投资项目节能审查和能耗监测",
             "价格成本调查|成本监审、调查数据和分析报告", "社会信用承诺|信用承诺书、履约记录和失信认定"],
}
GENERIC = """
公文交换|收发文登记、公文交换和签收回执
会议管理|会议室预约、会议通知和签到
督查督办|督办事项立项、进度反馈和办结
机关后勤|公务用车调度、办公用品领用和维修报修
政务公开|主动公开目录、依申请公开受理和答复
机关食堂|就餐预约、菜谱发布和餐费结算
内部审计|审计计划、审计底稿和整改跟踪
干部教育培训|培训班报名、学时统计和考核
法治审核|合法性审核申请、审核意见和备案
机关党建|党员信息、组织生活记录和党费收缴
""".strip().splitlines()

PLACES_OF_KIND = ["管理系统", "信息平台", "服务平台", "信息管理系统", "数字化平台", "综合管理平台", "业务系统", "监管平台"]
OPENERS = [
    "{org}在{what}工作中，目前主要依靠纸质台账和电话报送，数据不全、统计滞后。",
    "为提升{what}工作的规范化水平，解决信息分散、底数不清的问题，",
    "{what}业务目前没有专门的信息系统，",
    "根据上级部门对{what}工作的要求，",
]
BODIES = [
    "拟建设{what}{kind}，主要功能包括{does}。",
    "本项目建设{what}{kind}，实现{does}。",
    "计划开发{what}{kind}，覆盖{does}等环节。",
]
CLOSINGS = [
    "系统部署在吉林祥云政务云，使用省统一身份认证。",
    "业务数据按要求接入省数据共享交换平台。",
    "建成后面向本地区相关单位和办事群众使用。",
    "",
]
UPGRADE_WORDS = ["升级改造", "二期", "扩容", "功能完善"]


CAPABILITY_POOL = ["online_service", "identity_auth", "e_license", "e_seal", "e_signature", "payment", "e_invoice",
                   "workflow", "office", "mobile_app", "message_push", "sms", "hotline", "credit", "data_exchange",
                   "analytics", "dashboard", "gis", "video", "iot", "ai_vision", "ocr", "records", "search", "appointment"]
LINE_DOMAIN = {"教育": "public_services", "民政": "social_governance", "农业": "agriculture", "人力": "public_services",
               "卫生": "public_services", "住房": "infrastructure", "公安": "social_governance", "交通": "infrastructure",
               "市场": "social_governance", "生态": "infrastructure", "医疗": "public_services", "应急": "social_governance",
               "自然": "infrastructure", "城市": "social_governance", "水务": "infrastructure", "财政": "government_services",
               "发展": "government_services"}
SHARE_SYSTEM_COPIES = 0.11  # of the demands, copies of a catalogue system
SHARE_DEMAND_COPIES = 0.12  # copies of an earlier demand's family (other bureaus, resubmissions, upgrades)
POPULAR = 2  # a copy copies one of its line's first POPULAR families: many bureaus ask for the same few things
RELEVANT_STATES = ("municipal_review", "provincial_review", "expert_review", "approved")  # checked or candidates


def _entries(line: str) -> list[tuple[str, str]]:
    raw = CORES.get(line)
    lines = raw.strip().splitlines() if isinstance(raw, str) else list(raw or [])
    return [tuple(x.split("|", 1)) for x in lines]


def _stable(text: str) -> random.Random:
    return random.Random(zlib.crc32(text.encode("utf-8")))


def _family_facts(family: str) -> dict:
    rng = _stable(family)
    return {"capabilities": rng.sample(CAPABILITY_POOL, 3), "budget": rng.choice([(30, 200), (60, 400), (100, 800), (200, 1500)])}


def _words(rng: random.Random, org, what: str, does: str, *, upgrade: bool = False, resubmit: bool = False) -> tuple[str, str]:
    place = org.name if rng.random() < 0.2 else org.region.name
    kind = rng.choice(PLACES_OF_KIND)
    title = f"{place}{what}{kind}"
    if upgrade:
        title += rng.choice(UPGRADE_WORDS)
    elif resubmit:
        title += "（重新申报）"
    opener = rng.choice(OPENERS).format(org=org.name, what=what)
    body = rng.choice(BODIES).format(what=what, kind=kind, does=does)
    if upgrade:
        body = f"在现有{what}{kind}基础上升级，" + body
    return title, opener + body + rng.choice(CLOSINGS)


def _system_core(name: str) -> str:
    core = name
    for prefix in ("吉林省", "吉林"):
        if core.startswith(prefix):
            core = core[len(prefix):]
    for suffix in ("管理信息系统", "信息系统", "管理系统", "服务平台", "管理平台", "平台", "系统"):
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    return core.strip("（）()·“”")


def _copyable(plan, org) -> list:
    key = (org.line, org.city_id)
    if key not in plan._copyable:
        plan._copyable[key] = [
            s for s in plan.systems
            if s.status == "in_operation" and s.project_id is None and (
                s.owner_org.line == org.line and (s.owner_org.level == "province" or s.owner_org.city_id == org.city_id)
                or s.owner_org.is_coordination_authority and s.owner_org.level == "province")
        ]
    return plan._copyable[key]


def content(index: int, plan) -> dict:
    """What demand `index` asks for (title, description, capabilities, domain, type, budget) and its family."""
    from .seed import _draw  # the seed's own draw of organization and state

    while len(plan.layout) <= index:
        i = len(plan.layout)
        _rng, org, state = _draw(i, plan)
        plan.layout.append(_place(i, org, state, plan))
    return plan.layout[index]


def _place(i: int, org, state: str, plan) -> dict:
    rng = random.Random(77_000_000 + i)
    line = org.line
    relevant = state in RELEVANT_STATES
    roll = rng.random()
    domain = LINE_DOMAIN.get(line, "government_services")
    if roll < SHARE_SYSTEM_COPIES and _copyable(plan, org):
        system = rng.choice(_copyable(plan, org))
        what = _system_core(system.name)
        does = system.description.split("。")[0].split("：")[-1][:60] or what
        title, description = _words(rng, org, what, does)
        family = f"s:{system.pk}"
        facts = {"capabilities": [c.code for c in system.capabilities.all()][:4] or _family_facts(family)["capabilities"],
                 "budget": (60, 600)}
        return {"family": family, "copy": True, "title": title, "description": description, "domain": domain, "ctype": "new",
                **facts}
    entries = _entries(line)
    if not entries:  # a line without entries of its own asks for the office things every bureau has
        line, entries = "*", [tuple(x.split("|", 1)) for x in GENERIC]
    families = plan.families[line]
    copy = bool(families) and roll < SHARE_SYSTEM_COPIES + SHARE_DEMAND_COPIES
    if not copy and relevant and plan.cursor[line] >= len(entries):
        copy = bool(families)  # the line's entries are used up: this one copies
    if copy:
        source = rng.choice(families[:POPULAR])
        same_org = source["org_id"] == org.pk
        upgrade = rng.random() < 0.3
        title, description = _words(rng, org, source["what"], source["does"], upgrade=upgrade, resubmit=same_org and not upgrade)
        family = source["family"]
    else:
        if relevant:
            n = plan.cursor[line]
            plan.cursor[line] += 1
        else:
            n = rng.randrange(len(entries))  # neither checked nor a candidate: may repeat
        what, does = entries[n % len(entries)]
        family = f"c:{line}:{n % len(entries)}" if relevant else f"x:{i}"
        title, description = _words(rng, org, what, does)
        upgrade = False
        if relevant and n >= len(entries):
            copy = True  # entries used up and nothing to copy yet: it asks for an entry again, a copy
        elif relevant:
            plan.families[line].append({"family": family, "what": what, "does": does, "org_id": org.pk})
    facts = _family_facts(family)
    return {"family": family, "copy": bool(copy), "title": title, "description": description, "domain": domain,
            "ctype": "upgrade" if copy and upgrade else "new", **facts}


def labels(plan, count: int) -> dict[tuple[int, str], str]:
    """{(organization id, title): family} of the first `count` demands."""
    out = {}
    for i in range(count):
        item = content(i, plan)
        from .seed import _draw

        _rng, org, _state = _draw(i, plan)
        out[(org.pk, item["title"][:200])] = item["family"]
    return out
