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

/** A network failure or a 5xx is tried again twice, half a second apart, before the page shows it. */
async function fetchConfig(): Promise<AppConfig> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api<AppConfig>('/api/config', { auth: false });
    } catch (error) {
      const status = problemOf(error).status;
      if (attempt >= 3 || (status !== 0 && status < 500)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export function loadAppConfig(): Promise<AppConfig> {
  pending ??= fetchConfig().then(
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
