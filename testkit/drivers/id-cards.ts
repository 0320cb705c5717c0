import type { SimIdCard } from '../../sim/serial/idcard-reader.js';

/** Invented cards with valid GB 11643 check digits. */
export const ZHANG: SimIdCard = {
  text: {
    name: '张三',
    sex: 'male',
    nationCode: '01',
    nation: '汉',
    birth: '1990-03-07',
    address: '上海市黄浦区人民大道200号',
    number: '310101199003071230',
    authority: '上海市公安局黄浦分局',
    validFrom: '2015-01-01',
    validUntil: '2035-01-01',
  },
};
export const LI: SimIdCard = {
  text: {
    name: '李秀英',
    sex: 'female',
    nationCode: '03',
    nation: '回',
    birth: '1949-12-31',
    address: '北京市朝阳区建国路1号',
    number: '11010519491231002X',
    authority: '北京市公安局朝阳分局',
    validFrom: '2010-05-20',
    validUntil: null,
  },
};
export const EXPIRED: SimIdCard = {
  text: { ...ZHANG.text, validFrom: '2005-01-01', validUntil: '2025-01-01' },
};
