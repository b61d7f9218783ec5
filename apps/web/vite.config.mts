import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In development the api runs on 127.0.0.1:3000 (npm run start:local); the dev server proxies to it
// so the app has one origin there too. In production the api serves dist/ itself.
const api = process.env['EVP_API_URL'] ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: Number(process.env['WEB_PORT'] ?? 5173),
    strictPort: true,
    proxy: { '/api': api, '/admin': api },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Aksel and React come to ~450 kB before gzip; recharts is split off with the dashboard.
    chunkSizeWarningLimit: 700,
  },
});
