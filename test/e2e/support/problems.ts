import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** The members every problem body has (RFC 9457), as the api and the worker answer errors. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: Array<{ line: number | null; column: string | null; reason: string }>;
  total?: number;
}

/**
 * Why a response is not a well-formed problem, or undefined when it is: problem+json, the five
 * members with the response's own status, a path for `instance` (no query string), at most 200
 * field errors of the documented shape, `total` only beside a shortened list, and under 1 MB.
 */
export function problemDefect(status: number, contentType: string | null, body: unknown, rawLength?: number): string | undefined {
  if (!contentType?.startsWith('application/problem+json')) return `content-type ${String(contentType)}`;
  const p = body as Partial<ProblemBody> | null;
  if (!p || typeof p !== 'object') return 'body is not an object';
  if (typeof p.type !== 'string' || !p.type.startsWith('https://evp.no/problems/')) return `type ${String(p.type)}`;
  if (typeof p.title !== 'string' || p.title === '') return 'no title';
  if (p.status !== status) return `status member ${String(p.status)} for ${status}`;
  if (typeof p.detail !== 'string' || p.detail === '') return 'no detail';
  if (typeof p.instance !== 'string' || !p.instance.startsWith('/') || p.instance.includes('?')) return `instance ${String(p.instance)}`;
  if (p.errors !== undefined) {
    if (!Array.isArray(p.errors) || p.errors.length > 200) return 'errors is not a list of at most 200';
    for (const e of p.errors) {
      if (typeof e.reason !== 'string' || !(e.line === null || Number.isInteger(e.line)) || !(e.column === null || typeof e.column === 'string')) return `error ${JSON.stringify(e)}`;
    }
  }
  if (p.total !== undefined && (!p.errors || p.total <= p.errors.length)) return 'total without a shortened list';
  if (rawLength !== undefined && rawLength >= 1_000_000) return `body of ${rawLength} bytes`;
  return undefined;
}

export interface StreamedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Bytes of the request body written when the answer's headers arrived. */
  sentWhenAnswered: number;
  msToAnswer: number;
}

/**
 * Sends a request body slowly, `chunk` bytes every `intervalMs`, and stops when the answer comes:
 * shows whether the server answered before it had the body. `announce` sends a content-length
 * (otherwise the body is chunked). The server may close the connection once it answered; the
 * writes that fail after the answer are expected.
 */
export function streamSlowly(port: number, path: string, options: { headers: Record<string, string>; total: number; chunk?: number; intervalMs?: number; announce?: boolean; fill?: string }): Promise<StreamedAnswer> {
  const chunk = options.chunk ?? 64 * 1024;
  const intervalMs = options.intervalMs ?? 25;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    let timer: NodeJS.Timeout | undefined;
    const headers = { ...options.headers, ...(options.announce === false ? {} : { 'content-length': String(options.total) }) };
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      if (timer) clearTimeout(timer);
      const sentWhenAnswered = sent;
      const msToAnswer = Date.now() - started;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sentWhenAnswered, msToAnswer });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const fill = options.fill ?? 'x';
    const pump = () => {
      if (answered) return;
      if (sent >= options.total) {
        req.end();
        return;
      }
      const n = Math.min(chunk, options.total - sent);
      req.write(Buffer.alloc(n, fill));
      sent += n;
      timer = setTimeout(pump, intervalMs);
    };
    req.flushHeaders();
    pump();
  });
}
