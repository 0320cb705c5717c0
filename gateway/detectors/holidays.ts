import { dayOfDate } from './windows.js';

/**
 * When guests come (issue 10: holiday guests): the days around China's public holidays and
 * the summer school holidays, when relatives stay with a family for days or weeks and may
 * be given its card. A face first seen with a household's credential in such a season is
 * taken for a guest until it has been coming for longer than a visit lasts.
 *
 * Spring Festival follows the lunar calendar: the table gives Chinese New Year's Day.
 * The state council's yearly arrangement (调休) moves working days, not these seasons; an
 * estate adds its own (a local festival, a long closure) in `detectors.holidays`.
 */
const NEW_YEAR: Record<number, string> = {
  2020: '01-25',
  2021: '02-12',
  2022: '02-01',
  2023: '01-22',
  2024: '02-10',
  2025: '01-29',
  2026: '02-17',
  2027: '02-06',
  2028: '01-26',
  2029: '02-13',
  2030: '02-03',
  2031: '01-23',
  2032: '02-11',
  2033: '01-31',
  2034: '02-19',
  2035: '02-08',
  2036: '01-28',
  2037: '02-15',
  2038: '02-04',
  2039: '01-24',
  2040: '02-12',
};

/** Days from the start of the Spring Festival season (ten days before the New Year) to its first day. */
const HOMECOMING_DAYS = 11;

/** The Spring Festival season of year `y`: ten days before the New Year (春运: people travel home) to the Lantern Festival. */
function springFestival(y: number): Season | null {
  const ny = NEW_YEAR[y];
  return ny ? { from: dayOfDate(`${y}-${ny}`) - 10, to: dayOfDate(`${y}-${ny}`) + 15 } : null;
}

/**
 * Fixed-date seasons [first, last] as MM-DD: New Year, Qingming, Labour Day, summer,
 * National Day. Each opens some days before the holiday: guests travel ahead of the crowds
 * and take days off around it.
 */
const FIXED: ReadonlyArray<readonly [string, string]> = [
  ['12-27', '12-31'],
  ['01-01', '01-03'],
  ['03-30', '04-08'],
  ['04-25', '05-08'],
  ['07-05', '08-31'],
  ['09-24', '10-10'],
];

/** Local day numbers [from, to] of a season. */
export interface Season {
  from: number;
  to: number;
}

/** The guest seasons of the years around `day`, plus the estate's own ranges (YYYY-MM-DD..YYYY-MM-DD). */
export function guestSeasons(extra: readonly string[], years: readonly number[]): Season[] {
  const out: Season[] = [];
  for (const y of years) {
    const sf = springFestival(y);
    if (sf) out.push(sf);
    for (const [a, b] of FIXED) out.push({ from: dayOfDate(`${y}-${a}`), to: dayOfDate(`${y}-${b}`) });
  }
  for (const r of extra) {
    const [a, b] = r.split('..');
    if (a && b) out.push({ from: dayOfDate(a), to: dayOfDate(b) });
  }
  return out;
}

/** Tells whether a day is in a guest season; the calendar of a year is made when first asked. */
export class GuestCalendar {
  readonly #extra: readonly string[];
  readonly #byYear = new Map<number, Season[]>();

  constructor(extra: readonly string[]) {
    this.#extra = extra;
  }

  /**
   * Whether a household last seen on local day `day` left as families travel home for the
   * Spring Festival (春运: the ten days before the New Year, to its first day), when whole
   * families go for a week or two and a relative may mind the flat: one that empties then is
   * most likely away for the holiday, not gone. After the New Year the travel runs the
   * other way (back to the city for work): a family that leaves then has not gone home
   * for the festival (issue 10: a tenant handed the card on the sixth day of the New Year
   * waited out a guest's patience): as in any other season, a face that came after it left
   * has nobody to visit (rules-use.ts `handedOver`).
   */
  homecoming(day: number): boolean {
    const y = new Date(day * 86_400_000).getUTCFullYear();
    return [y - 1, y, y + 1].some((yy) => {
      const sf = springFestival(yy);
      return sf !== null && day >= sf.from && day <= sf.from + HOMECOMING_DAYS;
    });
  }

  /** Whether local day `day` falls in a guest season. */
  holds(day: number): boolean {
    const y = new Date(day * 86_400_000).getUTCFullYear();
    let seasons = this.#byYear.get(y);
    if (!seasons) {
      seasons = guestSeasons(this.#extra, [y - 1, y, y + 1]);
      this.#byYear.set(y, seasons);
    }
    return seasons.some((s) => day >= s.from && day <= s.to);
  }
}
