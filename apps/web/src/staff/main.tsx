import '@mantine/core/styles.css';
import '../app.css';
import { createRoot } from 'react-dom/client';
import { StaffApp } from './StaffApp.tsx';

createRoot(document.getElementById('root')!).render(<StaffApp />);
