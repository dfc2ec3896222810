import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Two entry points, so the patient portal never downloads clinician code (docs/web.md).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // React + Mantine are one shared chunk of ~600 KB before gzip (~120 KB gzipped, docs/benchmarks.md).
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: {
        staff: fileURLToPath(new URL('index.html', import.meta.url)),
        portal: fileURLToPath(new URL('portal/index.html', import.meta.url)),
      },
    },
  },
  server: {
    // `npm run dev -w @confide/web` next to `npm start`: the API and sign-in pages come from the server.
    proxy: { '/fhir': 'http://127.0.0.1:8080', '/oauth2': 'http://127.0.0.1:8080', '/api': 'http://127.0.0.1:8080', '/.well-known': 'http://127.0.0.1:8080' },
  },
});
