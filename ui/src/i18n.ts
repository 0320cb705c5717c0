/** The dashboard speaks Chinese first (zh-CN) with an English switch, remembered per browser. */
export type Lang = 'zh' | 'en';

const KEY = 'eg.lang';

/** The chosen language: zh unless the user switched to English. */
export function lang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
}

/** Switches the language and reloads the page in it. */
export function setLang(l: Lang): void {
  localStorage.setItem(KEY, l);
  location.reload();
}

const EN: Record<string, string> = {
  总览: 'Overview',
  实时通行: 'Live entries',
  一户一档: 'Households',
  设备: 'Devices',
  告警: 'Alerts',
  审计: 'Audit',
  用户: 'Users',
  配置: 'Configuration',
  退出: 'Log out',
  登录: 'Log in',
  用户名: 'User name',
  密码: 'Password',
  物业管理平台: 'Property operator dashboard',
  今日进入: 'Entries in today',
  今日外出: 'Exits today',
  今日拒绝: 'Denied today',
  未处理告警: 'Open alerts',
  设备在线: 'Devices online',
  离线: 'offline',
  未知: 'unknown',
  近24小时通行: 'Entries per hour, last 24 h',
  进: 'In',
  出: 'Out',
  按类型: 'Open alerts by kind',
  最新发现: 'Newest findings',
  时间: 'Time',
  门: 'Door',
  方向: 'Direction',
  凭证: 'Credential',
  结果: 'Decision',
  原因: 'Reason',
  住户: 'Resident',
  房屋: 'Household',
  抓拍: 'Photo',
  楼栋: 'Building',
  全部: 'All',
  放行: 'Granted',
  拒绝: 'Denied',
  已连接: 'Connected',
  连接中: 'Connecting…',
  暂无数据: 'Nothing yet',
  房号: 'Room',
  姓名: 'Name',
  查询: 'Search',
  类型: 'Type',
  状态: 'Status',
  承租人: 'Leaseholder',
  在住人数: 'Residents',
  租约: 'Lease',
  成员: 'Members',
  角色: 'Role',
  身份证: 'ID number',
  电话: 'Phone',
  有效期: 'Valid',
  近期通行: 'Recent entries',
  相关告警: 'Alerts',
  姓名已脱敏: 'Names are masked for viewer accounts',
  读头: 'Reader',
  驱动: 'Driver',
  在线: 'online',
  最后活动: 'Last seen',
  固件: 'Firmware',
  时钟偏差: 'Clock offset',
  计数: 'Counters',
  指纹库已同步: 'fingerprints synced',
  指纹库部分同步: 'fingerprints partly synced',
  指纹库同步失败: 'fingerprint sync failed',
  指纹库待同步: 'fingerprint sync waiting',
  页被拒: 'pages refused',
  页无模板: 'pages without template',
  级别: 'Severity',
  次数: 'Count',
  首次: 'First',
  最近: 'Last',
  证据: 'Evidence',
  分数: 'Score',
  加载更多: 'More',
  操作者: 'Actor',
  动作: 'Action',
  对象: 'Target',
  地址: 'Address',
  新增用户: 'Add user',
  停用: 'Disable',
  启用: 'Enable',
  重置密码: 'Reset password',
  新密码仅显示一次: 'New password (shown once)',
  留空自动生成: 'empty: generated',
  已停用: 'disabled',
  最后登录: 'Last login',
  返回: 'Back',
  查看员: 'viewer',
  操作员: 'operator',
  管理员: 'admin',
  进入: 'in',
  外出: 'out',
  条: 'items',
  告警详情: 'Alert',
  暂无权限: 'Not allowed for your role',
  请求失败: 'Request failed',
  页面不存在: 'No such page',
  修改密码: 'Change password',
  当前密码: 'Current password',
  新密码: 'New password',
  再次输入: 'Repeat it',
  两次输入不一致: 'The two passwords differ',
  密码已修改: 'Password changed; other browsers were logged out',
  // The ledger, visitors, patrols and the monthly report (issue 5, second pass).
  台账: 'Ledger',
  访客: 'Visitors',
  月报: 'Monthly report',
  案件: 'Case',
  台账案件: 'Ledger cases',
  编号: 'No.',
  来源: 'Source',
  发现时间: 'Found',
  已历时: 'Age',
  整改期限: 'Deadline',
  摘要: 'Summary',
  逾期: 'Overdue',
  天: 'd',
  小时: 'h',
  分钟: 'min',
  剩余: 'left',
  超期: 'overdue by',
  件整改期限已过: 'case(s) past the rectification deadline',
  件即将到期: 'case(s) due within',
  案件信息: 'Case',
  模式开始: 'Pattern began',
  最近更新: 'Last update',
  关联告警: 'Alert',
  处置: 'Actions',
  处置记录: 'Timeline',
  证据链: 'Evidence chain',
  操作审计: 'Audit trail',
  处置说明: 'Note (required)',
  确认: 'Confirm',
  取消: 'Cancel',
  下载移交材料: 'Download the hand-over package',
  移交材料已下载: 'Hand-over package downloaded',
  查看员只读: 'Viewers see the ledger; operators act on it.',
  已完成: 'Done',
  整改期限至: 'Rectify by',
  涉及人员: 'Persons involved',
  人员: 'Person',
  天数: 'Days',
  缺勤: 'Absence',
  最后核验: 'Last verified entry',
  工作日未归: 'Working days absent',
  登记人数: 'Registered',
  近期出入人数: 'Seen members',
  关联外来人员: 'Tied outsiders',
  被借用凭证: 'Credentials used by others',
  重复访客: 'Repeated visitors',
  通行证数: 'Passes',
  出现次数: 'Sightings',
  统计天数: 'Window (days)',
  举报渠道: 'Channel',
  收到时间: 'Received',
  举报内容: 'Content',
  巡查日期: 'Patrol date',
  巡查人: 'Inspector',
  照片: 'Photo',
  备注: 'Note',
  通行记录: 'Entries',
  暂无证据: 'No evidence recorded',
  登记通行证: 'Register a pass',
  登记访客: 'Register a visitor',
  访客通行证: 'Visitor passes',
  当前有效通行证: 'Current passes',
  含已失效: 'Include ended passes',
  被访房屋: 'Household visited',
  房屋编号: 'Household ID',
  身份证号: 'ID number',
  手机号: 'Phone',
  卡号: 'Card UID',
  人脸终端编号: 'Face terminal person ID',
  生成二维码: 'Issue a QR code',
  生效时间: 'Valid from',
  失效时间: 'Valid to',
  今日内: 'Today',
  三天: '3 days',
  七天: '7 days',
  三十天: '30 days',
  登记: 'Register',
  撤销: 'Revoke',
  确认撤销: 'Confirm revoke',
  已撤销: 'revoked',
  已过期: 'expired',
  未生效: 'not yet valid',
  有效: 'valid',
  登记人: 'Registered by',
  未匹配到房屋: 'No such household',
  已匹配: 'Matched',
  需填写被访房屋: 'A visitor pass needs the household visited',
  需至少一种识别方式:
    'Give at least one way to recognise the holder: ID number, card, QR code or face terminal ID',
  已登记: 'Registered',
  二维码: 'QR code',
  人脸: 'Face',
  巡查记录: 'Patrol visits',
  记录巡查: 'Record a patrol visit',
  巡查结果: 'Result',
  违规类型: 'Violation',
  照片编号: 'Photo reference',
  登记举报投诉: 'Register a tip or complaint',
  举报类型: 'Kind',
  已立案: 'Case opened',
  已记录: 'Recorded',
  月份: 'Month',
  导出CSV: 'Export CSV',
  打印: 'Print / PDF',
  巡查次数: 'Patrols',
  巡查户数: 'Households visited',
  巡查天数: 'Patrol days',
  发现问题: 'Findings',
  本月立案: 'Opened',
  本月结案: 'Closed',
  整改完成: 'Rectified',
  本月逾期: 'Went overdue',
  移交城管: 'Handed over',
  月末未结: 'Open at month end',
  按类型发现: 'Findings by kind',
  巡查结果分布: 'Patrol results',
  案件处置: 'Case movement',
  按楼栋发现: 'Findings by building',
  涉及房屋: 'Households concerned',
  月末状态: 'State at month end',
  巡查人员: 'Inspectors',
  保障性住房使用管理月报: 'Monthly report on the use of affordable housing',
  统计期间: 'Period',
  制表人: 'Prepared by',
  审核人: 'Checked by',
  日期: 'Date',
  本月无数据: 'Nothing recorded this month',
};

/** Translates a Chinese UI string to the chosen language (the Chinese is the key). */
export function t(zh: string): string {
  return lang() === 'en' ? (EN[zh] ?? zh) : zh;
}

/** English names of alert kinds and reason codes (the server sends the Chinese labels). */
const CODES_EN: Record<string, string> = {
  stranger: 'Stranger',
  unknown_card: 'Unknown card',
  inactive_resident: 'Moved-out or suspended resident',
  wrong_building: 'Wrong building',
  person_card_mismatch: 'Person–card mismatch',
  credential_shared: 'Credential shared',
  leaseholder_absent: 'Leaseholder absent',
  suspected_sublet: 'Suspected sublet',
  overcrowding: 'Overcrowding',
  device_offline: 'Device offline',
  door_forced: 'Door forced',
  door_held_open: 'Door held open',
  stranger_recurrent: 'Recurrent stranger',
  other: 'Other violation',
  visitor_pass: 'Visitor pass',
  courier_pass: 'Courier registration',
  staff_pass: 'Staff registration',
  ok: 'Checked',
  exit: 'Exit',
  monitor: 'Monitor mode',
  unknown_person: 'Face not registered',
  unknown_idcard: 'ID card not registered',
  unknown_fingerprint: 'Fingerprint not registered',
  unknown_qrcode: 'Invalid QR code',
  low_score: 'Score too low',
  no_liveness: 'Liveness failed',
  lease_expired: 'Lease expired',
  household_inactive: 'Household not let',
  stale: 'Stale, not answered',
  offline: 'Replayed offline',
};

/** The label of a code: the server's Chinese label, or its English name in English. */
export function codeLabel(code: string, zhLabel: string): string {
  return lang() === 'en' ? (CODES_EN[code] ?? code) : zhLabel;
}

/** Date and time in the estate's zone (Asia/Shanghai), 24 h. */
export function fmtTime(iso: string | null, withDate = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const o: Intl.DateTimeFormatOptions = {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  };
  if (withDate) Object.assign(o, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'zh-CN', o).format(d);
}

const CRED: Record<string, [string, string]> = {
  face: ['人脸', 'Face'],
  card: ['IC卡', 'Card'],
  idcard: ['身份证', 'ID card'],
  fingerprint: ['指纹', 'Fingerprint'],
  qrcode: ['二维码', 'QR code'],
};

/** The name of a credential kind. */
export function credLabel(kind: string): string {
  const c = CRED[kind];
  return c ? c[lang() === 'en' ? 1 : 0] : kind;
}

/** Chinese labels of reason codes where the server sent only the code (alert evidence). */
const REASONS_ZH: Record<string, string> = {
  ok: '核验通过',
  exit: '出门放行',
  monitor: '监测模式放行',
  stranger: '陌生人',
  unknown_person: '人脸未登记',
  unknown_card: '卡片未登记',
  unknown_idcard: '身份证未登记',
  unknown_fingerprint: '指纹未登记',
  unknown_qrcode: '二维码无效',
  invalid_id_number: '身份证号校验失败',
  idcard_expired: '身份证已过期',
  low_score: '比对分数过低',
  no_liveness: '活体检测未通过',
  inactive_resident: '住户已迁出或停用',
  resident_not_yet_valid: '住户尚未生效',
  resident_expired: '住户有效期已过',
  household_inactive: '房屋非在租状态',
  lease_expired: '租约已到期',
  wrong_building: '非本楼住户',
  wrong_entrance: '非本单元住户',
  stale: '过时记录，未应答',
  offline: '离线补传',
  visitor_pass: '访客通行证',
  courier_pass: '快递外卖登记',
  staff_pass: '物业人员登记',
};

/** The label of a reason code in the chosen language. */
export function reasonLabel(code: string): string {
  return codeLabel(code, REASONS_ZH[code] ?? code);
}

const STATES: Record<string, [string, string]> = {
  active: ['在住', 'active'],
  vacant: ['空置', 'vacant'],
  terminated: ['已终止', 'terminated'],
  moved_out: ['已迁出', 'moved out'],
  suspended: ['停用', 'suspended'],
  open: ['待处理', 'open'],
  acknowledged: ['已确认', 'acknowledged'],
  closed: ['已关闭', 'closed'],
  critical: ['严重', 'critical'],
  warning: ['警告', 'warning'],
  info: ['提示', 'info'],
  ok: ['成功', 'ok'],
  failed: ['失败', 'failed'],
  refused: ['拒绝', 'refused'],
};

/**
 * The label of a status, alert state, severity or outcome code. An alert whose case moved
 * on carries the case's state (rectification_ordered, …): those read as the ledger says them.
 */
export function stateLabel(code: string): string {
  const s = STATES[code];
  return s ? s[lang() === 'en' ? 1 : 0] : ledgerLabel('state', code);
}

/** Chinese labels of alert kinds, for the kind filter (lists carry the server's label). */
const KINDS_ZH: Record<string, string> = {
  stranger: '陌生人通行',
  unknown_card: '未登记卡证',
  inactive_resident: '已迁出/停用住户通行',
  wrong_building: '非本楼住户通行',
  person_card_mismatch: '人证不符',
  credential_shared: '卡证借用',
  leaseholder_absent: '承租人长期未归',
  suspected_sublet: '疑似转租',
  overcrowding: '疑似群租',
  device_offline: '设备离线',
  door_forced: '门被强行打开',
  door_held_open: '门长时间未关',
  stranger_recurrent: '陌生人频繁出现',
  other: '其他违规',
};

/** Labels of codes the ledger pages show, [中文, English]. */
const LEDGER: Record<string, [string, string]> = {
  // Case states (the server sends the Chinese label too).
  'state.open': ['待核实', 'To verify'],
  'state.acknowledged': ['已核实', 'Acknowledged'],
  'state.dissuaded': ['已劝阻', 'Dissuaded'],
  'state.rectification_ordered': ['限期整改', 'Rectification ordered'],
  'state.rectified': ['已整改', 'Rectified'],
  'state.overdue': ['逾期未整改', 'Overdue'],
  'state.handed_over': ['已移交城管', 'Handed over to enforcement'],
  'state.closed': ['已结案', 'Closed'],
  // The moves, as the buttons say them.
  'move.acknowledged': ['核实确认', 'Acknowledge'],
  'move.dissuaded': ['劝阻', 'Dissuaded'],
  'move.rectification_ordered': ['限期整改', 'Order rectification'],
  'move.rectified': ['整改完成', 'Mark rectified'],
  'move.overdue': ['标记逾期', 'Mark overdue'],
  'move.handed_over': ['移交城管', 'Hand over to enforcement'],
  'move.closed': ['结案', 'Close'],
  'source.detector': ['系统发现', 'Detector'],
  'source.tip': ['举报投诉', 'Tip or complaint'],
  'source.patrol': ['巡查发现', 'Patrol'],
  'pass.visitor': ['访客', 'Visitor'],
  'pass.courier': ['快递外卖', 'Courier'],
  'pass.staff': ['物业人员', 'Staff'],
  'result.normal': ['正常', 'Normal'],
  'result.violation_found': ['发现违规', 'Violation found'],
  'result.nobody_home': ['无人在家', 'Nobody home'],
  'channel.phone': ['电话', 'Phone'],
  'channel.letter': ['信件', 'Letter'],
  'channel.online': ['网上', 'Online'],
  'channel.in_person': ['来访', 'In person'],
  'channel.other': ['其他', 'Other'],
};

/** The label of a ledger code: `ledgerLabel('state', 'overdue')` → 逾期未整改 / Overdue. */
export function ledgerLabel(group: string, code: string): string {
  const l = LEDGER[`${group}.${code}`];
  return l ? l[lang() === 'en' ? 1 : 0] : code;
}

/** The label of an alert kind in the chosen language. */
export function kindLabel(code: string): string {
  return codeLabel(code, KINDS_ZH[code] ?? code);
}
