import { createContext, useContext, type ReactNode } from 'react';
import type { AuthClient, Tokens } from './auth.ts';
import type { FhirClient } from './fhir-client.ts';

export interface Session {
  auth: AuthClient;
  fhir: FhirClient;
  tokens: Tokens;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in session');
  return s;
}

export function useFhir(): FhirClient {
  return useSession().fhir;
}
