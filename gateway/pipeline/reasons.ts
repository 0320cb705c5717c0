/**
 * Reason codes recorded with every access decision. Stable strings: they are stored,
 * exported and counted. The Chinese labels are what the operator reads.
 */
export const REASONS = {
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
  visitor_pass: '访客通行证',
  courier_pass: '快递外卖登记',
  staff_pass: '物业人员登记',
  stale: '过时记录，未应答',
  offline: '离线补传',
  idcard_required: '请再刷身份证完成人证核验',
  biometric_required: '请再刷脸或按指纹完成人证核验',
  two_factors_required: '此门需身份证加人脸或指纹',
  person_card_mismatch: '人证不符',
} as const;

/**
 * Reasons whose label is what the terminal should show on a deny, in this order of
 * preference: they tell the person what to do next, where the door's denyMessage cannot.
 */
export const PROMPT_REASONS: readonly ReasonCode[] = [
  'person_card_mismatch',
  'idcard_required',
  'biometric_required',
  'two_factors_required',
];

export type ReasonCode = keyof typeof REASONS;
