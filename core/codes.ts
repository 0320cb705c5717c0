/**
 * The one table of codes (issue 8): every stable string the gateway stores, sends upstream or
 * shows — access reasons, alert kinds, case kinds and states, credential kinds, the roster's
 * housing types, statuses and roles, pass kinds, patrol results, tip channels — with its zh-CN
 * label (what the operator reads, what the CloudEvents carry) and its English label (the
 * dashboard's English switch). The server and the browser both import this module; the codes
 * themselves are union types derived from it, so a code that is not in the table does not
 * compile. The codes are stored: never rename one.
 *
 * This module imports nothing: it is bundled into the dashboard as it is.
 */

/** The dashboard's languages: zh-CN first, English on request. */
export type Lang = 'zh' | 'en';

/** A code's label in both languages. */
export interface Label {
  readonly zh: string;
  readonly en: string;
}

type Table = Readonly<Record<string, Label>>;

/** Why an access decision came out as it did, stored with every journal row. */
const reason = {
  ok: { zh: '核验通过', en: 'Checked' },
  exit: { zh: '出门放行', en: 'Exit' },
  monitor: { zh: '监测模式放行', en: 'Monitor mode' },
  stranger: { zh: '陌生人', en: 'Stranger' },
  unknown_person: { zh: '人脸未登记', en: 'Face not registered' },
  unknown_card: { zh: '卡片未登记', en: 'Card not registered' },
  unknown_idcard: { zh: '身份证未登记', en: 'ID card not registered' },
  unknown_fingerprint: { zh: '指纹未登记', en: 'Fingerprint not registered' },
  unknown_qrcode: { zh: '二维码无效', en: 'Invalid QR code' },
  invalid_id_number: { zh: '身份证号校验失败', en: 'ID number fails its check digit' },
  idcard_expired: { zh: '身份证已过期', en: 'ID card expired' },
  low_score: { zh: '比对分数过低', en: 'Score too low' },
  no_liveness: { zh: '活体检测未通过', en: 'Liveness failed' },
  inactive_resident: { zh: '住户已迁出或停用', en: 'Resident moved out or suspended' },
  resident_not_yet_valid: { zh: '住户尚未生效', en: 'Resident not yet valid' },
  resident_expired: { zh: '住户有效期已过', en: 'Resident no longer valid' },
  household_inactive: { zh: '房屋非在租状态', en: 'Household not let' },
  lease_expired: { zh: '租约已到期', en: 'Lease expired' },
  wrong_building: { zh: '非本楼住户', en: 'Not a resident of this building' },
  wrong_entrance: { zh: '非本单元住户', en: 'Not a resident of this entrance' },
  visitor_pass: { zh: '访客通行证', en: 'Visitor pass' },
  courier_pass: { zh: '快递外卖登记', en: 'Courier registration' },
  staff_pass: { zh: '物业人员登记', en: 'Staff registration' },
  stale: { zh: '过时记录，未应答', en: 'Stale, not answered' },
  offline: { zh: '离线补传', en: 'Replayed offline' },
  // The person–card check (issue 6): the Chinese labels are also what the terminal shows.
  idcard_required: {
    zh: '请再刷身份证完成人证核验',
    en: 'Present the ID card to complete the person–card check',
  },
  biometric_required: {
    zh: '请再刷脸或按指纹完成人证核验',
    en: 'Show the face or a finger to complete the person–card check',
  },
  two_factors_required: {
    zh: '此门需身份证加人脸或指纹',
    en: 'This door needs the ID card and a face or finger',
  },
  person_card_mismatch: { zh: '人证不符', en: 'Person–card mismatch' },
  // The door's policy while the journal cannot commit (issue 12): what overrode the decision.
  // store_fail_closed is also what the terminal shows (gateway/pipeline/reasons.ts).
  store_fail_closed: {
    zh: '系统存储故障，暂停通行，请联系物业',
    en: 'Storage failed: entry paused, please contact the property office',
  },
  store_fail_open: { zh: '存储故障，按策略放行', en: 'Storage failed: opened by the door’s policy' },
  // Door schedules (issue 13): the decision also records which schedule applied.
  passage: { zh: '常开时段', en: 'Passage hours' },
  outside_hours: { zh: '非开放时段', en: 'Outside opening hours' },
} as const satisfies Table;

/** How urgent an alert is. */
const severity = {
  critical: { zh: '严重', en: 'critical' },
  warning: { zh: '警告', en: 'warning' },
  info: { zh: '提示', en: 'info' },
} as const satisfies Table;

/** An alert's severity. */
export type Severity = keyof typeof severity;

/** Alert kinds (design.md §8), each with the severity it is raised with. */
const alertKind = {
  stranger: { zh: '陌生人通行', en: 'Stranger', severity: 'warning' },
  unknown_card: { zh: '未登记卡证', en: 'Unknown card', severity: 'warning' },
  inactive_resident: {
    zh: '已迁出/停用住户通行',
    en: 'Moved-out or suspended resident',
    severity: 'warning',
  },
  wrong_building: { zh: '非本楼住户通行', en: 'Wrong building', severity: 'info' },
  person_card_mismatch: { zh: '人证不符', en: 'Person–card mismatch', severity: 'critical' },
  credential_shared: { zh: '卡证借用', en: 'Credential shared', severity: 'critical' },
  leaseholder_absent: { zh: '承租人长期未归', en: 'Leaseholder absent', severity: 'warning' },
  stranger_recurrent: { zh: '陌生人频繁出现', en: 'Recurrent stranger', severity: 'warning' },
  suspected_sublet: { zh: '疑似转租', en: 'Suspected sublet', severity: 'critical' },
  overcrowding: { zh: '疑似群租', en: 'Overcrowding', severity: 'critical' },
  device_offline: { zh: '设备离线', en: 'Device offline', severity: 'warning' },
  door_forced: { zh: '门被强行打开', en: 'Door forced', severity: 'critical' },
  door_held_open: { zh: '门长时间未关', en: 'Door held open', severity: 'warning' },
  // The box itself (issue 12): the journal could not commit, or soon will not.
  storage_full: { zh: '存储空间已满', en: 'Storage full', severity: 'critical' },
  storage_failed: { zh: '存储故障', en: 'Storage failed', severity: 'critical' },
  disk_space_low: { zh: '磁盘空间不足', en: 'Disk space low', severity: 'warning' },
  // Door hardware (issue 13): the fire input or an admin opened every door; a device's tamper input.
  fire_all_open: { zh: '消防联动开门', en: 'Fire all-open', severity: 'critical' },
  door_tamper: { zh: '门禁设备防拆报警', en: 'Door device tampered', severity: 'critical' },
  // Issue 14: a roster message from upstream that did not verify or does not fit.
  roster_refused: { zh: '名单同步消息被拒收', en: 'Roster update refused', severity: 'critical' },
} as const satisfies Readonly<Record<string, Label & { readonly severity: Severity }>>;

/** Where an alert is. A pattern alert whose case moved on carries the case's state instead. */
const alertState = {
  open: { zh: '待处理', en: 'open' },
  acknowledged: { zh: '已确认', en: 'acknowledged' },
  closed: { zh: '已关闭', en: 'closed' },
} as const satisfies Table;

/** What a ledger case is about: the pattern kinds, and whatever a tip or a patrol reports. */
const caseKind = {
  suspected_sublet: alertKind.suspected_sublet,
  overcrowding: alertKind.overcrowding,
  credential_shared: alertKind.credential_shared,
  leaseholder_absent: alertKind.leaseholder_absent,
  stranger_recurrent: alertKind.stranger_recurrent,
  // Found by people, not detectors (issue 16): an online listing or an agency offering the
  // home for rent, and persons living there whom the roster does not know.
  listed_for_rent: { zh: '网络挂牌出租', en: 'Listed for rent online' },
  agency_listing: { zh: '中介代理出租', en: 'Let through an agency' },
  unregistered_occupant: { zh: '未登记人员居住', en: 'Unregistered occupant' },
  other: { zh: '其他违规', en: 'Other violation' },
} as const satisfies Table;

/**
 * The ledger (台账) workflow of issue 4, in its order (the desk's tabs). Sent upstream as
 * `estate.case.{state}`; the moves allowed between them are the ledger's (ledger/states.ts).
 */
const caseState = {
  open: { zh: '待核实', en: 'To verify' },
  acknowledged: { zh: '已核实', en: 'Acknowledged' },
  dissuaded: { zh: '已劝阻', en: 'Dissuaded' },
  rectification_ordered: { zh: '限期整改', en: 'Rectification ordered' },
  overdue: { zh: '逾期未整改', en: 'Overdue' },
  rectified: { zh: '已整改', en: 'Rectified' },
  handed_over: { zh: '已移交城管', en: 'Handed over to enforcement' },
  closed: { zh: '已结案', en: 'Closed' },
} as const satisfies Table;

/** Where a case came from. */
const caseSource = {
  detector: { zh: '系统发现', en: 'Detector' },
  tip: { zh: '举报投诉', en: 'Tip or complaint' },
  patrol: { zh: '巡查发现', en: 'Patrol' },
} as const satisfies Table;

/** How a person identified themselves at a reader (also the kinds of roster credentials). */
const credentialKind = {
  face: { zh: '人脸', en: 'Face' },
  card: { zh: 'IC卡', en: 'Card' },
  idcard: { zh: '身份证', en: 'ID card' },
  fingerprint: { zh: '指纹', en: 'Fingerprint' },
  qrcode: { zh: '二维码', en: 'QR code' },
} as const satisfies Table;

/** The four kinds of affordable housing in Shanghai. */
const housingType = {
  lianzu: { zh: '廉租住房', en: 'Low-rent housing' },
  gongzu: { zh: '公共租赁住房', en: 'Public rental housing' },
  baozu: { zh: '保障性租赁住房', en: 'Affordable rental housing' },
  gongyou: { zh: '共有产权保障住房', en: 'Shared-ownership housing' },
} as const satisfies Table;

/** Whether a household is let. */
const householdStatus = {
  active: { zh: '在住', en: 'active' },
  vacant: { zh: '空置', en: 'vacant' },
  terminated: { zh: '已终止', en: 'terminated' },
} as const satisfies Table;

/** Whether a resident still lives there. */
const residentStatus = {
  active: { zh: '在住', en: 'active' },
  moved_out: { zh: '已迁出', en: 'moved out' },
  suspended: { zh: '停用', en: 'suspended' },
} as const satisfies Table;

/** A resident's place in the household. */
const residentRole = {
  leaseholder: { zh: '承租人', en: 'Leaseholder' },
  co_resident: { zh: '同住人', en: 'Co-resident' },
} as const satisfies Table;

/** Visitor passes and the registrations of couriers and property staff (issue 4). */
const passKind = {
  visitor: { zh: '访客', en: 'Visitor' },
  courier: { zh: '快递外卖', en: 'Courier' },
  staff: { zh: '物业人员', en: 'Staff' },
} as const satisfies Table;

/** What a patrol visit (巡查) found. */
const patrolResult = {
  normal: { zh: '正常', en: 'Normal' },
  violation_found: { zh: '发现违规', en: 'Violation found' },
  nobody_home: { zh: '无人在家', en: 'Nobody home' },
} as const satisfies Table;

/** How a tip or complaint (举报投诉) came in. */
const tipChannel = {
  phone: { zh: '电话', en: 'Phone' },
  letter: { zh: '信件', en: 'Letter' },
  online: { zh: '网上', en: 'Online' },
  in_person: { zh: '来访', en: 'In person' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Table;

/** Whether a full inspection (全面排查) still takes visits (issue 16). */
const campaignState = {
  open: { zh: '排查中', en: 'In progress' },
  closed: { zh: '已结束', en: 'Closed' },
} as const satisfies Table;

/** What one visit of a full inspection found at the door (issue 16). */
const visitResult = {
  normal: { zh: '正常', en: 'Normal' },
  violation_found: { zh: '发现违规', en: 'Violation found' },
  nobody_home: { zh: '无人在家', en: 'Nobody home' },
  refused: { zh: '拒绝入户', en: 'Entry refused' },
} as const satisfies Table;

/**
 * Where a household stands in a full inspection: not yet visited, or the most telling
 * result of its visits (a violation outranks normal, which outranks a refusal, which
 * outranks nobody home).
 */
const campaignStatus = {
  not_visited: { zh: '未走访', en: 'Not yet visited' },
  ...visitResult,
} as const satisfies Table;

/** Each person met or missed on an inspection visit, against the roster ("不漏一人"). */
const personCheck = {
  present: { zh: '在住', en: 'Present' },
  absent: { zh: '不在', en: 'Absent' },
  unregistered: { zh: '未登记人员', en: 'Unregistered person' },
} as const satisfies Table;

/** What a patrol looked at: a household, an estate agency, or an online listing (issue 16). */
const patrolTarget = {
  household: { zh: '入户巡查', en: 'Household' },
  agency: { zh: '经纪门店', en: 'Estate agency' },
  listing: { zh: '网络房源', en: 'Online listing' },
} as const satisfies Table;

/** Platforms where affordable homes turn up for rent. */
const listingPlatform = {
  beike: { zh: '贝壳找房/链家', en: 'Beike / Lianjia' },
  anjuke: { zh: '安居客', en: 'Anjuke' },
  tongcheng58: { zh: '58同城', en: '58.com' },
  xianyu: { zh: '闲鱼', en: 'Xianyu' },
  xiaohongshu: { zh: '小红书', en: 'Xiaohongshu' },
  douyin: { zh: '抖音', en: 'Douyin' },
  wechat: { zh: '微信群/朋友圈', en: 'WeChat' },
  other: { zh: '其他平台', en: 'Other platform' },
} as const satisfies Table;

/** What the enforcement office (城管) reported back on a handed-over case (issue 16). */
const enforcementResult = {
  penalty: { zh: '行政处罚', en: 'Penalty' },
  eviction: { zh: '收回房屋', en: 'Eviction' },
  rectified: { zh: '责令整改到位', en: 'Rectified' },
  not_substantiated: { zh: '查无实据', en: 'Not substantiated' },
} as const satisfies Table;

/**
 * The districts of Shanghai a case can be handed to: a tenant who lives elsewhere is the
 * business of that district's office (跨区移交).
 */
const district = {
  huangpu: { zh: '黄浦区', en: 'Huangpu' },
  xuhui: { zh: '徐汇区', en: 'Xuhui' },
  changning: { zh: '长宁区', en: 'Changning' },
  jingan: { zh: '静安区', en: "Jing'an" },
  putuo: { zh: '普陀区', en: 'Putuo' },
  hongkou: { zh: '虹口区', en: 'Hongkou' },
  yangpu: { zh: '杨浦区', en: 'Yangpu' },
  minhang: { zh: '闵行区', en: 'Minhang' },
  baoshan: { zh: '宝山区', en: 'Baoshan' },
  jiading: { zh: '嘉定区', en: 'Jiading' },
  pudong: { zh: '浦东新区', en: 'Pudong' },
  jinshan: { zh: '金山区', en: 'Jinshan' },
  songjiang: { zh: '松江区', en: 'Songjiang' },
  qingpu: { zh: '青浦区', en: 'Qingpu' },
  fengxian: { zh: '奉贤区', en: 'Fengxian' },
  chongming: { zh: '崇明区', en: 'Chongming' },
  outside: { zh: '外省市', en: 'Outside Shanghai' },
} as const satisfies Table;

/** What a tipster whose tip proved true is given ("可适当给予表彰奖励"). */
const rewardKind = {
  cash: { zh: '奖金', en: 'Cash' },
  gift: { zh: '实物奖励', en: 'Gift' },
  commendation: { zh: '通报表彰', en: 'Commendation' },
} as const satisfies Table;

/** Where a reward stands: an operator proposes it, an admin decides. */
const rewardState = {
  proposed: { zh: '待审批', en: 'Awaiting approval' },
  approved: { zh: '已批准', en: 'Approved' },
  rejected: { zh: '未批准', en: 'Rejected' },
} as const satisfies Table;

/** How an audited action ended. */
const auditOutcome = {
  ok: { zh: '成功', en: 'ok' },
  failed: { zh: '失败', en: 'failed' },
  refused: { zh: '拒绝', en: 'refused' },
} as const satisfies Table;

/** An offer to enrol a face the detectors learnt as a resident's card holder (issue 10). */
const faceOfferState = {
  offered: { zh: '待确认', en: 'Offered' },
  enrolled: { zh: '已登记', en: 'Enrolled' },
  rejected: { zh: '非本人', en: 'Not the resident' },
} as const satisfies Table;

/** What the devices page shows of a door (issue 13), in order of urgency. */
const doorState = {
  fire: { zh: '消防常开', en: 'Fire all-open' },
  forced: { zh: '被强行打开', en: 'Forced' },
  held: { zh: '长时间未关', en: 'Held open' },
  passage: { zh: '时段常开', en: 'Open by schedule' },
  open: { zh: '开', en: 'Open' },
  closed: { zh: '关', en: 'Closed' },
  unknown: { zh: '状态未知', en: 'Unknown' },
  no_contact: { zh: '无门磁', en: 'No contact' },
} as const satisfies Table;

/**
 * Why a reader's library refused one person's entry (issue 11): the gateway's code for a
 * vendor's refusal — Hikvision `faceQualityTooLow`, Dahua 288686087… — so the household file
 * can say "face not accepted by terminal T-3-1: 人脸质量过低". The vendor's own words travel
 * beside the code in the outcome's message.
 */
const libraryRefusal = {
  no_face_detected: { zh: '未检测到人脸', en: 'No face detected' },
  face_quality_too_low: { zh: '人脸质量过低', en: 'Face quality too low' },
  face_blurred: { zh: '人脸照片模糊', en: 'Face photo blurred' },
  photo_too_large: { zh: '照片过大', en: 'Photo too large' },
  face_library_full: { zh: '人脸库已满', en: 'Face library full' },
  face_library_missing: { zh: '人脸库不存在', en: 'Face library missing' },
  card_in_use: { zh: '卡号已被他人使用', en: 'Card number held by someone else' },
  person_not_found: { zh: '终端上无此人员', en: 'Person not on the terminal' },
  bad_parameters: { zh: '参数错误', en: 'Bad parameters' },
  refused: { zh: '终端拒绝', en: 'Refused by the terminal' },
} as const satisfies Table;

/**
 * Why a roster message from the district system was refused (issue 14); the last good
 * roster is kept. A gap is not an attack: it asks for a snapshot.
 */
const rosterRefusal = {
  malformed: { zh: '消息格式错误', en: 'Malformed message' },
  too_large: { zh: '消息过大', en: 'Message too large' },
  unsigned: { zh: '消息未签名', en: 'Unsigned message' },
  unknown_key: { zh: '签名密钥未受信任', en: 'Signed with an untrusted key' },
  bad_signature: { zh: '签名验证失败', en: 'Signature does not verify' },
  wrong_estate: { zh: '非本小区名单', en: 'Roster of another estate' },
  replayed: { zh: '重放或过期版本', en: 'Replayed or old version' },
  gap: { zh: '版本不连续，已请求全量', en: 'Version gap, snapshot requested' },
  invalid_roster: { zh: '名单内容校验失败', en: 'Roster content invalid' },
} as const satisfies Table;

/** Every group of codes, code → labels, each in its order. */
export const CODES = {
  reason,
  severity,
  alertKind,
  alertState,
  caseKind,
  caseState,
  caseSource,
  credentialKind,
  housingType,
  householdStatus,
  residentStatus,
  residentRole,
  passKind,
  patrolResult,
  tipChannel,
  auditOutcome,
  faceOfferState,
  doorState,
  campaignState,
  visitResult,
  campaignStatus,
  personCheck,
  patrolTarget,
  listingPlatform,
  enforcementResult,
  district,
  rewardKind,
  rewardState,
  libraryRefusal,
  rosterRefusal,
} as const satisfies Readonly<Record<string, Table>>;

/** The name of a group of codes. */
export type CodeGroup = keyof typeof CODES;
/** The codes of one group, as a union of string literals. */
export type Code<G extends CodeGroup> = Extract<keyof (typeof CODES)[G], string>;

/** A reason code recorded with an access decision. */
export type ReasonCode = Code<'reason'>;
/** An alert kind. */
export type AlertKind = Code<'alertKind'>;
/** An alert's own state (open, acknowledged, closed). */
export type AlertState = Code<'alertState'>;
/** What a case is about. */
export type CaseKind = Code<'caseKind'>;
/** A ledger state. */
export type CaseState = Code<'caseState'>;
/** Where a case came from. */
export type CaseSource = Code<'caseSource'>;
/** A credential kind. */
export type CredentialKind = Code<'credentialKind'>;
/** 廉租住房, 公共租赁住房, 保障性租赁住房, 共有产权保障住房. */
export type HousingType = Code<'housingType'>;
/** A household's status. */
export type HouseholdStatus = Code<'householdStatus'>;
/** A resident's status. */
export type ResidentStatus = Code<'residentStatus'>;
/** A resident's role. */
export type ResidentRole = Code<'residentRole'>;
/** visitor: to one household; courier (快递外卖) and staff (物业): estate-wide. */
export type PassKind = Code<'passKind'>;
/** What a patrol visit found. */
export type PatrolResult = Code<'patrolResult'>;
/** How a tip came in. */
export type TipChannel = Code<'tipChannel'>;
/** How an audited action ended. */
export type AuditOutcome = Code<'auditOutcome'>;
/** Where an offer to enrol a learnt face stands. */
export type FaceOfferState = Code<'faceOfferState'>;
/** A door's state on the devices page. */
export type DoorStateCode = Code<'doorState'>;
/** Whether a full inspection takes visits. */
export type CampaignState = Code<'campaignState'>;
/** What an inspection visit found. */
export type VisitResult = Code<'visitResult'>;
/** Where a household stands in a full inspection. */
export type CampaignStatus = Code<'campaignStatus'>;
/** A person met or missed on an inspection visit. */
export type PersonCheck = Code<'personCheck'>;
/** What a patrol looked at. */
export type PatrolTarget = Code<'patrolTarget'>;
/** An online platform of listings. */
export type ListingPlatform = Code<'listingPlatform'>;
/** What the enforcement office reported back. */
export type EnforcementResult = Code<'enforcementResult'>;
/** A district of Shanghai (or outside it). */
export type District = Code<'district'>;
/** What a reward is. */
export type RewardKind = Code<'rewardKind'>;
/** Where a reward stands. */
export type RewardState = Code<'rewardState'>;
/** Why a reader's library refused an entry. */
export type LibraryRefusal = Code<'libraryRefusal'>;

/** Why a roster message was refused. */
export type RosterRefusal = Code<'rosterRefusal'>;

/** The codes of a group in the table's order. */
export function codesOf<G extends CodeGroup>(group: G): readonly Code<G>[] {
  return Object.keys(CODES[group]) as Code<G>[];
}

/** Whether a string is a code of the group. */
export function isCode<G extends CodeGroup>(group: G, code: string): code is Code<G> {
  return Object.hasOwn(CODES[group], code);
}

/**
 * The label of a code, zh-CN unless asked otherwise. A code the table does not know (a row
 * written by a newer version) reads as itself rather than as nothing.
 */
export function label(group: CodeGroup, code: string, lang: Lang = 'zh'): string {
  const table: Table = CODES[group];
  return Object.hasOwn(table, code) ? (table[code] as Label)[lang] : code;
}

/** The ledger states in workflow order. */
export const CASE_STATES = codesOf('caseState');
/** The case kinds in the order of the forms. */
export const CASE_KINDS = codesOf('caseKind');
/** The case sources. */
export const CASE_SOURCES = codesOf('caseSource');
/** The credential kinds. */
export const CREDENTIAL_KINDS = codesOf('credentialKind');
/** The housing types. */
export const HOUSING_TYPES = codesOf('housingType');
/** The household statuses. */
export const HOUSEHOLD_STATUSES = codesOf('householdStatus');
/** The resident statuses. */
export const RESIDENT_STATUSES = codesOf('residentStatus');
/** The resident roles. */
export const RESIDENT_ROLES = codesOf('residentRole');
/** The pass kinds. */
export const PASS_KINDS = codesOf('passKind');

/**
 * The audit log's actions (dotted verbs, stored as they are) with their labels, for the audit
 * page. Not a group of CODES: an action is `area.verb`, a code is snake_case. An action this
 * table lacks reads as itself.
 */
export const AUDIT_ACTIONS = {
  'login.ok': { zh: '登录', en: 'Logged in' },
  'login.failed': { zh: '登录失败', en: 'Login failed' },
  'login.locked': { zh: '登录锁定', en: 'Login locked' },
  logout: { zh: '退出', en: 'Logged out' },
  'household.view': { zh: '查看一户一档', en: 'Household file viewed' },
  'household.search': { zh: '按姓名查询房屋', en: 'Households searched by name' },
  'alert.view': { zh: '查看告警', en: 'Alert viewed' },
  'user.add': { zh: '新增用户', en: 'User added' },
  'user.update': { zh: '修改用户', en: 'User changed' },
  'user.password': { zh: '修改密码', en: 'Password changed' },
  'config.view': { zh: '查看配置', en: 'Configuration viewed' },
  'request.refused': { zh: '请求被拒绝', en: 'Request refused' },
  'case.view': { zh: '查看案件', en: 'Case viewed' },
  'case.transition': { zh: '案件处置', en: 'Case moved' },
  'case.handover': { zh: '下载移交材料', en: 'Hand-over package downloaded' },
  'pass.create': { zh: '登记通行证', en: 'Pass registered' },
  'pass.revoke': { zh: '撤销通行证', en: 'Pass revoked' },
  'patrol.create': { zh: '记录巡查', en: 'Patrol recorded' },
  'tip.create': { zh: '登记举报投诉', en: 'Tip recorded' },
  'report.view': { zh: '查看报表', en: 'Report viewed' },
  'report.export': { zh: '导出报表', en: 'Report exported' },
  // Issue 16: the full inspection, listing patrols, photos, enforcement feedback, rewards.
  'campaign.create': { zh: '发起全面排查', en: 'Full inspection opened' },
  'campaign.visit': { zh: '记录排查走访', en: 'Inspection visit recorded' },
  'campaign.close': { zh: '结束全面排查', en: 'Full inspection closed' },
  'campaign.report': { zh: '报送排查报告', en: 'Inspection report sent upstream' },
  'patrol.link': { zh: '房源关联房屋', en: 'Listing tied to a household' },
  'evidence.upload': { zh: '上传照片或文书', en: 'Photo or document uploaded' },
  'evidence.view': { zh: '查看照片或文书', en: 'Photo or document viewed' },
  'case.feedback': { zh: '登记城管反馈', en: 'Enforcement feedback recorded' },
  'tip.view': { zh: '查看举报人联系方式', en: 'Tipster contact viewed' },
  'tip.reward': { zh: '申报举报奖励', en: 'Reward proposed' },
  'tip.reward.decision': { zh: '审批举报奖励', en: 'Reward decided' },
} as const satisfies Table;

/** The label of an audit action; one the table lacks reads as itself. */
export function auditActionLabel(action: string, lang: Lang = 'zh'): string {
  const table: Table = AUDIT_ACTIONS;
  return Object.hasOwn(table, action) ? (table[action] as Label)[lang] : action;
}
