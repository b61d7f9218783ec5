/**
 * A file upload with progress: fetch() cannot report upload progress, XMLHttpRequest can. One
 * multipart field, `file`, as the api's import endpoints read it.
 */
import { authHeaders, sessionExpired } from './client';
import { ApiError, networkProblem, toProblem } from './problem';

export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export function uploadFile<T>(path: string, file: File, options: { idempotencyKey: string; onProgress: (p: UploadProgress) => void; signal?: AbortSignal }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries({ ...authHeaders(), accept: 'application/json, application/problem+json', 'idempotency-key': options.idempotencyKey })) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress({ loaded: file.size, total: file.size });
        resolve(body as T);
        return;
      }
      if (xhr.status === 401) sessionExpired();
      reject(new ApiError(toProblem(xhr.status, body)));
    };
    xhr.onerror = () => reject(new ApiError(networkProblem()));
    xhr.onabort = () => reject(new DOMException('Opplastingen ble avbrutt', 'AbortError'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
