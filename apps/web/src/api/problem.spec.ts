import { errorsFor, toProblem } from './problem';

describe('problem details', () => {
  it('reads RFC 9457 problem details with field errors and the total', () => {
    const p = toProblem(422, { type: 'about:blank', title: 'Valideringsfeil', status: 422, detail: '250 feil i filen', errors: [{ line: 3, column: 'dato', reason: 'ugyldig dato' }], total: 250 });
    expect(p).toEqual({ type: 'about:blank', title: 'Valideringsfeil', status: 422, detail: '250 feil i filen', errors: [{ line: 3, column: 'dato', reason: 'ugyldig dato' }], total: 250 });
  });

  it('reads the older { error, message, errors } shape the same way', () => {
    const p = toProblem(422, { error: 'ValidationFailed', message: '1 feil i forespørselen; ingenting er lagret', errors: [{ line: null, column: 'channel', reason: 'må være phone' }] });
    expect(p.title).toBe('Noe er feil i det du sendte');
    expect(p.detail).toBe('1 feil i forespørselen; ingenting er lagret');
    expect(p.total).toBe(1);
    expect(errorsFor(p, 'channel')).toBe('må være phone');
    expect(errorsFor(p, 'contactedOn')).toBeUndefined();
  });

  it('gives a bokmål title for a body that is not JSON', () => {
    expect(toProblem(502, '<html>Bad gateway</html>')).toMatchObject({ title: 'Tjenesten svarer ikke', status: 502, errors: [], total: 0 });
  });
});
