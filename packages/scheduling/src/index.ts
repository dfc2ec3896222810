export * from './appointment.ts';
