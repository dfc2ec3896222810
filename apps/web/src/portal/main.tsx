import '@mantine/core/styles.css';
import '../app.css';
import { createRoot } from 'react-dom/client';
import { PortalApp } from './PortalApp.tsx';

createRoot(document.getElementById('root')!).render(<PortalApp />);
