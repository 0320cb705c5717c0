import t from 'tap';
import {
  checkDigit,
  hashIdNumber,
  idNumberProblem,
  maskIdNumber,
  maskName,
  maskPhone,
} from '../../core/id-number.js';

// Check digits computed by hand from GB 11643-1999's weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2).
t.test('check digit by table', async (t) => {
  const cases: Array<[string, string]> = [
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
    ['31010119900307123', '0'],
  ];
  for (const [first17, want] of cases) t.equal(checkDigit(first17), want, first17);
});

t.test('validation', async (t) => {
  t.equal(idNumberProblem('11010519491231002X'), null);
  t.equal(idNumberProblem('11010519491231002x'), null, 'lower-case x is accepted');
  t.equal(idNumberProblem('110105194912310021'), 'check_digit');
  t.equal(idNumberProblem('11010519491331002X'), 'birth_date', 'month 13');
  t.equal(idNumberProblem('1101051949123100'), 'format');
  t.equal(idNumberProblem('abc'), 'format');
});

t.test('hash and masks', async (t) => {
  const key = 'aa'.repeat(32);
  t.equal(hashIdNumber(key, '11010519491231002x'), hashIdNumber(key, '11010519491231002X'));
  t.not(hashIdNumber(key, '11010519491231002X'), hashIdNumber('bb'.repeat(32), '11010519491231002X'));
  t.match(hashIdNumber(key, '11010519491231002X'), /^[0-9a-f]{64}$/);
  t.equal(maskIdNumber('310101199003071230'), '310***********1230');
  t.equal(maskName('张三'), '张*');
  t.equal(maskName('欧阳娜娜'), '欧***');
  t.equal(maskPhone('13812345678'), '138****5678');
});
