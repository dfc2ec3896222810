/**
 * Recently opened charts, newest first. Only ids are kept (in this tab's sessionStorage, gone when it closes);
 * names are read from the server under the user's access each time, so nothing about a patient is stored.
 */
const KEY = 'confide.recent';
const MAX = 8;

export function recentPatients(storage: Storage = sessionStorage): string[] {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX) : [];
  } catch {
    return [];
  }
}

export function rememberPatient(id: string, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify([id, ...recentPatients(storage).filter((x) => x !== id)].slice(0, MAX)));
}
