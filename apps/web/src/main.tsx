// Aksel's CSS without its fonts.css (which loads the font from cdn.nav.no): the font is hosted
// with the app instead (fonts.css here), so the pages work offline and under `font-src 'self'`.
import '@navikt/ds-css/dist/global/reset.css';
import '@navikt/ds-css/dist/global/tokens.css';
import '@navikt/ds-css/dist/global/baseline.css';
import '@navikt/ds-css/dist/global/print.css';
import './fonts.css';
import '@navikt/ds-css/dist/components.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { loadAppConfig } from './api/app-config';

// Early, so pages that need the api's «today» or the sign-in options rarely wait for it.
loadAppConfig().catch(() => undefined);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
