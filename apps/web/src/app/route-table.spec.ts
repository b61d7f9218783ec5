import type { Session } from '../auth/session';
import type { Role } from '../format/labels';
import { ROUTE_TABLE, menuFor } from './route-table';

const sessionAs = (...roles: Role[]): Session => ({
  token: 'token',
  expiresAt: null,
  role: roles[0] as Role,
  roles,
  municipalities: ['5035'],
  municipality: '5035',
  navOffice: null,
  landlordId: null,
  via: 'development',
});

describe('the menu', () => {
  it('lists the pages with a menu label the person may open, in the table’s order', () => {
    expect(menuFor(sessionAs('landlord')).map((r) => r.menu)).toEqual(['Mine varsler', 'Nytt varsel']);
    expect(menuFor(sessionAs('accounting')).map((r) => r.path)).toEqual(['/regnskap', '/regnskap/restanser', '/saker', '/dashbord']);
    expect(menuFor(sessionAs('nav-adviser')).map((r) => r.path)).toEqual(['/regnskap/restanser', '/saker', '/nav']);
  });

  it('takes any of the person’s roles', () => {
    expect(menuFor(sessionAs('arrears-team', 'admin')).map((r) => r.path)).toEqual(['/regnskap', '/regnskap/restanser', '/team', '/team/motepakke', '/saker', '/dashbord', '/drift']);
  });

  it('never lists a page without a label, and lists every labelled page to someone', () => {
    const everyone = menuFor(sessionAs('accounting', 'arrears-team', 'nav-adviser', 'nav-lead', 'landlord', 'admin'));
    expect(everyone.map((r) => r.path)).toEqual(ROUTE_TABLE.filter((r) => r.menu).map((r) => r.path));
    expect(everyone.every((r) => typeof r.menu === 'string' && r.menu.length > 0)).toBe(true);
  });
});
