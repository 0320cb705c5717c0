/** Alert kinds (design.md §8): label for the operator, default severity. */
export const ALERT_KINDS = {
  stranger: { label: '陌生人通行', severity: 'warning' },
  unknown_card: { label: '未登记卡证', severity: 'warning' },
  inactive_resident: { label: '已迁出/停用住户通行', severity: 'warning' },
  wrong_building: { label: '非本楼住户通行', severity: 'info' },
  person_card_mismatch: { label: '人证不符', severity: 'critical' },
  credential_shared: { label: '卡证借用', severity: 'critical' },
  leaseholder_absent: { label: '承租人长期未归', severity: 'warning' },
  stranger_recurrent: { label: '陌生人频繁出现', severity: 'warning' },
  suspected_sublet: { label: '疑似转租', severity: 'critical' },
  overcrowding: { label: '疑似群租', severity: 'critical' },
  device_offline: { label: '设备离线', severity: 'warning' },
  door_forced: { label: '门被强行打开', severity: 'critical' },
  door_held_open: { label: '门长时间未关', severity: 'warning' },
} as const;

export type AlertKind = keyof typeof ALERT_KINDS;
export type Severity = 'info' | 'warning' | 'critical';
