"""python manage.py load_demo: 向空数据库填入一套中文演示数据。

一个演示组织(6 个部门、14 位人员和系统管理员)、两个会议系列、近十周的 6 次会议(参会、议程、汇报、
决议)以及约 40 个行动项。日期都相对于今天(Asia/Shanghai)计算:有按时完成、逾期完成、已逾期、明天到期、
持续进行和周期性的事项。再次运行时发现演示用户已存在,不做任何更改。
"""

import datetime
import unicodedata

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem, ActionOwner, DeadlineKind, Priority, ProgressEntry, Status
from actions.services import (
    action_complete,
    action_create,
    deadline_change_request,
    occurrence_deliver,
    progress_log,
)
from meetings import lifecycle
from meetings.models import Attendance, Department, Meeting, MeetingKind, MeetingSeries, User
from meetings.services import (
    agenda_item_add,
    attendance_add,
    decision_add,
    meeting_create,
    speaker_report_add,
)
from reports import demo_lifecycle

PASSWORD = "demo1234"
SITE_URL = "http://127.0.0.1:8000/"
EMAIL_DOMAIN = "demo.example.cn"

# 部门树:名称、上级部门、负责人(登录名)
DEPARTMENTS = [
    ("总经理办公室", None, "chenzhiyuan"),
    ("市场部", "总经理办公室", "zhangwei"),
    ("研发一部", "总经理办公室", "liuyang"),
    ("用户运营部", "总经理办公室", "yangmin"),
    ("产品部", "总经理办公室", "sunhao"),
    ("人力资源部", "总经理办公室", "zhoujing"),
]

# 人员:登录名、姓名、部门、职务、别称
PEOPLE = [
    ("chenzhiyuan", "陈志远", "总经理办公室", "总经理", "陈总, 老陈"),
    ("liming", "李明", "总经理办公室", "行政秘书", "李秘书, 小李"),
    ("zhangwei", "张伟", "市场部", "市场部经理", "张总, 老张"),
    ("wangfang", "王芳", "市场部", "市场专员", "小王, 芳芳"),
    ("wulei", "吴磊", "市场部", "品牌推广主管", "吴主管, 小吴"),
    ("liuyang", "刘洋", "研发一部", "研发一部经理", "刘经理, 老刘"),
    ("zhaolei", "赵磊", "研发一部", "项目经理", "赵工, 磊哥"),
    ("hejun", "何军", "研发一部", "测试主管", "何工, 老何"),
    ("yangmin", "杨敏", "用户运营部", "用户运营部经理", "杨经理, 敏姐"),
    ("lintao", "林涛", "用户运营部", "数据分析师", "小林"),
    ("sunhao", "孙浩", "产品部", "产品部经理", "孙经理, 浩哥"),
    ("huangting", "黄婷", "产品部", "产品经理", "黄经理, 婷婷"),
    ("zhoujing", "周静", "人力资源部", "人力资源部经理", "周经理, 静姐"),
    ("mali", "马丽", "人力资源部", "培训主管", "马主管, 丽姐"),
]
ADMIN = ("admin", "系统管理员")
DEMO_USERNAMES = [ADMIN[0]] + [person[0] for person in PEOPLE]

# 每个角色一个演示登录:登录名、角色
LOGINS = [
    ("admin", "系统管理员(可进入管理后台)"),
    ("zhangwei", "部门经理、会议主持人"),
    ("liming", "会议记录人"),
    ("wangfang", "行动项责任人"),
]

SERIES = {
    "weekly": dict(
        title="市场部每周例会",
        kind=MeetingKind.REGULAR,
        department="市场部",
        chair="zhangwei",
        recorder="liming",
        location="3楼第一会议室",
    ),
    "monthly": dict(
        title="月度总结与计划会议",
        kind=MeetingKind.MONTHLY,
        department="总经理办公室",
        chair="chenzhiyuan",
        recorder="liming",
        location="总部12层大会议室",
    ),
}

P, A, E, L = (
    Attendance.Status.PRESENT,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
    Attendance.Status.LATE,
)
HIGH = Priority.HIGH
ONGOING, RECURRING, EVENT = DeadlineKind.ONGOING, DeadlineKind.RECURRING, DeadlineKind.EVENT
RELATIVE_WORDS = {
    7: "一周内",
    10: "十天内",
    14: "两周内",
    20: "二十天内",
    21: "三周内",
    28: "四周内",
    30: "一个月内",
    45: "一个半月内",
    60: "两个月内",
    90: "三个月内",
}


def act(
    title,
    lead,
    support="",
    *,
    d=1,
    rel=None,
    due=None,
    kind=None,
    text="",
    done=None,
    progress=0,
    priority=Priority.NORMAL,
):
    """One action item. lead/support: 登录名或部门名,逗号分隔。d: 对应决议的编号(None 为不关联)。
    rel: 会议日期后若干天到期;due: 今天后若干天到期(负数为已过去)。原文以“预计”开头的为预计时限。
    done: 在到期日前后若干天完成(≤0 按时,>0 逾期完成);progress: 进行中的百分比。"""
    return dict(locals())


MEETINGS = [
    dict(
        series="monthly",
        title="月度工作总结与计划会议({date})",
        days_ago=66,
        start=(14, 0),
        minutes=150,
        background="回顾上月各部门核心指标(KPI)完成情况,梳理重点项目进展与跨部门协作中的问题,部署下月工作计划。",
        attendance=[
            ("zhangwei", P),
            ("liuyang", P),
            ("yangmin", P),
            ("sunhao", L, "客户拜访返回,迟到15分钟"),
            ("zhoujing", P),
            ("zhaolei", P),
        ],
        agenda=[
            (
                "市场部月度工作汇报",
                "zhangwei",
                30,
                [
                    (
                        "zhangwei",
                        (
                            "1. 发布行业深度分析文章8篇、产品解读短视频4个,全网曝光约120万次;",
                            "2. 举办线上直播研讨会1场,收集销售线索430条,输送MQL 96条;",
                            "3. 部分传统线下推广活动投入与转化脱节,下月压缩相关预算。",
                        ),
                    )
                ],
            ),
            (
                "研发一部项目进展汇报",
                "liuyang",
                30,
                [
                    (
                        "liuyang",
                        (
                            "1. 本月完成4个需求迭代,按时交付率93%;",
                            "2. 线上应用错误率稳定在50PPM,未发生重大生产事故;",
                            "3. 与产品部需求对接不清晰,2个需求返工。",
                        ),
                    ),
                    ("zhaolei", ("智能运营系统二期:原型设计已完成,进入开发阶段。",)),
                ],
            ),
            (
                "用户运营部月度数据复盘",
                "yangmin",
                30,
                [
                    (
                        "yangmin",
                        (
                            "1. 新增注册用户7200户,核心用户留存率62%;",
                            "2. 针对沉睡用户推送唤醒优惠券,召回率18%;",
                            "3. 次日留存率低于目标,新用户引导流程需优化。",
                        ),
                    )
                ],
            ),
            (
                "下月工作计划",
                "chenzhiyuan",
                20,
                [
                    (
                        "chenzhiyuan",
                        ("各部门下月计划已书面提交,重点关注需求评审、新用户留存与展会筹备三项工作。",),
                    )
                ],
            ),
        ],
        decisions=[
            (
                2,
                "与产品部需求对接不清晰,两个需求返工,项目延期3天。",
                "孙浩认为需求文档模板不统一;刘洋建议所有进入开发流程的需求至少经过两轮评审。",
                "建立需求评审前置机制:进入开发的需求须经产品部、研发一部两轮联合评审,并统一需求文档模板。",
            ),
            (
                3,
                "新用户次日留存率偏低,部分新用户对产品功能理解不足,导致早期流失。",
                "杨敏提出用户分层运营方案;孙浩建议同步优化新手引导页面。",
                "由用户运营部牵头、产品部配合优化新用户引导流程,并启动“老带新”用户裂变计划。",
            ),
        ],
        summary=(
            "本月各部门核心指标总体达成预期,线索获取与用户增长保持良好态势。",
            "下月重点:",
            "1. 落实需求评审前置机制,减少返工;",
            "2. 优化新用户引导流程,提升次日留存率;",
            "3. 各部门每周报送重点项目进展,由总经理办公室汇总跟踪。",
        ),
        actions=[
            act("制定统一的需求文档模板并组织培训", "huangting", "zhaolei", rel=14, done=-2),
            act("修订研发需求评审流程(两轮联合评审)", "liuyang", "sunhao", rel=21, done=6),
            act("输出新用户引导流程优化方案", "用户运营部", "产品部", d=2, rel=30, done=-3),
            act(
                "“老带新”用户裂变计划方案设计与上线",
                "yangmin,sunhao",
                "wangfang",
                d=2,
                rel=45,
                progress=60,
                priority=HIGH,
            ),
            act(
                "各部门每周提交重点项目进展报告",
                "市场部,研发一部,用户运营部,产品部",
                "liming",
                d=None,
                kind=RECURRING,
                text="每周提交进展报告",
            ),
            act("制定下月营销预算分配方案", "zhangwei", d=None, rel=10, done=-2),
            act("组织新OA系统操作培训", "mali", "zhoujing", d=None, rel=14, done=3),
        ],
    ),
    dict(
        series="weekly",
        title="市场部每周例会({date})",
        days_ago=52,
        start=(9, 30),
        minutes=90,
        background="跟进上周行动项,推进国际智能制造博览会筹备,通报竞品动态。",
        attendance=[("wangfang", P), ("wulei", P), ("huangting", P), ("zhaolei", E, "出差")],
        agenda=[
            (
                "上周行动项跟进",
                "zhangwei",
                15,
                [
                    (
                        "zhangwei",
                        (
                            "上周6项行动项已完成4项,2项顺延:",
                            "1. 新版宣传册设计稿待产品部确认;",
                            "2. 官网落地页改版排期待研发一部确认。",
                        ),
                    )
                ],
            ),
            (
                "国际智能制造博览会筹备",
                "wulei",
                40,
                [
                    (
                        "wulei",
                        (
                            "1. 展位设计方案已确定第二稿,互动体验区需要产品演示环境;",
                            "2. 预计现场收集潜在客户线索800条以上;",
                            "3. 新版宣传册、产品手册按新版VI制作,下周送印。",
                        ),
                    ),
                    ("huangting", ("产品部可提供两款新产品的讲解要点,建议演示脚本突出“行业定制套餐”。",)),
                ],
            ),
            (
                "竞品动态与SEO优化",
                "wangfang",
                20,
                [
                    (
                        "wangfang",
                        (
                            "1. 竞品本周发布新版本,入门版价格下调约10%;",
                            "2. 官网自然搜索流量环比增长6%,核心关键词进入前三页的比例为85%;",
                            "3. 付费广告平均点击成本下降8%。",
                        ),
                    )
                ],
            ),
        ],
        decisions=[
            (
                2,
                "展会产品演示环境尚未落实,存在现场演示失败的风险。",
                "黄婷建议演示以新产品为主;张伟要求演示环境与生产环境隔离。",
                "由研发一部搭建展会专用演示环境;市场部于展会前一周确认演示脚本与讲解词。",
            ),
            (
                3,
                "竞品信息分散,管理层难以及时掌握竞品动态。",
                "",
                "建立常态化竞品监测机制,每周输出《竞品动态简报》,涵盖产品更新、市场活动、价格策略及媒体声量。",
            ),
        ],
        actions=[
            act("搭建展会专用产品演示环境", "zhaolei", "hejun", rel=14, done=4, priority=HIGH),
            act("确认展会演示脚本与讲解词", "wulei", "huangting", rel=7, done=-1),
            act("按新版VI制作展会宣传册与产品手册", "wulei", rel=10, done=0),
            act("整理展会潜在客户线索并移交销售部门", "wangfang", "wulei", rel=21, done=3),
            act("每周输出《竞品动态简报》", "wangfang", d=2, kind=RECURRING, text="每周一提交"),
            act("官网落地页SEO优化", "wangfang", "zhaolei", d=2, kind=ONGOING),
        ],
    ),
    dict(
        kind=MeetingKind.TOPIC,
        title="用户增长破局计划专题会议",
        days_ago=42,
        start=(14, 0),
        minutes=120,
        department="用户运营部",
        chair="chenzhiyuan",
        recorder="liming",
        location="总部12层大会议室",
        background="一季度用户增长放缓至10%,获客成本持续上升。会议分析增长现状,邀请行业专家分享经验,确定破局计划与分工。",
        attendance=[
            ("yangmin", P),
            ("lintao", P),
            ("zhangwei", P),
            ("sunhao", P),
            ("liuyang", E, "出差"),
            ("hejun", A),
        ],
        guests=[("钱立群", "华东互联网产业研究院", "特邀行业专家")],
        agenda=[
            (
                "用户增长现状与问题分析",
                "yangmin",
                30,
                [
                    (
                        "yangmin",
                        (
                            "1. 一季度新增注册用户增速放缓至10%,低于目标;",
                            "2. 获客成本持续走高,对社交媒体单一渠道依赖过高;",
                            "3. 新用户次日留存率仍低于目标。",
                        ),
                    ),
                    (
                        "lintao",
                        (
                            "埋点数据显示:",
                            "- 支付页面停留超过3分钟的用户流失率高达70%;",
                            "- 超过60%的流失用户表示“没有持续使用的动力”。",
                        ),
                    ),
                ],
            ),
            (
                "行业用户增长经验分享",
                None,
                40,
                [
                    (
                        "钱立群(特邀行业专家)",
                        (
                            "1. 从单纯追求用户规模转向兼顾质量与留存,关注用户生命周期价值(LTV);",
                            "2. B端产品可尝试“A端化表达”的科普短视频;",
                            "3. 与垂直媒体、行业KOL合作,降低获客成本。",
                        ),
                    )
                ],
            ),
            (
                "破局计划与分工",
                "chenzhiyuan",
                30,
                [
                    (
                        "chenzhiyuan",
                        ("各部门围绕“拉新、转化、留存”三个环节制定措施,明确牵头部门与时间节点,每周跟进。",),
                    )
                ],
            ),
        ],
        decisions=[
            (
                2,
                "获客渠道单一,社交媒体渠道成本上升。",
                "张伟建议联合开展行业直播;钱立群建议与垂直媒体合作投放。",
                "市场部与用户运营部联合开展3场行业直播(教育、医疗、企业服务),并与3家垂直媒体合作投放。",
            ),
            (
                1,
                "支付流程步骤过多,购物车到购买环节流失严重。",
                "孙浩表示可减少2个环节;何军提醒需预留回归测试时间。",
                "由产品部牵头简化支付流程,减少2个环节并增加快捷支付选项。",
            ),
            (3, "", "", "推出“新人0元体验”活动,预计三个月内完成上线与效果评估。"),
        ],
        summary=(
            "会议明确了“拉新、转化、留存”三个环节的破局措施。",
            "下一步由用户运营部每周汇总进展,三个月后评估整体效果。",
        ),
        actions=[
            act(
                "联合举办3场行业直播(教育/医疗/企业服务)",
                "zhangwei,yangmin",
                "wulei",
                rel=30,
                progress=85,
                priority=HIGH,
            ),
            act("与3家垂直媒体签订合作投放协议", "市场部", rel=21, done=-2),
            act("简化支付流程,减少2个环节", "sunhao", "zhaolei,hejun", d=2, rel=28, done=5, priority=HIGH),
            act("支付页增加快捷支付选项", "zhaolei", "huangting", d=2, due=1, progress=60),
            act("建立支付环节转化漏斗看板", "lintao", d=2, rel=14, done=-3),
            act(
                "“新人0元体验”活动上线与效果评估",
                "yangmin",
                "lintao",
                d=3,
                rel=90,
                text="预计三个月内",
            ),
            act(
                "完善用户成长体系(积分、等级、勋章)初步设计", "huangting", "yangmin", d=3, rel=60, progress=30
            ),
        ],
    ),
    dict(
        series="monthly",
        title="月度工作总结与计划会议({date})",
        days_ago=35,
        start=(14, 0),
        minutes=150,
        background="回顾上月KPI完成情况,听取智能运营系统二期进展汇报,部署下月重点工作。",
        attendance=[
            ("zhangwei", P),
            ("liuyang", P),
            ("yangmin", P),
            ("sunhao", P),
            ("zhoujing", E, "参加外部培训"),
            ("zhaolei", P),
        ],
        agenda=[
            (
                "各部门KPI完成情况",
                "chenzhiyuan",
                40,
                [
                    (
                        "zhangwei",
                        (
                            "1. 累计获取销售线索1380条,输送MQL 330条,线索有效率24%;",
                            "2. 展会现场收集高质量潜在客户线索超过800条,比预期高出20%。",
                        ),
                    ),
                    (
                        "liuyang",
                        (
                            "1. 本月完成5个需求迭代,按时交付率95%;",
                            "2. 自动化测试覆盖率由60%提升至85%;",
                            "3. 与技术排期冲突导致1个需求延期3天。",
                        ),
                    ),
                    ("yangmin", ("1. 核心用户留存率提升至65%;", "2. 投诉处理时长从4小时缩短至1.5小时。")),
                ],
            ),
            (
                "智能运营系统二期进展",
                "zhaolei",
                30,
                [
                    (
                        "zhaolei",
                        (
                            "1. 核心功能开发完成,已进入内测;",
                            "2. 人工运营效率由50单/人/天提升至95单/人/天,错误率降至1.2%;",
                            "3. 下一步:灰度发布,同步制定应急回滚预案。",
                        ),
                    )
                ],
            ),
            (
                "下月重点工作部署",
                "chenzhiyuan",
                20,
                [("chenzhiyuan", ("下月重点:系统二期稳定上线、展会线索转化、“老带新”裂变计划落地。",))],
            ),
        ],
        decisions=[
            (
                2,
                "系统二期上线存在稳定性风险。",
                "刘洋建议先开放10%流量;杨敏要求上线前完成操作指南与培训。",
                "系统二期采用灰度发布:先开放10%流量,稳定运行一周后全量上线;研发一部制定回滚预案并组织演练。",
            ),
            (
                1,
                "跨部门需求对接平均需要7天,项目延期率偏高。",
                "",
                "每月召开跨部门协调会(产品、研发、运营、市场),需求对接时间目标缩短至3天。",
            ),
        ],
        summary=(
            "系统二期按计划推进,展会线索数量超出预期。",
            "下月重点是系统二期稳定上线和展会线索转化;",
            "跨部门协调会自下月起每月召开。",
        ),
        actions=[
            act("制定系统二期灰度发布方案与回滚预案", "zhaolei", "hejun", rel=10, done=-1),
            act("组织回滚预案应急演练", "hejun", "zhaolei", rel=21, progress=30),
            act("编写智能运营系统操作指南并组织培训", "zhaolei", "mali", rel=20),
            act(
                "智能运营系统二期全量上线",
                "liuyang,zhaolei",
                "用户运营部",
                kind=EVENT,
                text="灰度稳定运行一周后",
                progress=60,
            ),
            act("召开跨部门协调会", "总经理办公室", "liming", d=2, kind=RECURRING, text="每月一次"),
            act("整理展会线索转化情况并形成复盘报告", "wangfang", "lintao", d=None, rel=21, progress=60),
            act("更新客户成功案例集锦(新增10个案例)", "wulei", "wangfang", d=None, due=2, progress=60),
            act("完成半年度客户满意度调研报告", "yangmin", "lintao", d=None, rel=14, done=2),
        ],
    ),
    dict(
        kind=MeetingKind.TOPIC,
        title="“未来领袖”人才储备计划专题会议",
        days_ago=18,
        start=(10, 0),
        minutes=90,
        department="人力资源部",
        chair="zhoujing",
        recorder="mali",
        location="5楼人力资源部会议室",
        confidential=True,
        background="研究中层骨干培养与考核激励方案。会议涉及人员评价与薪酬,为内部会议。",
        attendance=[
            ("chenzhiyuan", P, "", Attendance.Role.OBSERVER),
            ("liuyang", P),
            ("zhangwei", P),
            ("sunhao", L, "前一会议延时"),
            ("yangmin", P),
        ],
        agenda=[
            (
                "人才盘点结果",
                "zhoujing",
                30,
                [
                    (
                        "zhoujing",
                        (
                            "1. 全年离职率8%,同比下降5个百分点,核心员工留存率100%;",
                            "2. 具备晋升潜力的中层骨干9人;",
                            "3. 技能缺口集中在数据分析与项目管理。",
                        ),
                    )
                ],
            ),
            (
                "培养方案与考核激励",
                "mali",
                40,
                [
                    (
                        "mali",
                        (
                            "“未来领袖”计划拟设三个模块:领导力培训、轮岗、导师带教。",
                            "新人导师带教计划已使上手周期由30天缩短至18天。",
                        ),
                    ),
                    ("zhangwei", ("建议将跨部门协作与创新贡献纳入考核,避免只看短期业绩。",)),
                ],
            ),
        ],
        decisions=[
            (
                2,
                "现有激励机制偏向短期业绩,对团队协作与创新贡献认可不足。",
                "张伟建议增加协作与创新指标;陈志远同意下季度起试行。",
                "KPI调整为“结果+过程”双维度,过程指标占比30%,下季度起试行。",
            ),
            (1, "", "", "启动第一批“未来领袖”选拔,各业务部门推荐1至2名候选人。"),
        ],
        summary=("会议原则通过“未来领袖”计划框架和考核方案调整方向,具体方案经总经理审批后实施。",),
        actions=[
            act("制定“结果+过程”双维度考核方案", "zhoujing", "mali", rel=14, done=-1),
            act(
                "推荐第一批“未来领袖”候选人", "市场部,研发一部,用户运营部,产品部", d=2, rel=14, priority=HIGH
            ),
            act("编制核心岗位技能树初稿", "mali", "liuyang", d=2, rel=30, progress=30),
            act("员工福利调研与调整方案", "zhoujing", d=None, rel=30, text="预计一个月内"),
            act("每季度邀请心理专家开展一次心理健康讲座", "mali", d=None, kind=RECURRING, text="持续进行"),
        ],
    ),
    dict(
        series="weekly",
        title="市场部每周例会({date})",
        days_ago=4,
        start=(9, 30),
        minutes=90,
        status=Meeting.Status.DRAFT,
        background="跟进行业直播与垂直媒体投放进展,讨论下半年品牌活动规划与MA工具二期需求。",
        attendance=[("wangfang", P), ("wulei", P), ("zhaolei", P), ("huangting", L, "上一个会议延时")],
        agenda=[
            (
                "上周行动项跟进",
                "zhangwei",
                15,
                [
                    (
                        "zhangwei",
                        (
                            "1. 行业直播已完成教育、医疗两场,第三场企业服务专场待定;",
                            "2. 垂直媒体投放协议已全部签订。",
                        ),
                    )
                ],
            ),
            (
                "下半年品牌活动规划",
                "wulei",
                30,
                [
                    (
                        "wulei",
                        (
                            "1. 打造“B端产品A端化表达”系列短视频,每月4条;",
                            "2. 华南电子产业峰会报名已开放,需确认展位预算;",
                            "3. 客户成功案例集锦更新中。",
                        ),
                    )
                ],
            ),
            (
                "营销自动化(MA)工具二期需求",
                "wangfang",
                20,
                [
                    (
                        "wangfang",
                        (
                            "1. 通过自动化邮件营销已激活约15%的沉睡线索;",
                            "2. 二期需求:线索评分、标签自动化、与销售系统对接。",
                        ),
                    ),
                    ("zhaolei", ("收到需求文档后两个工作日内给出工作量评估。",)),
                ],
            ),
        ],
        decisions=[
            (
                2,
                "",
                "吴磊建议展位选址靠近主通道;张伟要求控制预算。",
                "确定参加华南电子产业峰会,展位预算控制在15万元以内。",
            ),
            (
                3,
                "MA工具二期需求尚未经过研发评估。",
                "",
                "市场部整理MA工具二期需求文档,研发一部评估工作量后,下次例会确认排期。",
            ),
        ],
        actions=[
            act("提交华南电子产业峰会展位方案与预算", "zhangwei", "wulei", rel=7),
            act("确定企业服务专场直播时间与嘉宾", "zhangwei", "wulei", d=None, due=1, priority=HIGH),
            act("“B端产品A端化表达”系列短视频策划", "wulei", kind=ONGOING),
            act("整理MA工具二期需求文档", "wangfang", d=2, due=1, text="明天下班前"),
            act("评估MA工具二期开发工作量", "zhaolei", d=2, rel=7, text="下次例会前"),
            act(
                "每周提交直播线索转化进展报告",
                "wangfang",
                "lintao",
                d=None,
                kind=RECURRING,
                text="每周提交进展报告",
            ),
            act("更新产品演示PPT", "huangting", "wulei", rel=10),
            act("官网改版需求调研", "huangting", "wangfang", d=None, rel=30),
        ],
    ),
]

PROGRESS_NOTES = [
    (50, "已启动,初步方案已完成。"),
    (80, "主体工作已完成过半,按计划推进。"),
    (100, "进入收尾阶段,待最后确认。"),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _workday_on_or_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:  # 周末开会的少,挪到周五
        day -= datetime.timedelta(days=1)
    return day


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _backdate_last_entry(action: ActionItem, when: datetime.datetime) -> None:
    last = action.progress_entries.order_by("-pk").first()
    ProgressEntry.objects.filter(pk=last.pk).update(created_at=when)


class _Loader:
    def __init__(self):
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.users: dict[str, User] = {}
        self.departments: dict[str, Department] = {}

    def run(self) -> None:
        self._organisation()
        series = {key: self._series(spec) for key, spec in SERIES.items()}
        for spec in MEETINGS:
            self._meeting(spec, series)
        for one in series.values():
            self._recurrence_from_meetings(one)
        self._postponements()
        # A weekly 例会 that has run for a month: reviews, approval, publication (docs/lifecycle.md).
        demo_lifecycle.load(users=self.users, departments=self.departments, today=self.today)

    def _postponements(self) -> None:
        """Some deadlines moved, as they do: two approved by the chair and one request still waiting,
        so 部门行动项 shows who postponed most and the item pages show the approval flow."""
        reasons = ["供应商延迟交付样品,需顺延一周", "等待产品部确认需求范围", "展会排期调整,申请延后两周"]
        candidates = (
            ActionItem.objects.open()
            .filter(
                due_date__gte=self.today, deadline_kind=DeadlineKind.RELATIVE, meeting__chair__isnull=False
            )
            .select_related("meeting__chair")
            .order_by("due_date", "pk")[:3]
        )
        for index, action in enumerate(candidates):
            lead = action.owners.filter(role=ActionOwner.Role.LEAD, user__isnull=False).first()
            waiting = index == 2 and lead is not None
            deadline_change_request(
                action=action,
                by=lead.user if waiting else action.meeting.chair,
                new_due_date=action.due_date + datetime.timedelta(days=7 * (index + 1)),
                reason=reasons[index],
                approved=not waiting,
            )

    def _organisation(self) -> None:
        for order, (name, parent, _head) in enumerate(DEPARTMENTS):
            self.departments[name] = Department.objects.create(
                name=name, parent=self.departments.get(parent), order=order
            )
        username, name = ADMIN
        User.objects.create_user(
            username, None, name=name, email=f"{username}@{EMAIL_DOMAIN}", is_staff=True, is_superuser=True
        )
        for username, name, department, job_title, aliases in PEOPLE:
            self.users[username] = User.objects.create_user(
                username,
                None,
                name=name,
                email=f"{username}@{EMAIL_DOMAIN}",
                department=self.departments[department],
                job_title=job_title,
                aliases=aliases,
            )
        # 同一个演示密码只哈希一次(每次哈希近一秒),再写给所有演示用户。
        User.objects.filter(username__in=DEMO_USERNAMES).update(password=make_password(PASSWORD))
        for name, _parent, head in DEPARTMENTS:
            Department.objects.filter(pk=self.departments[name].pk).update(head=self.users[head])
            self.departments[name].head = self.users[head]

    def _series(self, spec: dict) -> MeetingSeries:
        return MeetingSeries.objects.create(
            title=spec["title"],
            kind=spec["kind"],
            department=self.departments[spec["department"]],
            chair=self.users[spec["chair"]],
            recorder=self.users[spec["recorder"]],
            default_location=spec["location"],
        )

    def _recurrence_from_meetings(self, series: MeetingSeries) -> None:
        """The rule the series' demo meetings follow, so that 创建下次会议 works: weekly on the weekday
        of its latest meeting, monthly on that day of the month."""
        meetings = list(series.meetings.order_by("starts_at"))
        if not meetings:
            return
        last = timezone.localtime(meetings[-1].starts_at)
        series.first_date = timezone.localdate(meetings[0].starts_at)
        series.start_time = last.time().replace(second=0, microsecond=0)
        series.duration_minutes = int((meetings[-1].ends_at - meetings[-1].starts_at).total_seconds() // 60)
        if series.kind == MeetingKind.MONTHLY:
            series.recurrence, series.month_day = MeetingSeries.Recurrence.MONTHLY_DAY, min(last.day, 28)
        else:
            series.recurrence, series.weekday = MeetingSeries.Recurrence.WEEKLY, last.weekday()
        series.save()

    def _owner(self, name: str) -> User | Department:
        return self.users.get(name) or self.departments[name]

    def _meeting(self, spec: dict, series: dict[str, MeetingSeries]) -> None:
        base = SERIES.get(spec.get("series"), {})

        def get(key):
            return spec.get(key, base.get(key))

        day = _workday_on_or_before(self.today - datetime.timedelta(days=spec["days_ago"]))
        starts = _at(day, *spec["start"])
        ends = starts + datetime.timedelta(minutes=spec["minutes"])
        recorder = self.users[get("recorder")]
        meeting = meeting_create(
            by=recorder,
            series=series.get(spec.get("series")),
            kind=get("kind"),
            title=spec["title"].format(date=f"{day.month}月{day.day}日"),
            background=spec["background"],
            starts_at=starts,
            ends_at=ends,
            location=get("location"),
            chair=self.users[get("chair")],
            recorder=recorder,
            department=self.departments[get("department")],
            is_confidential=spec.get("confidential", False),
            # The demo organisation reads each other's minutes; the confidential one stays private.
            visibility=Meeting.Visibility.PARTICIPANTS
            if spec.get("confidential")
            else Meeting.Visibility.ORGANISATION,
            summary="\n".join(spec.get("summary", ())),
        )
        for username, status, *extra in spec["attendance"]:
            note = extra[0] if extra else ""
            role = extra[1] if len(extra) > 1 else Attendance.Role.PARTICIPANT
            attendance_add(meeting=meeting, user=self.users[username], status=status, note=note, role=role)
        for guest_name, organisation, note in spec.get("guests", ()):
            attendance_add(
                meeting=meeting,
                guest_name=guest_name,
                guest_organisation=organisation,
                role=Attendance.Role.GUEST,
                note=note,
            )
        items = []
        for title, presenter, minutes, reports in spec["agenda"]:
            item = agenda_item_add(
                meeting=meeting, title=title, presenter=self.users.get(presenter), planned_minutes=minutes
            )
            for speaker, lines in reports:
                speaker_report_add(
                    agenda_item=item,
                    content="\n".join(lines),
                    speaker=self.users.get(speaker),
                    speaker_name="" if speaker in self.users else speaker,
                )
            items.append(item)
        decisions = [
            decision_add(
                meeting=meeting,
                agenda_item=items[agenda_no - 1],
                problem=problem,
                discussion=discussion,
                text=text,
            )
            for agenda_no, problem, discussion, text in spec["decisions"]
        ]
        for item_spec in spec["actions"]:
            self._action(item_spec, meeting, ends, decisions)
        status = spec.get("status", Meeting.Status.PUBLISHED)
        if status == Meeting.Status.PUBLISHED:
            # Published as the lifecycle does it, so the minutes have their signed version (签发 block,
            # stored PDF), dated the day after the meeting.
            since = timezone.now()
            Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.SUBMITTED)
            meeting.refresh_from_db()
            lifecycle.meeting_publish(meeting=meeting, by=meeting.chair, confirm_empty=True, notify=False)
            demo_lifecycle.backdate(meeting, min(ends + datetime.timedelta(days=1), self.now), since)
        Meeting.objects.filter(pk=meeting.pk).update(
            status=status,
            created_at=starts - datetime.timedelta(days=2),
            updated_at=min(ends + datetime.timedelta(days=1), self.now),
        )

    def _deadline(self, spec: dict) -> tuple[datetime.date | None, str]:
        """The date picked (for `due`) and the words said, read by the rule every item's deadline
        follows (actions.services.deadline_from): `rel` and the kinds are words counted from the
        meeting, 每周一提交 recurs on Mondays from the meeting on."""
        if spec["rel"] is not None:
            return None, spec["text"] or RELATIVE_WORDS.get(spec["rel"], f"{spec['rel']}天内")
        if spec["due"] is not None:
            due = self.today + datetime.timedelta(days=spec["due"])
            return due, spec["text"] or f"{due.month}月{due.day}日前"
        kind = spec["kind"] or DeadlineKind.ONGOING
        return None, spec["text"] or ("持续进行" if kind == DeadlineKind.ONGOING else kind.label)

    def _action(self, spec: dict, meeting: Meeting, ends: datetime.datetime, decisions: list) -> None:
        picked, text = self._deadline(spec)
        owners = [(self._owner(name), ActionOwner.Role.LEAD) for name in _names(spec["lead"])]
        owners += [(self._owner(name), ActionOwner.Role.SUPPORT) for name in _names(spec["support"])]
        action = action_create(
            title=spec["title"],
            owners=owners,
            by=meeting.recorder,
            meeting=meeting,
            decisions=[decisions[spec["d"] - 1]] if spec["d"] else [],
            due_date=picked,
            deadline_text=text,
            priority=spec["priority"],
        )
        due = action.due_date
        for occurrence in action.occurrences.filter(due_date__lt=self.today):
            occurrence_deliver(
                occurrence=occurrence, by=owners[0][0] if isinstance(owners[0][0], User) else None
            )
        ActionItem.objects.filter(pk=action.pk).update(created_at=ends, updated_at=ends)
        action.progress_entries.update(created_at=ends)
        lead = owners[0][0]
        person = lead if isinstance(lead, User) else lead.head
        if spec["done"] is not None:
            done_day = min(due + datetime.timedelta(days=spec["done"]), self.today)
            when = min(_at(done_day, 17, 30), self.now)
            late = spec["done"] > 0
            note = "已完成。因排期冲突,较原定时间有所延后。" if late else "已完成,相关材料已提交。"
            action_complete(action=action, by=person, note=note, completed_at=when)
            ActionItem.objects.filter(pk=action.pk).update(updated_at=when)
            _backdate_last_entry(action, when)
        elif spec["progress"]:
            when = ends + (self.now - ends) * 0.6
            note = next(text for limit, text in PROGRESS_NOTES if spec["progress"] < limit)
            progress_log(
                action=action,
                by=person,
                note=note,
                changes={
                    "status": [Status.NOT_STARTED, Status.IN_PROGRESS],
                    "progress": [0, spec["progress"]],
                },
            )
            ActionItem.objects.filter(pk=action.pk).update(
                status=Status.IN_PROGRESS, progress=spec["progress"], updated_at=when
            )
            _backdate_last_entry(action, when)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = "向空数据库填入一套中文演示数据:部门、人员、会议系列、会议纪要和行动项。"

    def handle(self, *args, **options):
        if User.objects.filter(username__in=DEMO_USERNAMES).exists():
            self.stdout.write(self.style.WARNING("演示数据已存在,未做任何更改。"))
            self._print_logins()
            return
        with transaction.atomic():
            _Loader().run()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已载入:{Department.objects.count()} 个部门、{User.objects.count()} 位用户、"
                f"{MeetingSeries.objects.count()} 个会议系列、{Meeting.objects.count()} 次会议、"
                f"{ActionItem.objects.count()} 个行动项。"
            )
        )
        self._print_logins()

    def _print_logins(self) -> None:
        people = {username: (name, title) for username, name, _dept, title, _aliases in PEOPLE}
        people[ADMIN[0]] = (ADMIN[1], "")
        rows = [("登录名", "姓名", "角色", "密码")]
        for username, role in LOGINS:
            name, title = people[username]
            rows.append((username, name, f"{role}({title})" if title else role, PASSWORD))
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(4)]
        self.stdout.write("")
        self.stdout.write("演示登录:")
        for row in rows:
            line = "".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  " + line.rstrip())
        self.stdout.write(f"其他演示人员(如 chenzhiyuan、zhaolei、yangmin)的密码同为 {PASSWORD}。")
        self.stdout.write(f"网址:{SITE_URL}")
