/**
 * `GET /api/config`: what the app needs before anyone signs in (environment, whether the
 * development sign-in exists, the OpenID Connect providers) and the api's «today», which date
 * defaults and «not in the future» checks use — the browser's clock may disagree with the api's.
 * Fetched once per page load; a failure is not kept, so the next use asks again.
 */
import { useEffect, useState } from 'react';
import { api } from './client';
import { problemOf, type Problem } from './problem';
import type { AppConfig } from './types';
import { osloToday } from '../format/format';

let pending: Promise<AppConfig> | null = null;
let loaded: AppConfig | null = null;

export function loadAppConfig(): Promise<AppConfig> {
  pending ??= api<AppConfig>('/api/config', { auth: false }).then(
    (config) => {
      loaded = config;
      return config;
    },
    (error: unknown) => {
      pending = null;
      throw error;
    },
  );
  return pending;
}

export function useAppConfig(): { config: AppConfig | null; problem: Problem | null; retry: () => void } {
  const [config, setConfig] = useState<AppConfig | null>(loaded);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (loaded) return;
    let live = true;
    loadAppConfig().then(
      (c) => live && setConfig(c),
      (e: unknown) => live && setProblem(problemOf(e)),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  return {
    config,
    problem,
    retry: () => {
      setProblem(null);
      setAttempt((a) => a + 1);
    },
  };
}

/**
 * Today by the api's clock (`YYYY-MM-DD`); null while the config loads. Should it fail, or an older
 * api not say, the browser's date in Norway stands in.
 */
export function useToday(): string | null {
  const { config, problem } = useAppConfig();
  if (config) return config.today ?? osloToday();
  return problem ? osloToday() : null;
}
