"""Text of the synthetic portal: Shandong places, offices, actions, quotes, names.

Seeded generators of headlines, sentences and person names in the style of
regional news.
"""

from __future__ import annotations

import random

PLACES = (
    "济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁",
    "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽",
)  # fmt: skip
DISTRICTS = (
    "历下区", "市南区", "张店区", "薛城区", "垦利区", "芝罘区", "奎文区", "任城区",
    "泰山区", "环翠区", "东港区", "兰山区", "德城区", "东昌府区", "滨城区", "牡丹区",
)  # fmt: skip
BODIES = (
    "市教育局", "市人民医院", "市场监管部门", "文化和旅游局", "高新区管委会", "农业农村局",
    "交通运输局", "生态环境局", "街道办事处", "供电公司", "住房城乡建设局", "人社局",
    "消防救援支队", "税务局", "科技局", "卫生健康委", "应急管理局", "水利局",
)  # fmt: skip
ACTIONS = (
    "推进老旧小区改造", "启动安全生产大检查", "开展“我为群众办实事”活动", "举办职业技能大赛",
    "上线“一网通办”服务专区", "建成智慧停车平台", "发布乡村振兴十项举措", "开通城乡公交新线路",
    "组织专家义诊进社区", "完成黄河滩区迁建任务", "实施课后服务提升行动", "召开重点项目推进会",
    "启用新建中小学校舍", "推出夜间文旅消费新场景", "开展秋冬季大气污染防治攻坚",
    "设立企业服务专员", "试点“15分钟便民生活圈”", "举办高校毕业生专场招聘会",
)  # fmt: skip
RESULTS = (
    "惠及居民三万余户", "服务群众超十万人次", "带动就业两千余人", "总投资达12亿元",
    "覆盖全市所有乡镇", "群众满意度达98%", "较去年同期增长15.6%", "首批42个项目集中开工",
    "新增学位4800个", "累计发放补贴1.3亿元", "办理时限压缩一半以上",
)  # fmt: skip
PLANS = (
    "进一步完善长效管理机制", "把好事办实、把实事办好", "加快推动项目落地见效",
    "持续优化营商环境", "扩大试点范围，形成可复制推广的经验", "加强部门协同和信息共享",
    "推动更多服务事项“掌上办”“就近办”", "健全考核评价体系",
)  # fmt: skip
ROLES = ("相关负责人", "工作人员", "项目负责人", "社区党委书记", "一线干部", "参与企业负责人")
CITIZENS = ("市民", "居民", "游客", "家长", "村民", "企业负责人", "返乡创业青年", "志愿者")
QUOTES = (
    "以前办事要跑好几趟，现在在家门口就能办好，真是方便多了。",
    "这项工作关系到千家万户，我们每天都要到现场盯进度、查质量。",
    "看得见的变化让大家心里更踏实，对以后的日子也更有盼头了。",
    "我们把群众的需求列成清单，一项一项地解决、一件一件地销号。",
    "政策好、服务好，企业发展的信心也更足了。",
    "孩子在学校就能完成作业，还能参加兴趣课，家长接送也不着急了。",
)  # fmt: skip
DETAILS = (
    "据了解，该项目分三期实施，目前一期工程已完成主体建设，二期工程正在加紧推进",
    "活动现场设置了政策咨询、技能展示、成果展览等多个区域，吸引了众多群众驻足参观",
    "为确保工作落实落细，相关部门成立了工作专班，实行清单化管理、项目化推进",
    "今年以来，当地围绕群众急难愁盼问题，梳理出重点任务27项，逐项明确责任单位和完成时限",
    "工作人员采取“白+黑”“5+2”工作模式，全力保障各项任务按期完成",
    "下一步，相关部门还将通过线上线下相结合的方式，持续开展政策宣传和跟踪服务",
    "与此同时，当地还建立了定期调度、督导检查和群众评议机制，确保各项措施取得实效",
    "统计数据显示，前三季度全市相关领域主要指标均保持较快增长，发展质量稳步提升",
)  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"  # noqa: E501
GIVEN = (
    "明", "晓帆", "婷", "伟", "静", "磊", "娜", "强", "敏", "洋", "艳", "勇", "军", "杰", "娟",
    "涛", "超", "霞", "鹏", "亚飞", "德勋", "振", "蕾", "一颖", "学泉", "时川", "明明", "封", "堃",
)  # fmt: skip
SOURCES = ("大众网", "大众网", "大众网", "大众日报", "新华社", "齐鲁晚报", "海报新闻")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def headline(rng: random.Random) -> str:
    place = rng.choice(PLACES)
    text = place + rng.choice(BODIES) + rng.choice(ACTIONS)
    if rng.random() < 0.5:
        text += " " + rng.choice(RESULTS)
    return text


def sentence(rng: random.Random, place: str) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"{place}{rng.choice(BODIES)}{rng.choice(ACTIONS)}，{rng.choice(RESULTS)}。"
    if kind == 1:
        citizen = rng.choice(CITIZENS)
        return f"“{rng.choice(QUOTES)}”{place}{citizen}{person_name(rng)}说。"
    if kind == 2:
        return f"{rng.choice(DETAILS)}。"
    if kind == 3:
        who = place + rng.choice(BODIES) + rng.choice(ROLES)
        return f"{who}介绍，{rng.choice(DETAILS)}，{rng.choice(RESULTS)}。"
    if kind == 4:
        return f"下一步，{place}将{rng.choice(PLANS)}，{rng.choice(PLANS)}。"
    district = DISTRICTS[PLACES.index(place)]
    return f"在{place}{district}，{rng.choice(ACTIONS)}的做法已经铺开，{rng.choice(RESULTS)}。"


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
