"""Build the bundled catalogue of 苏府〔2015〕12号 from a hand-made item table.

Build-time only::

    python tools/build_catalogue_sz2015.py [--check]

Writes ``resources/catalogues/SZ2015.json`` (canonical: ``dump_catalogue_json``)
and loads it back with the application's validator. ``--check`` only compares.

The table below is a reading of the cleaned source ``resources/sources/SZ2015.txt``,
one entry per obligation (not per article). Chapter, section and article headings
are read from the source so they are verbatim. Each item's 原文 is the whole
sentence(s) the trace table ``tools/trace/SZ2015.tsv`` assigns to it (see
``tools/trace.py``); the phrase in the table below only has to lie inside it, which
checks the table and the trace agree.

Rules used for the fields the Suzhou text does not state in so many words:

* ``lead_units``: the actor the sentence names (verbatim, e.g. "县市区政府法制机构");
  when a sentence names nobody, the document's addressee "乡镇政府、街道办事处",
  or, where the duty can only be a higher level's (dividing 财权事权, granting
  powers, setting the townships' assessment), "县市区政府".
* ``applies_to_township``: true iff the lead or participating units name a
  township actor (乡镇 / 街道 / 镇), false for county-level actors only.
* "定期" with no period given is read as at least once a year (cycle 每年).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fazhi_desk.catalogue.schema import Catalogue, dump_catalogue_json, write_catalogue_json  # noqa: E402
from fazhi_desk.domain.model import MEASURE_LOGGED, Cycle, Item, SourceDocument, TownshipRole, parse_target  # noqa: E402

CODE = "SZ2015"
SOURCE = ROOT / "resources" / "sources" / f"{CODE}.txt"
OUT = ROOT / "resources" / "catalogues" / f"{CODE}.json"

# Actors.
T = "乡镇政府、街道办事处"  # the document's addressee
FZB = "乡镇、街道法制办"  # as article 28 names the office
PILOT = "行政管理体制改革试点镇"
COUNTY = "县市区政府"
COUNTY_FZ = "县市区政府法制机构"

ONCE, YEARLY, BIENNIAL, EVENT, ONGOING = "一次性", "每年", "每两年", "按事件", "持续"
LOGGED = MEASURE_LOGGED  # 计量方式 逐次登记

NOTES = [
    # Repairs (tools/clean_sources.py, SZ_FIRST_LINE/SZ_LAST_LINE and SZ_REPAIRS).
    "来源文本取自文档分享网页:只保留从标题行到“(此件公开发布)”的正文,删去页面计数、上传者、下载链接、重复的文件名标题和网站页脚。",
    "修复:网页把“《决定》指出:”与其后引文“全面推进依法治国……”断成两行,已合并为一行。",
    # Oddities of the source, left as they are.
    "原文发文字号作“苏府[2015]12号”(方括号),文本照录;“发文字号”一栏用规范写法“苏府〔2015〕12号”。",
    "原文标点为半角(, ( ) : ; ~ %),文本照录未改。",
    "原文第5条“充分发行政管理体制改革试点镇……辐射带动作用”脱“挥”字,文本照录未改。",
    "原文标题为“市政府关于……”,“文件名称”一栏按发文机关补全为“苏州市政府关于……”。",
    # Judgement calls.
    "苏州文件没有列出牵头单位:“牵头单位”一栏填原文句中所指的责任主体;句中未写主体的,填文件主送的“乡镇政府、街道办事处”,只能由上级做的(划分财权事权、赋权、对乡镇的考核)填“县市区政府”。",
    "适用乡镇:牵头或参加单位含乡镇、街道或镇的填“是”;只涉及县市区政府、其法制机构、县市区行政执法机关、委托行政机关的填“否”(第25、26条全部、第5、10、15、19、22、23条部分)。",
    "只对部分镇适用的事项(行政管理体制改革试点镇、区政合一的镇、“城关镇”改革试点、第28条按乡镇类别配备法制工作人员)仍标适用乡镇,不属该类的镇办在年度中标“不适用”。",
    "“定期”未写周期的(第15、26、27、29条),周期按每年至少一次(每年)。",
    "第2条“通过2~3年的努力”是期限而非数量,不作目标值;原文未给日期,截止日期留空。第11条“发布满2年”是后评估的范围条件,不作目标值。",
    "第10条每两年全面清理规范性文件:未填“首次年度”,按文件年份2015起算(2015、2017、2019……年应清理)。",
    "同一句中周期、目标值或佐证不同的义务分列为不同事项(如第4条4次与40学时,第10条15日备案与100%报备率,第18条6天与9天,第28条2名、1~2名、1名)。",
    "第3条对领导班子依法行政能力的考核、第14条决策责任追究由上级实施,但对象是乡镇、街道及其人员,乡镇也须对本级中层干部和责任人员落实,故标适用乡镇。",
    "版本 1.1:对照逐句追溯表(tools/trace/SZ2015.tsv)重读全文后新增 3 项:09-06 规范性文件前期调研论证、22-05 配合审计监察等专门监督、24-04 政府信息公开信息化;1.0 的编号和措辞不变。",
    "版本 1.2:每项增加乡镇角色:句中责任主体是乡镇、街道或镇的为“牵头”,由县级机关牵头、乡镇街道参加的为“参加”(第15条书面委托执法协议、第19条联席会议),只涉及县级的为“仅供了解”(与适用乡镇“否”一致)。本意见未规定施行期限,施行期限留空(持续有效,直至县里导入新目录使其退役)。",
    "版本 1.3:“原文”一律为追溯表中对应到该事项的整句(跨行的用换行连接),不再只截取一个分句;“事项内容”是简短的义务表述。句中另有义务而原先没有事项的,新增事项(编号接在该条原有编号之后,原有编号和措辞不变):03-04 重视提拔使用依法行政意识强的干部;04-04 落实领导干部学法制度;05-07 强化便民服务职责;05-08 深化试点镇改革并赋予相适应的管理权限(县市区政府赋权,试点镇参加,乡镇角色为参加);07-04 一事一议通过购买服务解决;08-04 构建镇村两级服务体系;09-07 未经征求意见、合法性审查和集体讨论不得制发规范性文件;11-03 后评估结果的运用;12-12 健全相结合的行政决策机制;18-06 丰富和创新执法培训形式;20-02 妥善处理突发性、群体性事件;21-04 探索建立个性化调解工作室(站)。",
    "版本 1.3:第28条所列法制办自身的职责单列为事项,乡镇角色为牵头(原先并入第9、12、16、21、22条的事项):28-08 组织、协调和推进依法行政;28-09 重大行政决策合法性审查;28-10 规范性文件审查备案;28-11 组织执法案卷评查和执法考核评议;28-12 承办行政复议、行政诉讼案件;28-13 参与处理重大复杂法律事务;28-14 行政调解的组织协调、业务指导和统计分析;审核合同和具体行政行为仍为 28-02。“具体工作职责由各乡镇、街道根据实际情况确定”与28-01“明确工作职责”重复,未单列。",
    "版本 1.3:逐项复核周期、目标值、期限和角色:第10条“每两年对规范性文件进行一次全面清理”为每两年(10-05、10-06);第11条“发布满2年”是后评估的范围条件,不是目标值;第13条“1~2件”、第28条“1~2名”为区间目标;第15条委托行政机关对乡镇执法人员的培训、第26条例会制度和对乡镇法制工作人员的培训,责任主体是县级机关,乡镇为仅供了解。",
    "版本 1.4:按次数、学时或天数逐次开展的每年事项,计量方式标为“逐次登记”(每开展一次在“活动记录”中登记一条,实际值自动统计):04-01 集中学法不少于4次(按条数计)、04-02 法律培训不少于40学时(按学时相加)、18-03 和 18-04 执法人员公共和专门法律知识培训不少于6天、9天(按天数相加)。其他字段不变。",
    "未单列事项的句子:第5条试点镇“辐射带动作用”、第8条试点镇服务中心示范引领、第18条鼓励学历继续教育、第28条法制工作人员提高业务能力(鼓励性,无可检查的要求)。",
]


@dataclass(frozen=True)
class Row:
    article: int
    requirement: str
    passage: str
    cycle: str
    lead: str = T
    part: str = ""
    target: str = ""
    unit: str = ""
    evidence: str = ""
    no: int = 0  # explicit item number for items added after version 1.0 (0: numbered in order)
    measure: str = ""  # 计量方式: LOGGED where each session is recorded and the year counts itself
    # ``passage``: a phrase of the item's 原文, which is the whole sentence(s) the trace assigns to it


def r(article: int, requirement: str, passage: str, cycle: str, evidence: str, *, lead: str = T,
      part: str = "", target: str = "", unit: str = "", no: int = 0, measure: str = "") -> Row:
    return Row(article, requirement, passage, cycle, lead, part, target, unit, evidence, no, measure)


ROWS: list[Row] = [
    # 一、重要意义和总体目标
    r(1, "把加强依法行政作为法治政府建设的基础性工作系统部署、全面推进",
      "加强乡镇政府、街道办事处依法行政工作,作为当前和今后一个时期我市法治政府建设的基础性工作予以系统部署和全面推进已势在必行",
      ONGOING, "建议:党委会或政府常务会议研究部署依法行政工作的纪要"),
    r(2, "通过2~3年努力实现依法行政工作总体目标",
      "通过2~3年的努力,乡镇政府、街道办事处依法行政工作的机制健全,职能转变基本到位",
      ONCE, "建议:依法行政工作总结、上级考核结果"),
    # (一)大力提高工作人员依法行政意识和能力
    r(3, "领导干部带头遵守宪法法律,依法决策、依法办事",
      "乡镇政府、街道办事处领导干部要牢固树立社会主义法治理念,带头遵守宪法法律,提高依法决策、依法办事的自觉性",
      ONGOING, "建议:领导干部学法记录、依法决策的会议纪要"),
    r(3, "中层以上领导干部任职前进行法律法规知识考试",
      "建立乡镇政府、街道办事处中层以上领导干部任职前法律法规知识考试制度,考试结果作为其任职的前置条件",
      EVENT, "考试结果"),
    r(3, "考核领导班子和领导干部依法行政能力,结果用于选拔任用",
      "加强对乡镇政府、街道办事处领导班子和领导干部依法行政能力的考核,考核结果作为领导干部选拔任用、评先评优的重要依据",
      YEARLY, "建议:依法行政能力考核结果、干部任用材料"),
    r(3, "重视提拔使用依法行政意识强、能力突出的优秀干部",
      "重视提拔使用依法行政意识强、能力突出的优秀干部",
      ONGOING, "建议:干部选拔任用材料", no=4),
    r(4, "落实领导干部学法制度,以会前学法、专题研讨等多种形式学法",
      "认真落实领导干部学法制度",
      ONGOING, "建议:领导干部学法制度、会前学法和专题研讨记录", no=4),
    r(4, "每年安排领导干部集中学法不少于4次",
      "乡镇、街道每年安排领导干部集中学法不得少于4次",
      YEARLY, "建议:学法计划、签到表、会议记录", target="4", unit="次", measure=LOGGED),
    r(4, "每年组织工作人员法律培训不少于40学时",
      "每年组织工作人员法律培训不得少于40学时",
      YEARLY, "建议:培训计划、课程表、签到表、学时登记", target="40", unit="学时", measure=LOGGED),
    r(4, "学法培训情况纳入年度考核,未达要求的不评优秀",
      "学法培训情况作为乡镇政府、街道办事处工作人员年度考核、任职、晋升和奖惩的重要依据,学法未达到要求的,当年度考核不得评为优秀等次",
      YEARLY, "建议:学法培训档案、年度考核结果"),
    # (二)加快推进政府职能转变
    r(5, "科学界定职能、明确权责边界、优化机构设置",
      "科学界定政府职能,明确权责边界,优化机构设置",
      ONGOING, "建议:职能配置和机构设置方案、权责清单"),
    r(5, "合理划分县区与乡镇、街道之间的财权、事权",
      "合理划分县区政府与乡镇政府、街道办事处之间的财权、事权,实现财权、事权与职责对等",
      ONGOING, "建议:财权事权划分文件", lead=COUNTY),
    r(5, "强化乡镇、街道的便民服务职责",
      "强化乡镇政府、街道办事处的便民服务职责",
      ONGOING, "建议:便民服务事项清单、便民服务中心工作制度", no=7),
    r(5, "依法赋予乡镇、街道部分县级经济社会管理权",
      "依法赋予乡镇政府、街道办事处部分县级经济社会管理权",
      ONGOING, "建议:赋权文件、权限目录", lead=COUNTY),
    r(5, "全面废止与基层群众自治组织之间的行政责任书",
      "除法定要求外,全面废止乡镇政府、街道办事处与基层群众自治组织之间的行政责任书",
      ONCE, "建议:责任书清理清单、废止通知"),
    r(5, "完善区政合一管理体制,明确管委会与镇政府职责",
      "完善区政合一管理体制,依法明确管委会与镇政府管理职责",
      ONCE, "建议:管委会与镇政府职责划分文件", lead="区政合一的镇"),
    r(5, "深化试点镇改革,赋予与人口、经济规模相适应的管理权限",
      "深化行政管理体制改革试点镇改革工作,赋予其同人口、经济规模相适应的行政管理权限",
      ONGOING, "建议:试点镇改革方案、赋权文件", lead=COUNTY, part=PILOT, no=8),
    r(5, "稳步推进“城关镇”改革试点",
      "稳步推进“城关镇”改革试点工作",
      ONGOING, "建议:改革试点方案、工作总结"),
    r(6, "推进“政社互动”,明确与村(居)委会的权力边界和职责范围",
      "深入推进“政社互动”工作,明确乡镇政府、街道办事处与村民委员会、居民委员会等基层群众自治组织的权力边界和职责范围",
      ONGOING, "建议:自治组织依法履职事项清单、协助政府工作事项清单"),
    r(6, "规范委托协助事项,以“一揽子”协议保障经费,不转嫁法定职责",
      "规范政府委托基层群众自治组织协助工作事项,政府以签订“一揽子”协议形式对协助事项予以经费保障,不得要求基层群众自治组织承担应当由政府履行的法定职责",
      ONGOING, "建议:“一揽子”协议、经费拨付凭证"),
    r(6, "清理控制涉村(社区)检查考核评比,减少台账",
      "清理并严格控制涉及村(社区)的各项检查、考核、达标、评比、创建活动,大幅减少村(社区)工作台账",
      ONGOING, "建议:清理清单、保留事项目录"),
    r(6, "不干预自治范围内事项,保障自治组织民主权利",
      "完善基层自治机制,严禁干预基层群众自治组织自治范围内的事项,充分保障基层群众自治组织民主选举、民主决策、民主管理、民主监督的权利",
      ONGOING, "建议:基层自治工作情况说明"),
    r(6, "引导村(社区)依法制定、完善村规民约",
      "引导村(社区)依法制定、完善村规民约",
      ONGOING, "建议:村规民约文本及审核记录"),
    r(7, "依法通过招标、委托等竞争方式向社会购买服务",
      "乡镇政府、街道办事处可引入竞争机制,通过招标、委托、承包等方式向社会购买",
      EVENT, "建议:购买服务合同、招标或委托文件"),
    r(7, "法定之外不由自治组织承担的事项,可一事一议通过购买服务解决",
      "可采取一事一议通过购买服务等方式解决",
      EVENT, "建议:一事一议的会议记录、购买服务合同", no=4),
    r(7, "建立政府购买服务机制,确定购买服务事项目录",
      "建立以公众需求为导向的政府购买服务机制,合理确定政府购买服务事项目录,进一步规范购买程序",
      ONCE, "建议:政府购买服务事项目录、购买程序规定"),
    r(7, "建立多方参与的购买服务评价机制,跟踪评估服务质量",
      "建立由购买主体、服务对象及第三方组成的评价机制,强化对购买服务质量的跟踪监督和动态评估",
      ONGOING, "建议:评价办法、评估报告"),
    r(8, "构建镇(街)、村(居)两级服务体系",
      "构建功能完备、运行规范、上下联动、便捷高效的镇(街)、村(居)两级服务体系",
      ONGOING, "建议:镇村两级服务体系建设方案、服务事项清单", no=4),
    r(8, "实现便民服务中心、村(社区)便民服务站点全覆盖",
      "实现乡镇(街道)便民服务中心、村(社区)便民服务站点建设全覆盖",
      ONCE, "建议:便民服务中心和站点建设台账"),
    r(8, "下沉服务事项,整合两级服务中心与各类服务网点",
      "优化整合政务服务资源,下沉与群众生产生活密切相关的服务事项,进一步推进乡镇(街道)、村(社区)两级社区服务中心与劳动就业、社会保障、计划生育、涉农补贴等各类服务网点平台的整合",
      ONGOING, "建议:下沉服务事项清单"),
    r(8, "归并审批服务事项,健全网上运行,推进便民服务机构规范化",
      "进一步重组归并审批服务事项,优化工作流程,健全网上行政许可和公共服务事项网上运行机制,扎实推进便民服务机构规范化建设",
      ONGOING, "建议:服务事项清单、办事指南、网上办理情况"),
    # (三)提高规范性文件质量
    r(9, "依法定权限和程序制定规范性文件,不违法创设事项",
      "作为规范性文件制定主体的乡镇政府、街道办事处,要严格遵守法定权限和程序制定规范性文件,文件内容应当符合法律法规、规章的规定,不得创设行政许可、行政处罚、行政强制等事项",
      EVENT, "建议:起草说明、合法性审查意见"),
    r(9, "规范性文件起草前开展调研论证",
      "加强规范性文件前期调研论证",
      EVENT, "建议:调研报告、起草论证材料", no=6),
    r(9, "涉及重大民生的规范性文件广泛征求、听取各方意见",
      "对涉及重大民生事项的规范性文件,要广泛征求、听取各方意见",
      EVENT, "建议:征求意见稿、意见汇总及采纳情况"),
    r(9, "法制办对规范性文件进行合法性审查,出具法律审核意见书",
      "乡镇政府、街道办事处的法制办负责规范性文件的合法性审查,出具法律审核意见书",
      EVENT, "法律审核意见书", lead=FZB),
    r(9, "规范性文件经负责人集体讨论决定",
      "提交乡镇政府、街道办事处负责人集体讨论决定",
      EVENT, "建议:集体讨论的会议纪要"),
    r(9, "未经征求意见、合法性审查和集体讨论的,不得制发规范性文件",
      "未经公开征求意见、合法性审查和集体讨论决定的,不得制发规范性文件",
      EVENT, "建议:规范性文件制发程序材料(征求意见、审查意见、会议纪要)", no=7),
    r(9, "不以会议纪要、抄告单形式制发普遍约束力文件",
      "凡涉及公民、法人和其他组织权利义务,具有普遍约束力的文件,不得以会议纪要、抄告单的形式制发",
      ONGOING, "建议:发文登记簿"),
    r(10, "规范性文件统一登记、统一编号、统一发布",
      "实行规范性文件统一登记、统一编号、统一发布制度,未经公布的规范性文件,不得作为行政管理的依据",
      EVENT, "建议:规范性文件登记簿、发布记录"),
    r(10, "规范性文件自发布之日起15日内报县市区政府备案",
      "规范性文件发布后,应当自发布之日起15日内,向县市区政府报送备案,并提交备案报告、规范性文件正式文本、制定说明以及相关制定依据",
      EVENT, "备案报告、规范性文件正式文本、制定说明、制定依据", target="15", unit="日"),
    r(10, "规范性文件报备及时率、报备率、规范率达到100%",
      "确保及时率、报备率、规范率达到100%",
      YEARLY, "建议:规范性文件备案登记台账、备案审查通报", target="100", unit="%"),
    r(10, "审查报备的规范性文件,坚决纠正违法文件",
      "县市区政府法制机构要对报备的规范性文件进行严格审查",
      EVENT, "建议:备案审查意见", lead=COUNTY_FZ),
    r(10, "建立有效期制度,每两年全面清理一次规范性文件",
      "建立规范性文件定期清理和有效期制度,每两年对规范性文件进行一次全面清理",
      BIENNIAL, "清理结果"),
    r(10, "向社会公布规范性文件清理结果",
      "清理结果要向社会公布",
      BIENNIAL, "清理结果的公告或公布网页截图"),
    r(11, "对发布满2年的重要规范性文件开展后评估",
      "乡镇政府、街道办事处应当对发布满2年的且直接涉及公民、法人、其他组织切身利益的重要规范性文件组织开展后评估",
      EVENT, "后评估报告"),
    r(11, "后评估结果作为废止、修改规范性文件的依据",
      "后评估结果作为规范性文件废止、修改或者改进行政管理工作的重要依据",
      EVENT, "建议:依据后评估结果作出的修改或废止决定", no=3),
    r(11, "后评估报告报县区政府法制机构备案并向社会公开",
      "后评估报告报县区政府法制机构备案,并向社会公开",
      EVENT, "后评估报告、备案材料、公开网页截图"),
    # (四)推进行政决策科学化、民主化
    r(12, "建立重大行政决策程序制度,明确决策范围和量化标准",
      "建立健全乡镇政府、街道办事处重大行政决策程序制度,明确重大行政决策范围和量化标准",
      ONCE, "建议:重大行政决策程序规定"),
    r(12, "重大行政决策事项目录每年报县市区政府备案并向社会公开",
      "实行重大行政决策事项目录管理制度,目录每年报县市区政府备案,并向社会公开",
      YEARLY, "建议:决策事项目录、备案材料、公开网页截图"),
    r(12, "重大行政决策进行廉洁性审查",
      "健全公众参与、专家论证、风险评估、合法性审查、廉洁性审查和集体讨论决定相结合的行政决策机制",
      EVENT, "建议:廉洁性审查意见"),
    r(12, "健全公众参与、专家论证等相结合的行政决策机制",
      "健全公众参与、专家论证、风险评估、合法性审查、廉洁性审查和集体讨论决定相结合的行政决策机制",
      ONGOING, "建议:重大行政决策程序规定、决策档案", no=12),
    r(12, "重大决策向社会公开征求意见,反馈采纳情况及理由",
      "涉及重大公共利益和人民群众切身利益的决策要向社会公开征求意见,并以适当方式反馈意见采纳情况及理由",
      EVENT, "建议:征求意见公告、意见采纳情况反馈"),
    r(12, "应当听证的决策事项组织听证,形成听证报告",
      "凡法律、法规、规章规定应当听证以及涉及重大公共利益和群众切身利益的决策事项,都要组织听证,并形成听证报告",
      EVENT, "听证报告"),
    r(12, "专业性、技术性强的重大决策请第三方论证",
      "对专业性、技术性较强的重大行政决策,应当邀请或委托高等院校、专业机构、专家学者等第三方对决策进行论证",
      EVENT, "建议:专家论证意见"),
    r(12, "重大行政决策进行社会稳定、环境、经济等风险评估",
      "加强重大行政决策风险评估,重点进行社会稳定、环境、经济等方面的风险评估",
      EVENT, "建议:风险评估报告"),
    r(12, "重大行政决策经合法性审查,未经审查不得决策",
      "建立重大行政决策合法性审查制度,未经合法性审查或者经审查不合法的,不得作出决策",
      EVENT, "建议:合法性审查意见书"),
    r(12, "重大行政决策经负责人集体讨论决定",
      "重大行政决策应当经乡镇政府、街道办事处负责人集体讨论决定",
      EVENT, "建议:集体讨论的会议纪要"),
    r(12, "每项重大行政决策形成全面系统的决策档案",
      "所有重大行政决策要形成全面系统的决策档案",
      EVENT, "决策档案"),
    r(12, "推行重大行政决策网上公开透明运行",
      "逐步推行重大行政决策网上公开透明运行",
      ONGOING, "建议:网上公开页面截图"),
    r(13, "每年选取1~2件重大行政决策进行重点评估",
      "乡镇、街道每年要选取1~2件影响区域经济社会发展或者直接关系民生的重大行政决策进行重点评估",
      YEARLY, "建议:决策评估报告、继续实施或调整的决定", target="1~2", unit="件"),
    r(14, "落实重大决策终身责任追究和责任倒查",
      "对因违反决策程序造成决策严重失误或者依法应该及时作出决策但久拖不决造成重大损失、恶劣影响的,严格追究乡镇、街道主要领导及负有责任的其他领导人员和相关责任人员的法律责任",
      EVENT, "建议:责任追究制度文件、追责记录"),
    # (五)加强和改进行政执法工作
    r(15, "依法将可委托的行政执法职权委托给乡镇、街道",
      "县市区行政执法机关可以依法将行政执法职权委托给乡镇政府、街道办事处",
      EVENT, "建议:委托决定", lead="县市区行政执法机关"),
    r(15, "签订书面委托执法协议,报法制机构备案并对外公布",
      "应当签订书面委托执法协议,明确委托事项、权限、期限、双方权利义务、法律责任等内容,报县市区政府法制机构备案并对外公布",
      EVENT, "书面委托执法协议", lead="县市区行政执法机关", part=T),
    r(15, "委托书对外公开,行政执法事项向社会公布",
      "委托书应对外公开,行政执法事项应向社会公布",
      EVENT, "建议:委托书及执法事项公开网页截图"),
    r(15, "按法定程序、用委托机关文书、在委托权限内执法",
      "乡镇政府、街道办事处应严格按照法定程序,使用委托行政机关的法律文书,在受委托权限范围内从事行政执法活动",
      ONGOING, "建议:执法案卷"),
    r(15, "定期向委托行政机关报告行政执法情况",
      "建立行政执法情况报告制度,定期向委托行政机关报告行政执法情况",
      YEARLY, "建议:行政执法情况报告"),
    r(15, "对乡镇、街道执法进行业务指导、监督和培训",
      "委托行政机关应定期对乡镇政府、街道办事处的行政执法活动进行业务指导和监督,加强对乡镇、街道行政执法人员的法律知识和业务能力培训",
      YEARLY, "建议:指导、监督和培训记录", lead="委托行政机关"),
    r(16, "编制权力清单,经法制机构审核后向社会公布",
      "乡镇政府、街道办事处要认真编制权力清单,梳理行政执法依据,明确执法事项、机构、岗位、人员和责任,经县市区政府法制机构审核后,向社会公布",
      ONCE, "权力清单、审核意见、公布网页截图"),
    r(16, "落实执法责任制,规范裁量权,健全案卷评查和考核评议",
      "要全面落实行政执法责任制,合理配置一线执法力量,规范行政执法自由裁量权,健全执法案卷评查和执法考核评议制度",
      ONGOING, "建议:执法责任制文件、裁量基准、案卷评查记录"),
    r(16, "执行罚缴分离,不下达罚没款指标",
      "严格执行罚没款罚缴分离的管理制度,严禁下达或者变相下达罚没款指标,或者将罚没款与工作经费、福利待遇相挂钩",
      ONGOING, "建议:罚没款缴库凭证"),
    r(16, "重大执法决定经法制审核和集体讨论",
      "严格执行重大执法决定法制审核和集体讨论制度,未经法制审核和集体讨论或者审核、讨论未通过的,不得作出决定",
      EVENT, "建议:法制审核意见、集体讨论记录"),
    r(16, "推行说理式执法等柔性执法方式",
      "改进行政执法方式,深入推行全程说理式执法、行政监管劝勉、执法事项提示、轻微问题告诫、突出问题约谈、重大问题回访等柔性行政行为",
      ONGOING, "建议:执法文书、约谈和回访记录"),
    r(17, "与县市区执法机关建立执法协作配合机制",
      "可通过召开执法联席会议、成立执法协调小组等方式,加强乡镇政府、街道办事处与县市区行政执法机关之间的协作配合",
      ONGOING, "建议:执法联席会议纪要", part="县市区行政执法机关"),
    r(17, "探索镇域综合执法体制改革",
      "积极探索镇域综合执法体制改革,完善行政管理体制改革试点镇综合执法改革",
      ONGOING, "建议:综合执法改革方案"),
    r(17, "有条件的可成立联合执法办公室",
      "有条件的乡镇、街道可成立联合执法办公室",
      ONCE, "建议:成立联合执法办公室的文件"),
    r(18, "充实执法队伍,执法人员须取得执法资格",
      "严格行政执法人员资格管理,未取得行政执法资格的人员不得从事行政执法活动,协助行政执法的人员必须按照规定从事行政执法的辅助性工作",
      ONGOING, "建议:执法人员及执法证件台账"),
    r(18, "建立新任执法人员岗前培训和知识更新培训制度",
      "建立新任行政执法人员岗前培训制度和行政执法人员法律知识更新培训制度",
      ONCE, "建议:培训制度文件"),
    r(18, "每年组织执法人员参加公共法律知识培训不少于6天",
      "每年组织行政执法人员参加不少于6天的公共法律知识培训",
      YEARLY, "建议:培训通知、签到表、培训证明", target="6", unit="天", measure=LOGGED),
    r(18, "每年组织执法人员参加专门法律知识培训不少于9天",
      "不少于9天的专门法律知识培训",
      YEARLY, "建议:培训通知、签到表、培训证明", target="9", unit="天", measure=LOGGED),
    r(18, "丰富和创新执法人员培训形式",
      "不断丰富和创新培训形式",
      ONGOING, "建议:案例评析、现场观摩、执法研讨等培训记录", no=6),
    r(19, "赋予试点镇县级经济社会管理权限",
      "县市区政府赋予行政管理体制改革试点镇县级经济社会管理权限",
      ONGOING, "建议:赋权文件", lead=COUNTY),
    r(19, "及时向社会公布试点镇经济社会管理权限目录",
      "赋予行政管理体制改革试点镇的经济社会管理权限目录应及时向社会公布",
      ONCE, "建议:权限目录及公布网页截图", lead=PILOT),
    r(19, "试点镇建立健全综合执法和集中审批机制",
      "行政管理体制改革试点镇要建立健全综合执法和集中审批机制",
      ONCE, "建议:综合执法机构和便民服务机构设立文件", lead=PILOT),
    r(19, "优化试点镇综合执法机构,规范执法,网上公开运行",
      "优化行政管理体制改革试点镇综合执法机构设置,充实执法力量,增强执法装备,规范执法案卷文书,严格按照法定程序履行执法职责,加强行政执法监督,积极推进行政权力网上公开透明运行",
      ONGOING, "建议:执法案卷、网上公开页面截图", lead=PILOT),
    r(19, "与县市区法制机构、执法机关建立联席会议制度",
      "县市区政府法制机构、行政执法机关与行政管理体制改革试点镇政府要建立联席会议制度",
      ONGOING, "建议:联席会议纪要", lead="县市区政府法制机构、行政执法机关",
      part="行政管理体制改革试点镇政府"),
    # (六)依法化解社会矛盾纠纷
    r(20, "建立矛盾纠纷排查化解长效机制,全面排查化解",
      "建立“统一领导、分工负责,集中梳理、归口办理,责任明确、措施到位”的矛盾纠纷排查化解长效机制",
      ONGOING, "建议:矛盾纠纷排查化解台账"),
    r(20, "妥善处理突发性、群体性事件",
      "妥善处理突发性、群体性事件",
      EVENT, "建议:突发性、群体性事件处置记录", no=2),
    r(21, "建立矛盾纠纷调处机制,引导社会力量参与调处",
      "建立高效、便捷的乡镇、街道社会矛盾纠纷调处机制,运用法治理念和法治方式化解社会矛盾纠纷",
      ONGOING, "建议:调处工作制度、调处台账"),
    r(21, "探索建立个性化的村(社区)调解工作室(站)",
      "探索建立个性化的村(社区)调解工作室(站)",
      ONCE, "建议:调解工作室(站)设立文件、照片", no=4),
    r(21, "加强人民调解组织建设,健全三调联动机制",
      "继续加强村(社区)人民调解组织建设,健全人民调解、行政调解、司法调解三调联动衔接机制",
      ONGOING, "建议:调解组织名册、调解台账"),
    r(21, "加强信访工作,依法处理涉法涉诉信访",
      "加强信访工作基础建设,健全信访工作网络,优化信访工作机制,依法处理涉法涉诉信访问题",
      ONGOING, "建议:信访台账"),
    # (七)健全权力运行制约和监督机制
    r(22, "主动接受人大、政协监督,依法接受司法和复议监督",
      "乡镇政府、街道办事处要主动接受人大监督、政协民主监督,依法接受司法监督和复议监督",
      ONGOING, "建议:人大代表建议和政协提案办理材料"),
    r(22, "做好复议答复和应诉,负责人出庭应诉,履行生效决定和裁判",
      "做好行政复议答复和行政诉讼应诉工作,深入推行乡镇政府、街道办事处负责人参加行政复议听证会和出庭应诉制度,自觉履行行政复议决定以及人民法院作出的生效判决和裁定",
      EVENT, "建议:复议答复书、答辩状、负责人出庭应诉记录、履行情况说明"),
    r(22, "依法受理对乡镇、街道行为不服的复议申请",
      "县市区政府要依法受理对乡镇政府、街道办事处具体行政行为不服的行政复议申请,及时纠正违法或者不当行政行为",
      EVENT, "建议:复议决定书", lead=COUNTY),
    r(22, "接受群众和舆论监督,及时回应处理反映的问题",
      "进一步畅通监督渠道,自觉接受人民群众和社会舆论监督,对人民群众或者新闻媒体反映的问题及时作出回应和处理",
      EVENT, "建议:问题回应和处理记录"),
    r(22, "配合审计、监察等专门监督,落实整改",
      "充分发挥审计、监察等专门监督的作用",
      ONGOING, "建议:审计报告、监察建议及整改材料", no=5),
    r(23, "建立乡镇绩效评估指标体系,控制“一票否决”事项",
      "建立科学合理的乡镇、街道绩效评估指标体系,不属于乡镇、街道职能的事项不得列入考核范围,严格控制针对乡镇、街道的“一票否决”事项",
      ONGOING, "建议:绩效评估指标文件", lead=COUNTY),
    r(23, "完善目标管理、绩效考评等绩效管理机制",
      "完善目标管理、过程监控、绩效考评、结果运用等乡镇、街道绩效管理工作机制",
      ONGOING, "建议:绩效管理办法、考评结果"),
    r(23, "加大行政问责,严肃追究违法行政责任",
      "加大行政问责力度,坚持有错必纠、有责必问,对滥用职权、失职渎职、违法行政等行为,严肃追究主要责任人和直接责任人的责任",
      EVENT, "建议:问责决定"),
    r(24, "健全政务公开制度,推进政策、办事、流程公开",
      "健全乡镇政府、街道办事处政务公开工作制度,全面推进政策公开、办事公开、流程公开",
      ONGOING, "建议:政务公开制度、公开栏或网站截图"),
    r(24, "加大预算、重大决策等重点领域信息公开力度",
      "加大乡镇政府和街道办事处预算、重大行政决策、重大建设项目批准和实施、社会公益事业建设等重点领域、重大事项的信息以及征地拆迁等涉及群众切身利益的政策文件的公开力度",
      ONGOING, "建议:预算、决策等重点领域信息公开记录"),
    r(24, "制定主动公开指南和公开目录,及时准确公开信息",
      "制定主动公开指南和公开目录,按照规定的程序和方式,及时准确地公开政府信息",
      ONCE, "主动公开指南、公开目录"),
    r(24, "推进政府信息公开信息化,便于群众查阅获取",
      "推进政府信息公开信息化,为群众查阅、获取政府信息提供便利条件",
      ONGOING, "建议:政府信息公开网站或平台页面截图", no=4),
    # 三、保障措施
    r(25, "把乡镇依法行政作为基础性工作,加强组织领导和督查",
      "县市区政府要把加强乡镇政府、街道办事处依法行政作为一项基础性、全局性工作,加大推进力度,切实加强组织领导和督促检查",
      ONGOING, "建议:部署和督查文件", lead=COUNTY),
    r(25, "建立乡镇依法行政评议考核机制,分类制定考核指标",
      "建立科学合理的依法行政评议考核机制,区分乡镇、街道类别,制定相应的考核指标,扩大公众评议分量",
      YEARLY, "建议:考核办法和考核指标", lead=COUNTY),
    r(25, "依法行政考核结果占绩效考核比例不少于15%",
      "依法行政考核结果纳入地方绩效考核指标体系,所占比例不少于15%",
      YEARLY, "建议:绩效考核指标体系文件", lead=COUNTY, target="15", unit="%"),
    r(26, "指导督查乡镇依法行政,建立依法行政工作例会制度",
      "县市区政府法制机构要加强对乡镇政府、街道办事处依法行政工作的指导和督查,建立乡镇、街道依法行政工作例会制度",
      ONGOING, "建议:例会纪要", lead=COUNTY_FZ),
    r(26, "定期督查,开展案卷评查、执法检查和法制人员培训",
      "定期对乡镇政府、街道办事处依法行政情况进行督查,开展执法案卷评查、专项执法检查等活动,组织乡镇法制工作人员进行上岗培训、跟班学习、更新培训和轮训集训",
      YEARLY, "建议:督查通报、评查结果、培训记录", lead=COUNTY_FZ),
    r(27, "成立主要领导任组长的依法行政领导小组",
      "乡镇政府、街道办事处要建立以主要领导为组长、分管领导为副组长的依法行政领导小组",
      ONCE, "建议:成立领导小组的文件"),
    r(27, "主要负责人履行依法行政第一责任人职责,定期研究部署",
      "乡镇政府、街道办事处主要负责人要切实担负起依法行政第一责任人的责任,把加强依法行政工作摆上重要议事日程",
      ONGOING, "建议:研究部署依法行政工作的会议纪要", lead="乡镇政府、街道办事处主要负责人"),
    r(27, "制定依法行政长期规划",
      "科学制定长期规划和年度计划",
      ONCE, "建议:依法行政长期规划"),
    r(27, "制定依法行政年度计划",
      "科学制定长期规划和年度计划",
      YEARLY, "建议:依法行政年度工作计划"),
    r(27, "建立健全依法行政工作配套制度",
      "建立健全乡镇政府、街道办事处依法行政工作配套制度",
      ONCE, "建议:依法行政配套制度汇编"),
    r(27, "定期向县市区政府书面报告依法行政进展情况",
      "定期向县市区政府书面报告推进依法行政的进展情况、主要成效、突出问题和下一步工作安排",
      YEARLY, "依法行政工作书面报告"),
    r(28, "挂牌设立法制办公室,明确职责,保障经费、场所和设施",
      "乡镇政府、街道办事处采用挂牌的方式设立法制办公室,明确工作职责,经费、场所和设施等都有保障",
      ONCE, "建议:设立文件、挂牌照片、职责分工"),
    r(28, "法制办组织、协调和推进本乡镇、街道依法行政",
      "乡镇、街道法制办主要承担乡镇、街道依法行政的组织、协调和推进",
      ONGOING, "建议:法制办工作计划、工作总结", lead=FZB, no=8),
    r(28, "法制办对重大行政决策进行合法性审查",
      "乡镇、街道重大行政决策的合法性审查",
      EVENT, "建议:重大行政决策合法性审查意见书", lead=FZB, no=9),
    r(28, "法制办负责规范性文件的审查备案",
      "规范性文件的审查备案",
      EVENT, "建议:规范性文件审查意见、备案材料", lead=FZB, no=10),
    r(28, "法制办审核对外签订的合同和作出的具体行政行为",
      "审核以乡镇政府、街道办事处名义对外签订的合同,以乡镇政府、街道办事处名义作出的具体行政行为",
      EVENT, "建议:合同和行政行为的审核意见", lead=FZB),
    r(28, "法制办组织开展执法案卷评查、执法考核评议",
      "组织开展执法案卷评查、执法考核评议",
      YEARLY, "建议:案卷评查记录、执法考核评议结果", lead=FZB, no=11),
    r(28, "法制办承办本级为被申请人或被告的行政复议、诉讼案件",
      "承办以乡镇政府、街道办事处为被申请人或者被告的行政复议、行政诉讼案件",
      EVENT, "建议:复议答复书、答辩状、案件卷宗", lead=FZB, no=12),
    r(28, "法制办参与处理重大复杂的法律事务",
      "参与处理乡镇政府、街道办事处重大复杂的法律事务",
      EVENT, "建议:法律事务处理意见、会议记录", lead=FZB, no=13),
    r(28, "法制办负责行政调解的组织协调、业务指导和统计分析",
      "负责行政调解的组织协调、业务指导和统计分析",
      ONGOING, "建议:行政调解台账、业务指导记录、统计分析材料", lead=FZB, no=14),
    r(28, "建立并落实法制办负责人列席重要办公会议制度",
      "建立并落实法制办负责人列席乡镇、街道重要办公会议制度",
      ONGOING, "建议:会议通知、列席记录"),
    r(28, "试点镇、区政合一的镇明确2名以上人员负责法制工作",
      "行政管理体制改革试点镇、区政合一的镇应当明确2名以上工作人员负责法制工作",
      ONGOING, "建议:法制工作人员分工文件", lead="行政管理体制改革试点镇、区政合一的镇",
      target="2", unit="名"),
    r(28, "其他乡镇明确1~2名人员负责法制工作",
      "其他乡镇应当明确1~2名工作人员负责",
      ONGOING, "建议:法制工作人员分工文件", lead="其他乡镇", target="1~2", unit="名"),
    r(28, "街道办事处明确1名以上人员负责法制工作",
      "街道办事处应当明确1名以上工作人员负责",
      ONGOING, "建议:法制工作人员分工文件", lead="街道办事处", target="1", unit="名"),
    r(28, "提高法制工作人员中法律专业人员比重,保持稳定",
      "并增加工作人员中具有法律专业人员的比重,保持人员的相对稳定性",
      ONGOING, "建议:法制工作人员名册及学历、资格证明"),
    r(29, "选聘律师、专家担任法律顾问",
      "选聘政治素质较好、业务能力突出的律师、专家等法律专业人才担任乡镇政府、街道办事处法律顾问",
      ONGOING, "建议:法律顾问聘用合同"),
    r(29, "考核法律顾问,建立法律顾问履职档案",
      "加大对法律顾问的考核,建立法律顾问履职档案",
      YEARLY, "履职档案、考核结果"),
    r(29, "定期向县市区法制机构报备顾问考核结果和履职情况",
      "定期将考核结果和履职情况向县市区政府法制机构报备",
      YEARLY, "建议:报备材料"),
    r(29, "法律顾问参与重大决策、合同等的合法性审核",
      "积极鼓励法律顾问参与重大决策、重要规范性文件、重大合同以及重大行政执法案件的合法性审核",
      EVENT, "建议:法律顾问审核意见"),
    r(30, "开展法治宣传教育,创新普法方式,推进法治文化建设",
      "要重视和加强乡镇、街道法治宣传教育工作,大力弘扬社会主义法治精神,创新普法方式,利用各种形式、各种载体推进法治文化建设",
      ONGOING, "建议:普法计划、活动记录和照片"),
]

CHAPTER_RE = re.compile(r"^[一二三四五六七八九十]+、")
SECTION_RE = re.compile(r"^\([一二三四五六七八九十]+\)")
ARTICLE_RE = re.compile(r"^(\d{1,2})\.(.+?)。?$")


@dataclass(frozen=True)
class Heading:
    chapter: str
    section: str
    title: str


def read_headings(lines: list[str]) -> dict[int, Heading]:
    """Chapter, section and title of each numbered article, verbatim from the source."""
    chapter = section = ""
    out: dict[int, Heading] = {}
    for line in lines:
        if CHAPTER_RE.match(line):
            chapter, section = line.rstrip("。"), ""
        elif SECTION_RE.match(line):
            section = line.rstrip("。")
        else:
            m = ARTICLE_RE.match(line)
            if m:
                n = int(m.group(1))
                assert n not in out and n == len(out) + 1, f"article {n} out of order"
                out[n] = Heading(chapter, section, m.group(2))
    return out


def _township(units: str) -> bool:
    return "镇" in units or "街道" in units


def applies(lead: str, part: str) -> bool:
    """适用乡镇: a township actor (乡镇, 街道, 镇) among the lead or participating units."""
    return _township(lead) or _township(part)


def role(lead: str, part: str) -> TownshipRole:
    """乡镇角色: 牵头 when the sentence's actor is the township, 参加 when it joins a county body, else 仅供了解."""
    if _township(lead):
        return TownshipRole.LEAD
    return TownshipRole.TAKE_PART if _township(part) else TownshipRole.INFO


def load_trace_module():
    """tools/trace.py (loaded by path: the standard library has a module named trace)."""
    import importlib.util

    name = "fazhi_trace"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "trace.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod  # dataclasses look their module up
        spec.loader.exec_module(mod)
    return sys.modules[name]


def passages(code: str, text: str, phrases: dict[str, str]) -> dict[str, str]:
    """item id -> 原文: the whole sentences the trace table assigns to it; each phrase must lie inside."""
    tr = load_trace_module()
    trace = tr.read_trace(tr.TRACE_DIR / f"{code}.tsv", code)
    got = tr.item_passages(trace, text)
    out: dict[str, str] = {}
    for item_id, phrase in phrases.items():
        p = got.get(item_id)
        assert p is not None, f"{item_id}: no sentences traced to it, or they do not follow one another"
        assert phrase in p, f"{item_id}: {phrase!r} not in the sentences traced to it: {p[:40]!r}"
        out[item_id] = p
    return out


def build() -> Catalogue:
    import dataclasses
    import datetime as dt

    text = SOURCE.read_text("utf-8")
    lines = text.splitlines()
    heads = read_headings(lines)
    assert sorted(heads) == list(range(1, 31)), sorted(heads)
    items: list[Item] = []
    counts: dict[int, int] = {}
    seen_ids: set[str] = set()
    last_art = 0
    for row in ROWS:
        assert row.article >= last_art, f"row for article {row.article} out of order"
        last_art = row.article
        assert any(row.passage in ln for ln in lines), f"passage not in one source line: {row.passage}"
        assert len(row.requirement) <= 40, f"requirement too long: {row.requirement}"
        assert row.evidence, row.requirement
        if row.no:
            n = row.no  # added later: a new number after the article's existing ones
        else:
            n = counts[row.article] = counts.get(row.article, 0) + 1
        item_id = f"{CODE}-{row.article:02d}-{n:02d}"
        assert item_id not in seen_ids, f"duplicate id {item_id}"
        seen_ids.add(item_id)
        h = heads[row.article]
        target, target_max = parse_target(row.target) if row.target else (None, None)
        assert bool(row.target) == bool(row.unit), row.requirement
        items.append(
            Item(
                item_id=item_id,
                doc_code=CODE,
                chapter=h.chapter,
                section=h.section,
                article_no=row.article,
                article_title=h.title,
                requirement=row.requirement,
                source_passage=row.passage,
                lead_units=row.lead,
                participating_units=row.part,
                applies_to_township=applies(row.lead, row.part),
                township_role=role(row.lead, row.part),
                cycle=Cycle.parse(row.cycle),
                target=target,
                target_max=target_max,
                unit=row.unit,
                deadline=None,  # the Suzhou text gives no dates
                evidence_hint=row.evidence,
                measure=row.measure,
            )
        )
    whole = passages(CODE, text, {i.item_id: i.source_passage for i in items})
    items = [dataclasses.replace(i, source_passage=whole[i.item_id]) for i in items]
    missing = sorted(set(heads) - set(counts))
    assert not missing, f"articles without items: {missing}"
    doc = SourceDocument(
        code=CODE,
        title="苏州市政府关于进一步加强乡镇政府、街道办事处依法行政工作的意见",
        doc_number="苏府〔2015〕12号",
        issuer="苏州市人民政府",
        date=dt.date(2015, 2, 1),
        version="1.4",
        source_text=f"{CODE}.txt",
        notes=tuple(NOTES),
    )
    return Catalogue(document=doc, items=tuple(items))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only compare with the committed JSON")
    args = ap.parse_args(argv)
    cat = build()
    out = dump_catalogue_json(cat)
    if args.check:
        if not OUT.is_file() or OUT.read_text("utf-8") != out:
            print(f"out of date: {OUT.relative_to(ROOT)}", file=sys.stderr)
            return 1
        return 0
    write_catalogue_json(cat, OUT)  # canonical: checks it reads back the same
    n_app = sum(i.applies_to_township for i in cat.items)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(cat.items)} items, {n_app} apply to townships")
    return 0


if __name__ == "__main__":
    sys.exit(main())
