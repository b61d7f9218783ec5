import { weekday } from '@evp/shared-kernel';
import {
  DEFAULT_WARNING_DEADLINE_POLICY as policy,
  belongings,
  leadAfterNavNotice,
  noticeEarliest,
  objectionToNamsmann,
  paymentStopsEviction,
  petitionAdvice,
  petitionCareful,
  petitionLegal,
} from './deadline-engine';

describe('the worked example of the issue', () => {
  // Rent due Tuesday 1 December 2026, the § 4-18 notice sent the same day.
  it('legal petition date: Tuesday 15 December, the same weekday two weeks on', () => {
    expect(noticeEarliest('2026-12-01').date).toBe('2026-12-01');
    const legal = petitionLegal('2026-12-01', policy);
    expect(legal).toMatchObject({ date: '2026-12-15', kind: 'law', basis: 'tvangsfullbyrdelsesloven § 4-18 første ledd' });
    expect(weekday(legal.date)).toBe(weekday('2026-12-01'));
  });

  it('careful date: receipt assumed Friday 4 December, 14 days from the 5th, the first day after them (Saturday 19th) moved to Monday 21 December — policy', () => {
    const careful = petitionCareful('2026-12-01', policy);
    expect(careful).toMatchObject({ assumedReceiptOn: '2026-12-04', date: '2026-12-21', kind: 'policy' });
    expect(careful.explanation).toContain('ikke en lovfestet frist');
  });
});

describe('petition dates across the holidays', () => {
  it.each([
    // [sent, legal, assumed receipt, careful, what it crosses]
    ['2026-03-31', '2026-04-14', '2026-04-08', '2026-04-23', 'Easter 2026: skjærtorsdag, langfredag and andre påskedag are no working days'],
    ['2027-05-12', '2027-05-26', '2027-05-18', '2027-06-02', '17 May 2027 (a Monday, also andre pinsedag)'],
    ['2026-05-12', '2026-05-26', '2026-05-18', '2026-06-02', 'Ascension Day 2026 (Thursday 14 May)'],
    ['2026-05-05', '2026-05-19', '2026-05-08', '2026-05-26', 'Whit Monday 2026: the first day after the 14 (Saturday 23 May) moves past Sunday and Whit Monday'],
    ['2026-12-21', '2027-01-04', '2026-12-24', '2027-01-08', 'Christmas: Christmas Eve is a working day, the 25th and 26th are not'],
  ])('notice sent %s → legal %s, receipt assumed %s, careful %s (%s)', (sent, legal, receipt, careful) => {
    expect(petitionLegal(sent, policy).date).toBe(legal);
    expect(petitionCareful(sent, policy)).toMatchObject({ assumedReceiptOn: receipt, date: careful });
  });

  it('each length is configuration', () => {
    expect(petitionCareful('2026-12-01', { ...policy, assumedReceiptWorkingDays: 5 })).toMatchObject({ assumedReceiptOn: '2026-12-08', date: '2026-12-23' });
    expect(petitionLegal('2026-12-01', { ...policy, noticeToPetitionDays: 21 }).date).toBe('2026-12-22');
  });
});

describe('objection to the namsmann (§ 13-6) and belongings (§ 13-11): a last day on a holiday moves to the next working day', () => {
  it.each([
    ['2026-12-01', '2026-12-15', 'an ordinary Tuesday'],
    ['2027-05-03', '2027-05-18', '17 May 2027 is a Monday holiday'],
    ['2026-04-30', '2026-05-15', 'Ascension Day 2026'],
    ['2026-03-19', '2026-04-07', 'the 14th day is skjærtorsdag 2026; langfredag, the Easter weekend and andre påskedag follow'],
    ['2026-12-11', '2026-12-28', 'the 14th day is Christmas Day; the 26th and the Sunday follow'],
  ])('letter received %s → objection until %s (%s)', (received, last) => {
    expect(objectionToNamsmann(received, policy).date).toBe(last);
  });

  it('belongings: 14 days after the eviction, then a second notice', () => {
    expect(belongings('2026-11-20', policy)).toMatchObject({ date: '2026-12-04', basis: 'tvangsfullbyrdelsesloven § 13-11' });
    expect(belongings('2026-12-11', policy).date).toBe('2026-12-28');
  });
});

describe('the lead after the NAV notice is advice, never a block', () => {
  it('is two weeks from the notice to NAV', () => {
    expect(leadAfterNavNotice('2026-12-02', policy)).toMatchObject({ date: '2026-12-16', kind: 'advice' });
  });

  it('advises on a planned petition: before the legal date, before the careful date, or inside the lead', () => {
    expect(petitionAdvice('2026-12-10', '2026-12-01', '2026-12-01', policy).map((a) => a.rule)).toEqual(['petitionLegal', 'leadAfterNavNotice']);
    expect(petitionAdvice('2026-12-16', '2026-12-01', '2026-12-01', policy).map((a) => [a.rule, a.kind])).toEqual([['petitionCareful', 'policy']]);
    expect(petitionAdvice('2026-12-21', '2026-12-01', '2026-12-10', policy).map((a) => a.rule)).toEqual(['leadAfterNavNotice']);
    expect(petitionAdvice('2026-12-28', '2026-12-01', '2026-12-10', policy)).toEqual([]);
    // No § 4-18 notice yet (the warning came first): only the lead can be advised on.
    expect(petitionAdvice('2026-12-28', null, '2026-12-20', policy).map((a) => a.rule)).toEqual(['leadAfterNavNotice']);
  });
});

describe('payment stops an eviction only for unpaid rent and only until the lock is changed (§ 13-2 (3)(a))', () => {
  const due = { arrearsOre: 1_856_400, rentFallenDueSinceOre: 928_200, interestOre: 12_000, costsOre: 150_000, calculatedOn: '2027-01-10' };

  it('stops when the whole running amount is paid before the lock change', () => {
    expect(paymentStopsEviction({ ground: 'unpaid-rent', lockChangedOn: null, paidOn: '2027-01-11', paidOre: 2_946_600, due })).toMatchObject({ stops: true });
  });

  it('does not stop when only the arrears are paid: the amount runs on', () => {
    expect(paymentStopsEviction({ ground: 'unpaid-rent', lockChangedOn: null, paidOn: '2027-01-11', paidOre: 1_856_400, due })).toMatchObject({ stops: false, reason: 'amount-not-covered' });
  });

  it('does not stop after the lock was changed', () => {
    expect(paymentStopsEviction({ ground: 'unpaid-rent', lockChangedOn: '2027-01-11', paidOn: '2027-01-11', paidOre: 3_000_000, due })).toMatchObject({ stops: false, reason: 'lock-changed' });
  });

  it('does not stop an eviction on another ground (an expired lease, a judgment)', () => {
    expect(paymentStopsEviction({ ground: 'other-breach', lockChangedOn: null, paidOn: '2027-01-11', paidOre: 3_000_000, due })).toMatchObject({ stops: false, reason: 'not-unpaid-rent' });
  });
});
