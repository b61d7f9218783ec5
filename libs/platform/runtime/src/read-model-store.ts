import type { Redis } from 'ioredis';

export type ReadModelOp =
  | { readonly kind: 'put'; readonly collection: string; readonly id: string; readonly doc: unknown }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string }
  /** Sets `id`'s score in a sorted index; `null` removes it from the index. */
  | { readonly kind: 'index'; readonly collection: string; readonly index: string; readonly id: string; readonly score: number | null };

export interface ListOptions {
  readonly offset?: number;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
  /** Only ids whose score is at most this. */
  readonly maxScore?: number;
}

/**
 * Read models behind a small interface (documents by id, plus sorted indexes for lists). Redis
 * holds them; they are derived, so losing them loses nothing: the projection rebuilds.
 */
export interface ReadModelStore {
  get<T>(collection: string, id: string): Promise<T | undefined>;
  getMany<T>(collection: string, ids: readonly string[]): Promise<Array<T | undefined>>;
  /** Applies all operations atomically. */
  apply(ops: readonly ReadModelOp[]): Promise<void>;
  list(collection: string, index: string, options?: ListOptions): Promise<{ ids: string[]; total: number }>;
  /** Removes a whole collection (before a rebuild). */
  clear(collection: string): Promise<void>;
}

const SAFE_PART = /^[A-Za-z0-9_.:-]+$/;

export class RedisReadModelStore implements ReadModelStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private docKey(collection: string, id: string): string {
    return `${this.prefix}:rm:${part(collection)}:doc:${id}`;
  }

  private indexKey(collection: string, index: string): string {
    return `${this.prefix}:rm:${part(collection)}:idx:${part(index)}`;
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.docKey(collection, id));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<Array<T | undefined>> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.docKey(collection, id)));
    return raws.map((raw) => (raw === null ? undefined : (JSON.parse(raw) as T)));
  }

  async apply(ops: readonly ReadModelOp[]): Promise<void> {
    if (ops.length === 0) return;
    const multi = this.redis.multi();
    for (const op of ops) {
      switch (op.kind) {
        case 'put':
          multi.set(this.docKey(op.collection, op.id), JSON.stringify(op.doc));
          break;
        case 'delete':
          multi.del(this.docKey(op.collection, op.id));
          break;
        case 'index':
          if (op.score === null) multi.zrem(this.indexKey(op.collection, op.index), op.id);
          else multi.zadd(this.indexKey(op.collection, op.index), op.score, op.id);
          break;
        default: {
          const never: never = op;
          throw new Error(`Unknown read model operation ${JSON.stringify(never)}`);
        }
      }
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction was discarded');
  }

  async list(collection: string, index: string, options: ListOptions = {}): Promise<{ ids: string[]; total: number }> {
    const key = this.indexKey(collection, index);
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 50;
    if (options.maxScore !== undefined) {
      const max = String(options.maxScore);
      const [ids, total] = await Promise.all([
        options.order === 'desc' ? this.redis.zrevrangebyscore(key, max, '-inf', 'LIMIT', offset, limit) : this.redis.zrangebyscore(key, '-inf', max, 'LIMIT', offset, limit),
        this.redis.zcount(key, '-inf', max),
      ]);
      return { ids, total };
    }
    const [ids, total] = await Promise.all([
      options.order === 'desc' ? this.redis.zrevrange(key, offset, offset + limit - 1) : this.redis.zrange(key, offset, offset + limit - 1),
      this.redis.zcard(key),
    ]);
    return { ids, total };
  }

  async clear(collection: string): Promise<void> {
    const pattern = `${this.prefix}:rm:${part(collection)}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.unlink(...keys);
    } while (cursor !== '0');
  }
}

function part(value: string): string {
  if (!SAFE_PART.test(value)) throw new Error(`Invalid read model name ${JSON.stringify(value)}`);
  return value;
}
