/**
 * China second-generation ID-card readers (SAM module, GA 467 family), UART 115200 8N1.
 * Layouts from shared/protocols.md §ID-card, as seen in qiwenming/IDCardDemo and
 * lixd17820/readcard.
 */

/** Frame preamble `AA AA AA 96 69`. */
export const PREAMBLE = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69]);
/** Preamble plus the u16 length. */
export const PREFIX_BYTES = 7;
/** Shortest length field: a request's command, parameter and check. */
export const MIN_LENGTH_FIELD = 3;
/**
 * Longest length field accepted: the 30 10 reply (SW 3, lengths 6, text 256, photo 1024,
 * fingerprint 1024, check 1 = 2314) with room to spare.
 */
export const MAX_LENGTH_FIELD = 4096;
/** SAM modules talk at 115200 8N1. */
export const DEFAULT_BAUD = 115_200;

/** Commands, as [command, parameter]. */
export const CMD_RESET_SAM = [0x10, 0xff] as const;
export const CMD_SAM_STATUS = [0x11, 0xff] as const;
export const CMD_SAM_ID = [0x12, 0xff] as const;
export const CMD_FIND = [0x20, 0x01] as const;
export const CMD_SELECT = [0x20, 0x02] as const;
export const CMD_READ = [0x30, 0x01] as const;
export const CMD_READ_WITH_FINGERPRINT = [0x30, 0x10] as const;

/** SW3 status codes. */
export const SW_OK = 0x90;
export const SW_CARD_FOUND = 0x9f;
export const SW_NO_CARD = 0x80;
export const SW_SELECT_FAILED = 0x81;
export const SW_READ_FAILED = 0x41;
export const SW_BAD_CHECKSUM = 0x10;
export const SW_BAD_LENGTH = 0x11;
export const SW_BAD_COMMAND = 0x21;
export const SW_UNAUTHORISED = 0x23;
export const SW_UNKNOWN_CARD = 0x40;
export const SW_SELF_TEST_FAILED = 0x60;

/** Block sizes of a read reply: length `05 08`, 1,295 bytes in all. */
export const TEXT_BYTES = 256;
export const PHOTO_BYTES = 1024;
export const FINGERPRINT_BYTES = 1024;
export const READ_REPLY_BYTES = 1295;

/** Text block fields: [byte offset, byte length], UCS-2 little-endian, space padded. */
export const TEXT_FIELDS = {
  name: [0, 30],
  sex: [30, 2],
  nation: [32, 4],
  birth: [36, 16],
  address: [52, 70],
  number: [122, 36],
  authority: [158, 30],
  validFrom: [188, 16],
  validTo: [204, 16],
  reserved: [220, 36],
} as const;

/**
 * Byte offset of the card-kind mark in the reserved area. Described by integrators, not
 * confirmed in code (protocols.md): 'I' foreigner's permanent residence card, 'J'
 * Hong Kong/Macau/Taiwan residence permit, 'Y' the 2023 permanent residence card.
 */
export const KIND_MARK_OFFSET = 248;
/** Kind marks of cards that are not resident ID cards, and what they are. */
export const OTHER_CARD_KINDS: Readonly<Record<string, string>> = {
  I: 'foreigner permanent residence card',
  J: 'Hong Kong/Macau/Taiwan residence permit',
  Y: 'foreigner permanent residence card (2023)',
};

/** Validity "to" for a card that never expires. */
export const VALID_FOREVER = '长期';

/** Sex codes (GB/T 2261.1). */
export const SEXES: Readonly<Record<string, 'male' | 'female'>> = { '1': 'male', '2': 'female' };

/** The 56 nationalities by GB 3304 code, as printed on the card (no 族 suffix). */
export const NATIONS: readonly string[] = [
  '汉',
  '蒙古',
  '回',
  '藏',
  '维吾尔',
  '苗',
  '彝',
  '壮',
  '布依',
  '朝鲜',
  '满',
  '侗',
  '瑶',
  '白',
  '土家',
  '哈尼',
  '哈萨克',
  '傣',
  '黎',
  '傈僳',
  '佤',
  '畲',
  '高山',
  '拉祜',
  '水',
  '东乡',
  '纳西',
  '景颇',
  '柯尔克孜',
  '土',
  '达斡尔',
  '仫佬',
  '羌',
  '布朗',
  '撒拉',
  '毛南',
  '仡佬',
  '锡伯',
  '阿昌',
  '普米',
  '塔吉克',
  '怒',
  '乌孜别克',
  '俄罗斯',
  '鄂温克',
  '德昂',
  '保安',
  '裕固',
  '京',
  '塔塔尔',
  '独龙',
  '鄂伦春',
  '赫哲',
  '门巴',
  '珞巴',
  '基诺',
];
/** GB 3304 codes beyond the 56 that cards may carry. */
export const OTHER_NATIONS: Readonly<Record<string, string>> = { '97': '其他', '98': '外国血统中国籍人士' };
