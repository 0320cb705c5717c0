/**
 * Plausible personal data for simulated residents: Chinese names, Shanghai resident ID
 * numbers (GB 11643) and mobile numbers. All invented from a seed; none is a real person's,
 * though an ID number may collide with a real one by chance — so they are still treated as
 * personal data and never logged.
 */
import { checkDigit } from '../core/id-number.js';
import { addDays } from './dates.js';
import type { Random } from './random.js';

/** Sex as encoded in the 17th digit of an ID number (odd: male). */
export type Sex = 'M' | 'F';

/** Common surnames, roughly by frequency (the most common first and weighted more). */
// biome-ignore format: a table reads better in rows
const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭',
  '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾',
  '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁',
  '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金', '石', '廖', '贾', '夏',
  '顾', '毛', '钱', '严', '施', '龚', '邵', '万', '戴', '孔', '汤', '浦',
] as const;

/** Two-character surnames are rare but must appear (名字长度 edge cases in the UI). */
const DOUBLE_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方'] as const;

// biome-ignore format: a table reads better in rows
const GIVEN_MALE = [
  '伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '明', '超', '刚', '辉', '建', '国', '文', '斌',
  '宇', '浩', '凯', '鹏', '俊', '帆', '晨', '博', '轩', '海', '龙', '峰', '波', '亮', '志', '新',
  '永', '成', '德', '宏', '华', '平', '东', '林',
] as const;

// biome-ignore format: a table reads better in rows
const GIVEN_FEMALE = [
  '芳', '娜', '敏', '静', '丽', '艳', '娟', '秀', '霞', '桂', '英', '玉', '萍', '红', '玲', '芬',
  '燕', '欣', '怡', '佳', '雨', '婷', '涵', '梓', '嘉', '思', '雪', '琳', '慧', '颖', '晓', '丹',
  '春', '云', '华', '平', '月', '兰', '洁', '倩',
] as const;

/** Shanghai county-level codes (GB/T 2260): 黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 浦东 金山 松江 青浦 奉贤 崇明. */
// biome-ignore format: a table reads better in rows
const SHANGHAI_AREAS = [
  '310101', '310104', '310105', '310106', '310107', '310109', '310110', '310112',
  '310113', '310114', '310115', '310116', '310117', '310118', '310120', '310151',
] as const;

/** Mobile prefixes of the three carriers. */
// biome-ignore format: a table reads better in rows
const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153',
  '155', '156', '157', '158', '159', '176', '177', '180', '181', '186', '187', '188', '189',
  '198', '199',
] as const;

/** A surname, skewed towards the head of the list: surnames are far from uniform in China. */
export function chineseSurname(rng: Random): string {
  if (rng.chance(0.01)) return rng.pick(DOUBLE_SURNAMES);
  return SURNAMES[Math.floor(SURNAMES.length * rng.next() ** 1.6)] ?? '王';
}

/** A Chinese name: the surname and one or two given-name characters suited to the sex. */
export function chineseName(rng: Random, sex: Sex, surname = chineseSurname(rng)): string {
  const pool = sex === 'M' ? GIVEN_MALE : GIVEN_FEMALE;
  const given = rng.chance(0.3) ? rng.pick(pool) : rng.pick(pool) + rng.pick(pool);
  return surname + given;
}

/** A birth date (YYYY-MM-DD) of someone aged `age` whole years on `today`. */
export function birthDateForAge(rng: Random, today: string, age: number): string {
  // Anywhere in the year before the last birthday, so ages come out exact.
  return addDays(today, -(age * 365 + Math.floor(age / 4) + rng.int(1, 364)));
}

/**
 * An 18-character Shanghai resident ID number (GB 11643-1999): area code, birth date,
 * a sequence whose last digit is odd for men, and the mod-11 check character.
 */
export function shanghaiIdNumber(rng: Random, birthDate: string, sex: Sex): string {
  const seq = `${rng.int(0, 9)}${rng.int(0, 9)}${sex === 'M' ? rng.int(0, 4) * 2 + 1 : rng.int(0, 4) * 2}`;
  const first17 = `${rng.pick(SHANGHAI_AREAS)}${birthDate.replaceAll('-', '')}${seq}`;
  return first17 + checkDigit(first17);
}

/** An 11-digit mainland mobile number. */
export function mobileNumber(rng: Random): string {
  let rest = '';
  for (let i = 0; i < 8; i++) rest += String(rng.int(0, 9));
  return rng.pick(MOBILE_PREFIXES) + rest;
}
